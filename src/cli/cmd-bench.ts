// poisonscan bench: inject -> scan -> recall/precision/time, for image folders.
import { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { familySpec, FAMILIES, FAMILY_NAMES } from '../attack/families.js';
import { decodeBaseline, runBench, type BenchCase } from '../bench/bench.js';
import { runFamilyBench, type FamilyBenchResult } from '../bench/family-bench.js';
import { familyMarkdown, summariseFamilies } from '../bench/family-summary.js';
import { UsageError } from '../types.js';
import { readEmbedOptions } from './embed-options.js';
import { SCAN_OPTIONS, type OptionSpec, type OptionValues } from '../config/options.js';
import { addDeclared } from './options.js';
import { DEFAULT_EMBED_SIZE } from '../config/embed.js';
import { runs } from './run.js';

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

/** bench's options, in the order --help lists them. */
export const BENCH_OPTIONS = {
  embed: SCAN_OPTIONS.embed,
  embedSize: SCAN_OPTIONS.embedSize,
  proxyModel: SCAN_OPTIONS.proxyModel,
  cases: { group: 'attack', flags: '--cases <list>', help: 'comma-separated cases (see --list)', kind: 'string', default: 'badnets-corner,badnets-random-position,trojan-8x8' },
  families: { group: 'attack', flags: '--families <list>', help: `attack families, a trigger drawn per seed (instead of --cases): ${FAMILY_NAMES.join(', ')}`, kind: 'string' },
  count: { group: 'attack', flags: '--count <n>', help: 'with --families: poison count instead of the family\'s', kind: 'number' },
  mode: { group: 'attack', flags: '--mode <mode>', help: 'with --families: dirty or clean label instead of the family\'s', kind: 'string' },
  detectors: { ...SCAN_OPTIONS.detectors, help: 'with --families: detectors to run (default: all that apply)' },
  reuseFingerprints: { group: 'fingerprint', flags: '--no-reuse-fingerprints', help: 'with --families: decode every image of every seed (for timing the re-use)', kind: 'flag' },
  out: { group: 'output', flags: '--out <dir>', help: 'with --families: write bench.json and bench.md here (after every seed)', kind: 'string' },
  cleanReport: { group: 'fingerprint', flags: '--clean-report <dir>', help: 'with --families: a finished scan of the clean dataset to re-use (else it is scanned first)', kind: 'string' },
  list: { group: 'output', flags: '--list', help: 'list the standard cases and families and exit', kind: 'flag' },
  seeds: { group: 'attack', flags: '--seeds <range>', help: 'seeds: N, A-B, or a comma-separated list of them', kind: 'range', default: [1] },
  target: { group: 'attack', flags: '--target <label>', help: 'target class for dirty-label poisons', kind: 'string', default: 'airplane' },
  k: { group: 'output', flags: '--k <list>', help: 'recall@k cut-offs', kind: 'string', default: '10,500' },
  concurrency: { ...SCAN_OPTIONS.concurrency, help: 'parallel decode work' },
  decodeBaseline: { group: 'fingerprint', flags: '--decode-baseline', help: 'also time decoding the clean dataset with sharp alone', kind: 'flag' },
  json: { group: 'output', flags: '--json <file>', help: 'write all rows as JSON', kind: 'string' },
  work: { group: 'output', flags: '--work <dir>', help: 'keep poisoned copies and reports here', kind: 'string' },
} as const satisfies Record<string, OptionSpec>;

export function benchCommand(): Command {
  return runs(addDeclared(new Command('bench')
    .description('inject known poisons into copies of an image folder, scan each, report recall@k, precision, AUROC and time')
    .argument('<dataset>', 'clean ImageFolder dataset (never modified)'), BENCH_OPTIONS),
    async (dataset: string, o: OptionValues<typeof BENCH_OPTIONS>) => {
      const all = standardCases(o.target);
      if (o.list) {
        for (const c of Object.values(all)) process.stdout.write(`${c.name}: ${JSON.stringify(c.attack)} x${c.count}\n`);
        for (const [name, spec] of Object.entries(FAMILIES)) process.stdout.write(`family ${name}: ${JSON.stringify(spec)}\n`);
        return 0;
      }
      if (o.families) {
        const families = o.families.split(',').map((s) => s.trim()).filter(Boolean);
        families.forEach(familySpec); // unknown names: exit 2 before any work
        if (o.mode !== undefined && o.mode !== 'dirty' && o.mode !== 'clean') throw new UsageError('--mode is dirty or clean');
        const embedding = readEmbedOptions(o);
        const embedName = embedding.embed === 'pretrained' ? `, embedding: pretrained at ${embedding.embedSize ?? DEFAULT_EMBED_SIZE} px` : embedding.embed === 'proxy' || embedding.proxyModel ? ', embedding: proxy' : '';
        const heading = `Attack families on ${dataset}, seeds ${o.seeds[0]}-${o.seeds.at(-1)}${embedName}`;
        const write = async (res: FamilyBenchResult) => {
          const json = JSON.stringify({ dataset, summary: summariseFamilies(res.rows), ...res }, null, 1) + '\n';
          if (o.out) {
            await mkdir(o.out, { recursive: true });
            await writeFile(join(o.out, 'bench.json'), json);
            await writeFile(join(o.out, 'bench.md'), familyMarkdown(res, heading));
          }
          if (o.json) await writeFile(o.json, json);
        };
        const res = await runFamilyBench({
          dataset, families, seeds: o.seeds, concurrency: o.concurrency,
          count: o.count, mode: o.mode as 'dirty' | 'clean' | undefined, detectors: o.detectors,
          reuseFingerprints: o.reuseFingerprints !== false, workDir: o.work, embedding, cleanReport: o.cleanReport,
          log: (l) => process.stdout.write(l + '\n'),
          onRow: (rows, clean) => write({ clean, rows }),
        });
        process.stdout.write('\n' + familyMarkdown(res, heading));
        await write(res);
        return 0;
      }
      const names = o.cases.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !all[n]);
      if (unknown.length) throw new UsageError(`unknown bench case ${unknown.join(', ')} (known: ${Object.keys(all).join(', ')})`);
      const log = (l: string) => process.stdout.write(l + '\n');
      if (o.decodeBaseline) {
        const d = await decodeBaseline(dataset, o.concurrency);
        log(`decode-baseline images=${d.images} seconds=${d.seconds.toFixed(1)} img/s=${(d.images / d.seconds).toFixed(0)}`);
      }
      const rows = await runBench({
        dataset, cases: names.map((n) => all[n]!), seeds: o.seeds, concurrency: o.concurrency,
        ks: o.k.split(',').map(Number), workDir: o.work, log,
      });
      if (o.json) await writeFile(o.json, JSON.stringify(rows, null, 2));
      return 0;
    });
}
