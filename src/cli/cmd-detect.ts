// Sharded scans on the command line: `scan --stage fingerprint --shard I/N` (one slice's fingerprints) and
// `detect <fingerprint dirs...>` (merge, detectors, reports).
import { Command, Option } from 'commander';
import { runs } from './run.js';
import { cpus } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consoleSummary } from '../report/console.js';
import { detect, fingerprintStage } from '../scan-stages.js';
import { parseShard } from '../store/shards.js';
import { UsageError, type FailOn } from '../types.js';
import { int, readOptions } from './dataset-options.js';
import { addEmbedOptions, readEmbedOptions } from './embed-options.js';
import { loadConfig } from '../config/config.js';

/** `scan ... --stage fingerprint [--shard I/N]`: the options are scan's, already parsed. */
export async function runFingerprintStage(dataset: string, o: Record<string, unknown>): Promise<number> {
  if (o.stage !== 'fingerprint') throw new UsageError('--shard needs --stage fingerprint (then run `poisonscan detect` on the shards)');
  for (const k of ['detectors', 'sarif', 'writeManifest', 'proxyModel', 'embed', 'embedSize', 'json'] as const) {
    if (o[k] !== undefined && o[k] !== false) throw new UsageError(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} belongs to the detect stage: pass it to \`poisonscan detect\``);
  }
  const r = await fingerprintStage({
    ...readOptions(dataset, o),
    shard: o.shard !== undefined ? parseShard(String(o.shard)) : undefined,
    quiet: Boolean(o.quiet),
  });
  const m = r.manifest;
  if (!o.quiet) {
    process.stderr.write(`shard ${m.shard.index}/${m.shard.count}: ${m.samples} of ${m.listed} samples fingerprinted, ${m.errors.length} errors${r.alreadyDone ? ' (already complete)' : ''} -> ${r.outDir}\n`);
  }
  return 0;
}

export function detectCommand(): Command {
  return runs(addEmbedOptions(new Command('detect'))
    .description('merge the fingerprint shards of `scan --stage fingerprint --shard I/N` and run the detectors and reports')
    .argument('<fingerprints...>', 'fingerprint folders, one per shard (any order)')
    .option('--out <dir>', 'where the outputs go', './poisonscan-report')
    .option('--detectors <list>', 'run only these detectors (comma separated)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices(['high', 'medium', 'low', 'never']).default('high'))
    .option('--concurrency <n>', 'parallel detector work', int('--concurrency', 1), cpus().length)
    .option('--seed <n>', 'seed for every random choice', int('--seed', 0), 0)
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print report.json to stdout')
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0')
    .option('--config <file>', 'project suppressions'),
    async (dirs: string[], o: Record<string, unknown>) => {
      const cfg = await loadConfig(o.config as string | undefined);
      const result = await detect({
        shards: dirs,
        out: o.out as string,
        detectors: typeof o.detectors === 'string' ? o.detectors.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        failOn: o.failOn as FailOn,
        concurrency: o.concurrency as number,
        seed: o.seed as number,
        ...readEmbedOptions(o),
        quiet: Boolean(o.quiet) || Boolean(o.json),
        sarif: o.sarif as string | undefined,
        suppressions: cfg.suppressions,
      });
      if (o.json) process.stdout.write(await readFile(join(result.outDir, 'report.json'), 'utf8'));
      else if (!o.quiet) process.stderr.write(consoleSummary(result.report, result.outDir) + '\n');
      return result.exitCode;
    });
}
