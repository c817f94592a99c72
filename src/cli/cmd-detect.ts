// Sharded scans on the command line: `scan --stage fingerprint --shard I/N` (one slice's fingerprints) and
// `detect <fingerprint dirs...>` (merge, detectors, reports).
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consoleSummary } from '../report/console.js';
import { detect, fingerprintStage } from '../scan-stages.js';
import { parseShard } from '../store/shards.js';
import { UsageError } from '../types.js';
import { loadConfig } from '../config/config.js';
import { SCAN_OPTIONS, type OptionSpec, type OptionValues, type ScanOptionName, type ScanValues } from '../config/options.js';
import { readOptions, scanSettingsOf } from './dataset-options.js';
import { addDeclared, optionOf } from './options.js';
import { givenParameters, parametersHelp } from './parameters.js';
import { runs } from './run.js';

/** `scan ... --stage fingerprint [--shard I/N]`: the options are scan's, already parsed. */
export async function runFingerprintStage(dataset: string, o: ScanValues): Promise<number> {
  if (o.stage !== 'fingerprint') throw new UsageError('--shard needs --stage fingerprint (then run `poisonscan detect` on the shards)');
  for (const k of ['detectors', 'set', 'sarif', 'writeManifest', 'proxyModel', 'embed', 'embedSize', 'json'] as const) {
    if (o[k] !== undefined && o[k] !== false) throw new UsageError(`${optionOf(k).long} belongs to the detect stage: pass it to \`poisonscan detect\``);
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

/** detect's options, in the order --help lists them: the scan's that the later stages take. */
export const DETECT_OPTIONS = {
  embed: SCAN_OPTIONS.embed,
  embedSize: SCAN_OPTIONS.embedSize,
  proxyModel: SCAN_OPTIONS.proxyModel,
  out: SCAN_OPTIONS.out,
  detectors: SCAN_OPTIONS.detectors,
  failOn: SCAN_OPTIONS.failOn,
  concurrency: { ...SCAN_OPTIONS.concurrency, help: 'parallel detector work' },
  seed: SCAN_OPTIONS.seed,
  set: SCAN_OPTIONS.set,
  quiet: { ...SCAN_OPTIONS.quiet, help: 'no progress on stderr' },
  json: SCAN_OPTIONS.json,
  sarif: { ...SCAN_OPTIONS.sarif, help: 'also write the findings as SARIF 2.1.0' },
  config: { ...SCAN_OPTIONS.config, help: 'project suppressions and detector parameters' },
} as const satisfies Partial<Record<ScanOptionName, OptionSpec>>;

export function detectCommand(): Command {
  const cmd = new Command('detect')
    .description('merge the fingerprint shards of `scan --stage fingerprint --shard I/N` and run the detectors and reports')
    .argument('<fingerprints...>', 'fingerprint folders, one per shard (any order)');
  addDeclared(cmd, DETECT_OPTIONS).addHelpText('after', parametersHelp());
  return runs(cmd, async (dirs: string[], o: OptionValues<typeof DETECT_OPTIONS>) => {
    const cfg = await loadConfig(o.config);
    const result = await detect({ ...scanSettingsOf(o), set: givenParameters(cfg, o.set), shards: dirs, suppressions: cfg.suppressions });
    if (o.json) process.stdout.write(await readFile(join(result.outDir, 'report.json'), 'utf8'));
    else if (!o.quiet) process.stderr.write(consoleSummary(result.report, result.outDir) + '\n');
    return result.exitCode;
  });
}
