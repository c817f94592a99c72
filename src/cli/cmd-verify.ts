// poisonscan verify: every sample against a manifest of content hashes.
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { runVerify } from '../provenance/run-verify.js';
import { FORMATS } from '../ingest/detect-format.js';
import { optionOf } from './options.js';
import type { DatasetFormat, FailOn } from '../types.js';
import { runs } from './run.js';

export function verifyCommand(): Command {
  return runs(new Command('verify')
    .description('check every sample against a manifest of content hashes: changed, re-encoded, missing and unexpected samples')
    .argument('<dataset>', 'image dataset folder')
    .requiredOption('--manifest <file>', 'JSONL/CSV/TSV/JSON with an id column and sha256 or md5 (poisonscan --write-manifest, img2dataset, LAION, DataComp)')
    .option('--out <dir>', 'where the outputs go', './poisonscan-verify')
    .addOption(new Option('--format <format>', 'force the dataset format').choices(FORMATS))
    .option('--id-column <c>', 'manifest id column (default: id, key, path, file, filename, url)')
    .option('--hash-column <c>', 'manifest hash column (default: sha256, md5, hash)')
    .addOption(optionOf('failOn'))
    .addOption(optionOf('concurrency', 'parallel decode work'))
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0')
    .option('--config <file>', 'suppressions of reviewed findings (default ./poisonscan.config.json when present)')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print report.json to stdout'),
    async (dataset: string, o: Record<string, unknown>) => {
      const cfg = await loadConfig(o.config as string | undefined);
      const r = await runVerify({
        dataset, manifest: o.manifest as string, out: o.out as string, format: o.format as DatasetFormat | undefined,
        idColumn: o.idColumn as string | undefined, hashColumn: o.hashColumn as string | undefined, failOn: o.failOn as FailOn,
        concurrency: o.concurrency as number, quiet: Boolean(o.quiet) || Boolean(o.json), sarif: o.sarif as string | undefined,
        suppressions: cfg.suppressions,
      });
      if (o.json) process.stdout.write(await readFile(join(r.outDir, 'report.json'), 'utf8'));
      else if (!o.quiet) {
        const c = r.result;
        process.stderr.write(
          `poisonscan verify: ${r.report.dataset.samples} samples against ${c.unchanged.length + c.reencoded.length + c.changed.length + c.localEdits.length + c.missing.length + c.unreadable.length} manifest entries\n` +
          `  unchanged ${c.unchanged.length}, content changed ${c.changed.length}, re-encoded ${c.reencoded.length}, missing ${c.missing.length}, unexpected ${c.unexpected.length}, unreadable ${c.unreadable.length}, locally edited ${c.localEdits.length}\n` +
          `report: ${r.outDir}/report.html\n`,
        );
      }
      return r.exitCode;
    });
}
