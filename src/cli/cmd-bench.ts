// poisonscan bench: inject -> scan -> recall/precision/time, for image folders.
import { Command, InvalidArgumentError } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { familySpec, FAMILIES, FAMILY_NAMES } from '../attack/families.js';
import { decodeBaseline, runBench, type BenchCase } from '../bench/bench.js';
import { runFamilyBench, type FamilyBenchResult } from '../bench/family-bench.js';
import { familyMarkdown, summariseFamilies } from '../bench/family-summary.js';
import { UsageError } from '../types.js';
import { addEmbedOptions, readEmbedOptions } from './embed-options.js';
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

function seeds(v: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) throw new InvalidArgumentError('--seeds takes N or A-B');
  const a = Number(m[1]), b = Number(m[2] ?? m[1]);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export function benchCommand(): Command {
  return runs(addEmbedOptions(new Command('bench'))
    .description('inject known poisons into copies of an image folder, scan each, report recall@k, precision, AUROC and time')
    .argument('<dataset>', 'clean ImageFolder dataset (never modified)')
    .option('--cases <list>', 'comma-separated cases (see --list)', 'badnets-corner,badnets-random-position,trojan-8x8')
    .option('--families <list>', `attack families, a trigger drawn per seed (instead of --cases): ${FAMILY_NAMES.join(', ')}`)
    .option('--count <n>', 'with --families: poison count instead of the family\'s', (v) => Number(v))
    .option('--mode <mode>', 'with --families: dirty or clean label instead of the family\'s')
    .option('--detectors <list>', 'with --families: detectors to run (default: all that apply)')
    .option('--no-reuse-fingerprints', 'with --families: decode every image of every seed (for timing the re-use)')
    .option('--out <dir>', 'with --families: write bench.json and bench.md here (after every seed)')
    .option('--clean-report <dir>', 'with --families: a finished scan of the clean dataset to re-use (else it is scanned first)')
    .option('--list', 'list the standard cases and families and exit')
    .option('--seeds <range>', 'seeds, N or A-B', seeds, [1])
    .option('--target <label>', 'target class for dirty-label poisons', 'airplane')
    .option('--k <list>', 'recall@k cut-offs', '10,500')
    .option('--concurrency <n>', 'parallel decode work', (v) => Number(v), cpus().length)
    .option('--decode-baseline', 'also time decoding the clean dataset with sharp alone')
    .option('--json <file>', 'write all rows as JSON')
    .option('--work <dir>', 'keep poisoned copies and reports here'),
    async (dataset: string, o: Record<string, unknown>) => {
      const all = standardCases(o.target as string);
      if (o.list) {
        for (const c of Object.values(all)) process.stdout.write(`${c.name}: ${JSON.stringify(c.attack)} x${c.count}\n`);
        for (const [name, spec] of Object.entries(FAMILIES)) process.stdout.write(`family ${name}: ${JSON.stringify(spec)}\n`);
        return 0;
      }
      if (o.families) {
        const families = String(o.families).split(',').map((s) => s.trim()).filter(Boolean);
        families.forEach(familySpec); // unknown names: exit 2 before any work
        if (o.mode !== undefined && o.mode !== 'dirty' && o.mode !== 'clean') throw new UsageError('--mode is dirty or clean');
        const embedding = readEmbedOptions(o);
        const embedName = embedding.embed === 'pretrained' ? `, embedding: pretrained at ${embedding.embedSize ?? DEFAULT_EMBED_SIZE} px` : embedding.embed === 'proxy' || embedding.proxyModel ? ', embedding: proxy' : '';
        const heading = `Attack families on ${dataset}, seeds ${(o.seeds as number[])[0]}-${(o.seeds as number[]).at(-1)}${embedName}`;
        const write = async (res: FamilyBenchResult) => {
          const json = JSON.stringify({ dataset, summary: summariseFamilies(res.rows), ...res }, null, 1) + '\n';
          if (o.out) {
            await mkdir(o.out as string, { recursive: true });
            await writeFile(join(o.out as string, 'bench.json'), json);
            await writeFile(join(o.out as string, 'bench.md'), familyMarkdown(res, heading));
          }
          if (o.json) await writeFile(o.json as string, json);
        };
        const res = await runFamilyBench({
          dataset, families, seeds: o.seeds as number[], concurrency: o.concurrency as number,
          count: o.count as number | undefined, mode: o.mode as 'dirty' | 'clean' | undefined,
          detectors: o.detectors ? String(o.detectors).split(',') : undefined,
          reuseFingerprints: o.reuseFingerprints !== false, workDir: o.work as string | undefined, embedding,
          cleanReport: o.cleanReport as string | undefined,
          log: (l) => process.stdout.write(l + '\n'),
          onRow: (rows, clean) => write({ clean, rows }),
        });
        process.stdout.write('\n' + familyMarkdown(res, heading));
        await write(res);
        return 0;
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
      return 0;
    });
}
