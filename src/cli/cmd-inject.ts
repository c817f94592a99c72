// poisonscan inject: a poisoned copy of an image folder, for demos, tests and benchmarks.
import { Command } from 'commander';
import { drawTrigger, FAMILY_NAMES } from '../attack/families.js';
import { injectImageFolder, type Attack } from '../attack/image-inject.js';
import type { Corner, PatchKind } from '../attack/patterns.js';
import { listImageFolder } from '../ingest/imagefolder.js';
import type { OptionSpec, OptionValues } from '../config/options.js';
import { addDeclared } from './options.js';
import { runs } from './run.js';

const CORNERS = ['bottom-right', 'bottom-left', 'top-right', 'top-left', 'random'] as const satisfies readonly (Corner | 'random')[];
const PATCHES = ['checkerboard', 'square', 'random', 'noise'] as const satisfies readonly PatchKind[];

/** inject's options, in the order --help lists them. */
export const INJECT_OPTIONS = {
  out: { group: 'output', flags: '--out <dir>', help: 'where the poisoned copy goes', kind: 'string', required: true },
  attack: { group: 'attack', flags: '--attack <type>', help: 'patch | blend | sig', kind: 'choice', choices: ['patch', 'blend', 'sig'], default: 'patch' },
  family: { group: 'attack', flags: '--family <name>', help: 'draw the trigger, target class and count from an attack family for --seed (the other attack options are ignored)', kind: 'choice', choices: FAMILY_NAMES },
  count: { group: 'attack', flags: '--count <n>', help: 'how many images to poison (default 5, or the family\'s)', kind: 'number' },
  target: { group: 'attack', flags: '--target <label>', help: 'target class (dirty-label: poisons are relabelled to it; clean-label: drawn from it; with --family: drawn per seed)', kind: 'string' },
  mode: { group: 'attack', flags: '--mode <mode>', help: 'dirty or clean label (default dirty, or the family\'s)', kind: 'choice', choices: ['dirty', 'clean'] },
  pattern: { group: 'attack', flags: '--pattern <kind>', help: 'patch pattern', kind: 'choice', choices: PATCHES, default: 'checkerboard' },
  size: { group: 'attack', flags: '--size <px>', help: 'patch side in pixels', kind: 'number', default: 3 },
  position: { group: 'attack', flags: '--position <where>', help: 'patch position', kind: 'choice', choices: CORNERS, default: 'bottom-right' },
  margin: { group: 'attack', flags: '--margin <px>', help: 'distance of a corner patch from the edges', kind: 'number', default: 0 },
  colour: { group: 'attack', flags: '--colour <r,g,b>', help: 'colour of a square patch', kind: 'string', default: '255,255,255' },
  patternSeed: { group: 'attack', flags: '--pattern-seed <n>', help: 'seed of the random pattern (default: --seed)', kind: 'number' },
  alpha: { group: 'attack', flags: '--alpha <a>', help: 'blend weight of the pattern', kind: 'number', default: 0.15 },
  blendImage: { group: 'attack', flags: '--blend-image <file>', help: 'image to blend in (default: seeded random noise)', kind: 'string' },
  delta: { group: 'attack', flags: '--delta <d>', help: 'SIG amplitude', kind: 'number', default: 40 },
  freq: { group: 'attack', flags: '--freq <f>', help: 'SIG frequency (cycles per image width)', kind: 'number', default: 6 },
  seed: { group: 'attack', flags: '--seed <n>', help: 'seed', kind: 'number', default: 0 },
  link: { group: 'output', flags: '--link', help: 'hard-link the untouched files instead of copying them (large benchmark sets)', kind: 'flag' },
  truth: { group: 'output', flags: '--truth <file>', help: 'ground-truth JSON (default: <out>/poisonscan-truth.json)', kind: 'string' },
} as const satisfies Record<string, OptionSpec>;

export function injectCommand(): Command {
  return runs(addDeclared(new Command('inject')
    .description('write a poisoned copy of an image folder and a ground-truth file of the poisoned ids')
    .argument('<dataset>', 'source image folder (never modified)'), INJECT_OPTIONS),
    async (dataset: string, o: OptionValues<typeof INJECT_OPTIONS>) => {
      const common = {
        source: dataset, out: o.out, seed: o.seed, truth: o.truth, link: o.link === true,
      };
      if (o.family) {
        const { samples } = await listImageFolder(dataset);
        const d = await drawTrigger(o.family, o.seed, samples, { count: o.count, mode: o.mode, target: o.target });
        const truth = await injectImageFolder({ ...common, attack: d.attack, count: d.count, target: d.target ?? undefined, mode: d.mode, drawn: d.record });
        process.stderr.write(`poisoned ${truth.poisoned.length} images into ${o.out} (${o.family}, seed ${o.seed}, target ${d.target ?? '-'}, ${d.mode}-label)\n`);
        return 0;
      }
      let attack: Attack;
      if (o.attack === 'patch') {
        const colour = String(o.colour).split(',').map(Number) as [number, number, number];
        attack = { type: 'patch', pattern: o.pattern, size: o.size, position: o.position, margin: o.margin, colour, patternSeed: o.patternSeed };
      } else if (o.attack === 'blend') {
        attack = { type: 'blend', alpha: o.alpha, image: o.blendImage, patternSeed: o.patternSeed };
      } else {
        attack = { type: 'sig', delta: o.delta, freq: o.freq };
      }
      const truth = await injectImageFolder({
        ...common, attack, count: o.count ?? 5, target: o.target, mode: o.mode ?? 'dirty',
      });
      process.stderr.write(`poisoned ${truth.poisoned.length} images into ${o.out}\n`);
      return 0;
    });
}
