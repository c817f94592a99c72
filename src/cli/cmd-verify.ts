// poisonscan verify: every sample against a manifest of content hashes.
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { runVerify } from '../provenance/run-verify.js';
import { FORMATS } from '../ingest/detect-format.js';
import { CONFIG_FILE, SCAN_OPTIONS, type OptionSpec, type OptionValues } from '../config/options.js';
import { addDeclared } from './options.js';
import { runs } from './run.js';

/** verify's options, in the order --help lists them. */
export const VERIFY_OPTIONS = {
  manifest: { group: 'read', flags: '--manifest <file>', help: 'JSONL/CSV/TSV/JSON with an id column and sha256 or md5 (poisonscan --write-manifest, img2dataset, LAION, DataComp)', kind: 'string', required: true },
  out: { group: 'output', flags: '--out <dir>', help: SCAN_OPTIONS.out.help, kind: 'string', default: './poisonscan-verify' },
  format: { group: 'read', flags: '--format <format>', help: 'force the dataset format', kind: 'choice', choices: FORMATS },
  idColumn: { group: 'read', flags: '--id-column <c>', help: 'manifest id column (default: id, key, path, file, filename, url)', kind: 'string' },
  hashColumn: { group: 'read', flags: '--hash-column <c>', help: 'manifest hash column (default: sha256, md5, hash)', kind: 'string' },
  failOn: SCAN_OPTIONS.failOn,
  concurrency: { ...SCAN_OPTIONS.concurrency, help: 'parallel decode work' },
  sarif: { ...SCAN_OPTIONS.sarif, help: 'also write the findings as SARIF 2.1.0' },
  config: { ...SCAN_OPTIONS.config, help: `suppressions of reviewed findings (default ./${CONFIG_FILE} when present)` },
  quiet: { ...SCAN_OPTIONS.quiet, help: 'no progress on stderr' },
  json: SCAN_OPTIONS.json,
} as const satisfies Record<string, OptionSpec>;

export function verifyCommand(): Command {
  return runs(addDeclared(new Command('verify')
    .description('check every sample against a manifest of content hashes: changed, re-encoded, missing and unexpected samples')
    .argument('<dataset>', 'image dataset folder'), VERIFY_OPTIONS),
    async (dataset: string, o: OptionValues<typeof VERIFY_OPTIONS>) => {
      const cfg = await loadConfig(o.config);
      const r = await runVerify({
        dataset, manifest: o.manifest, out: o.out, format: o.format, idColumn: o.idColumn, hashColumn: o.hashColumn, failOn: o.failOn,
        concurrency: o.concurrency, quiet: Boolean(o.quiet) || Boolean(o.json), sarif: o.sarif, suppressions: cfg.suppressions,
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
