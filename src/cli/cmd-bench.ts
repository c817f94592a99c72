// poisonscan bench: inject -> scan -> recall/precision/time, for image folders.
import { Command, InvalidArgumentError } from 'commander';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { decodeBaseline, runBench, type BenchCase } from '../bench/bench.js';
import { UsageError } from '../types.js';

/** The standard cases of BENCHMARKS.md's image tables; none of them is known to the detectors. */
export function standardCases(target: string): Record<string, BenchCase> {
  return {
    'badnets-corner': { name: 'badnets-corner', attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'bottom-right' }, count: 5, target },
    'white-square-corner': { name: 'white-square-corner', attack: { type: 'patch', pattern: 'square', size: 3, position: 'bottom-right' }, count: 5, target },
    'badnets-random-position': { name: 'badnets-random-position', attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'random' }, count: 5, target },
    'colour-3x3-random-position': { name: 'colour-3x3-random-position', attack: { type: 'patch', pattern: 'random', size: 3, position: 'random' }, count: 5, target },
    'trojan-8x8': { name: 'trojan-8x8', attack: { type: 'patch', pattern: 'random', size: 8, position: 'bottom-right', margin: 3 }, count: 5, target },
    'noise-5x5-random': { name: 'noise-5x5-random', attack: { type: 'patch', pattern: 'noise', size: 5, position: 'random' }, count: 5, target },
    'badnets-corner-1pct': { name: 'badnets-corner-1pct', attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'bottom-right' }, count: 500, target },
    'blend-0.5pct': { name: 'blend-0.5pct', attack: { type: 'blend', alpha: 0.15 }, count: 250, target },
    'sig-0.5pct': { name: 'sig-0.5pct', attack: { type: 'sig', delta: 40, freq: 6 }, count: 250, target },
  };
}

function seeds(v: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) throw new InvalidArgumentError('--seeds takes N or A-B');
  const a = Number(m[1]), b = Number(m[2] ?? m[1]);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('inject known poisons into copies of an image folder, scan each, report recall@k, precision, AUROC and time')
    .argument('<dataset>', 'clean ImageFolder dataset (never modified)')
    .option('--cases <list>', 'comma-separated cases (see --list)', 'badnets-corner,badnets-random-position,trojan-8x8')
    .option('--list', 'list the standard cases and exit')
    .option('--seeds <range>', 'seeds, N or A-B', seeds, [1])
    .option('--target <label>', 'target class for dirty-label poisons', 'airplane')
    .option('--k <list>', 'recall@k cut-offs', '10,500')
    .option('--concurrency <n>', 'parallel decode work', (v) => Number(v), cpus().length)
    .option('--decode-baseline', 'also time decoding the clean dataset with sharp alone')
    .option('--json <file>', 'write all rows as JSON')
    .option('--work <dir>', 'keep poisoned copies and reports here')
    .action(async (dataset: string, o: Record<string, unknown>) => {
      const all = standardCases(o.target as string);
      if (o.list) {
        for (const c of Object.values(all)) process.stdout.write(`${c.name}: ${JSON.stringify(c.attack)} x${c.count}\n`);
        return;
      }
      const names = String(o.cases).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !all[n]);
      if (unknown.length) throw new UsageError(`unknown bench case ${unknown.join(', ')} (known: ${Object.keys(all).join(', ')})`);
      const log = (l: string) => process.stdout.write(l + '\n');
      if (o.decodeBaseline) {
        const d = await decodeBaseline(dataset, o.concurrency as number);
        log(`decode-baseline images=${d.images} seconds=${d.seconds.toFixed(1)} img/s=${(d.images / d.seconds).toFixed(0)}`);
      }
      const rows = await runBench({
        dataset, cases: names.map((n) => all[n]!), seeds: o.seeds as number[], concurrency: o.concurrency as number,
        ks: String(o.k).split(',').map(Number), workDir: o.work as string | undefined, log,
      });
      if (o.json) await writeFile(o.json as string, JSON.stringify(rows, null, 2));
    });
}
