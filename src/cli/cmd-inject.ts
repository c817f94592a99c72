// poisonscan inject: a poisoned copy of an image folder, for demos, tests and benchmarks.
import { Command, InvalidArgumentError, Option } from 'commander';
import { drawTrigger, FAMILY_NAMES } from '../attack/families.js';
import { injectImageFolder, type Attack } from '../attack/image-inject.js';
import type { Corner, PatchKind } from '../attack/patterns.js';
import { listImageFolder } from '../ingest/imagefolder.js';
import { runs } from './run.js';

function num(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
    return n;
  };
}

export function injectCommand(): Command {
  return runs(new Command('inject')
    .description('write a poisoned copy of an image folder and a ground-truth file of the poisoned ids')
    .argument('<dataset>', 'source image folder (never modified)')
    .requiredOption('--out <dir>', 'where the poisoned copy goes')
    .addOption(new Option('--attack <type>', 'patch | blend | sig').choices(['patch', 'blend', 'sig']).default('patch'))
    .addOption(new Option('--family <name>', 'draw the trigger, target class and count from an attack family for --seed (the other attack options are ignored)').choices(FAMILY_NAMES))
    .option('--count <n>', 'how many images to poison (default 5, or the family\'s)', num('--count'))
    .option('--target <label>', 'target class (dirty-label: poisons are relabelled to it; clean-label: drawn from it; with --family: drawn per seed)')
    .addOption(new Option('--mode <mode>', 'dirty or clean label (default dirty, or the family\'s)').choices(['dirty', 'clean']))
    .addOption(new Option('--pattern <kind>', 'patch pattern').choices(['checkerboard', 'square', 'random', 'noise']).default('checkerboard'))
    .option('--size <px>', 'patch side in pixels', num('--size'), 3)
    .addOption(new Option('--position <where>', 'patch position').choices(['bottom-right', 'bottom-left', 'top-right', 'top-left', 'random']).default('bottom-right'))
    .option('--margin <px>', 'distance of a corner patch from the edges', num('--margin'), 0)
    .option('--colour <r,g,b>', 'colour of a square patch', '255,255,255')
    .option('--pattern-seed <n>', 'seed of the random pattern (default: --seed)', num('--pattern-seed'))
    .option('--alpha <a>', 'blend weight of the pattern', num('--alpha'), 0.15)
    .option('--blend-image <file>', 'image to blend in (default: seeded random noise)')
    .option('--delta <d>', 'SIG amplitude', num('--delta'), 40)
    .option('--freq <f>', 'SIG frequency (cycles per image width)', num('--freq'), 6)
    .option('--seed <n>', 'seed', num('--seed'), 0)
    .option('--link', 'hard-link the untouched files instead of copying them (large benchmark sets)')
    .option('--truth <file>', 'ground-truth JSON (default: <out>/poisonscan-truth.json)'),
    async (dataset: string, o: Record<string, unknown>) => {
      const common = {
        source: dataset, out: o.out as string, seed: o.seed as number, truth: o.truth as string | undefined, link: o.link === true,
      };
      if (o.family) {
        const { samples } = await listImageFolder(dataset);
        const d = await drawTrigger(o.family as string, o.seed as number, samples, {
          count: o.count as number | undefined, mode: o.mode as 'dirty' | 'clean' | undefined, target: o.target as string | undefined,
        });
        const truth = await injectImageFolder({ ...common, attack: d.attack, count: d.count, target: d.target ?? undefined, mode: d.mode, drawn: d.record });
        process.stderr.write(`poisoned ${truth.poisoned.length} images into ${o.out as string} (${o.family as string}, seed ${o.seed as number}, target ${d.target ?? '-'}, ${d.mode}-label)\n`);
        return 0;
      }
      let attack: Attack;
      if (o.attack === 'patch') {
        const colour = String(o.colour).split(',').map(Number) as [number, number, number];
        attack = { type: 'patch', pattern: o.pattern as PatchKind, size: o.size as number, position: o.position as Corner | 'random', margin: o.margin as number, colour, patternSeed: o.patternSeed as number | undefined };
      } else if (o.attack === 'blend') {
        attack = { type: 'blend', alpha: o.alpha as number, image: o.blendImage as string | undefined, patternSeed: o.patternSeed as number | undefined };
      } else {
        attack = { type: 'sig', delta: o.delta as number, freq: o.freq as number };
      }
      const truth = await injectImageFolder({
        ...common, attack, count: (o.count as number | undefined) ?? 5, target: o.target as string | undefined,
        mode: (o.mode as 'dirty' | 'clean' | undefined) ?? 'dirty',
      });
      process.stderr.write(`poisoned ${truth.poisoned.length} images into ${o.out as string}\n`);
      return 0;
    });
}
