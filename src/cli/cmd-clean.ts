// poisonscan clean: a copy of the dataset without the samples a report flags, plus dropped.csv.
import { Command } from 'commander';
import { clean } from '../clean/clean.js';
import { DROP_RULES } from '../clean/drop-set.js';
import { createProgress } from '../util/progress.js';
import type { OptionSpec, OptionValues } from '../config/options.js';
import { addDeclared } from './options.js';
import { runs } from './run.js';

/** clean's options, in the order --help lists them. */
export const CLEAN_OPTIONS = {
  report: { group: 'read', flags: '--report <dir>', help: 'the report folder of its scan', kind: 'string', required: true },
  out: { group: 'output', flags: '-o, --out <dir>', help: 'a new folder for the cleaned copy and dropped.csv', kind: 'string', required: true },
  drop: { group: 'detect', flags: '--drop <which>', help: 'flagged: what scores.csv flags (medium and high findings); medium: an alias of flagged; high: high findings only', kind: 'choice', choices: DROP_RULES, default: 'flagged' },
  link: { group: 'output', flags: '--link', help: 'image folders: hard-link the kept files instead of copying them (fast, no space; editing the copy in place then edits the input)', kind: 'flag' },
  keepSuppressed: { group: 'detect', flags: '--keep-suppressed', help: 'keep the samples of findings suppressed as reviewed in poisonscan.config.json', kind: 'flag' },
  quiet: { group: 'output', flags: '-q, --quiet', help: 'print nothing', kind: 'flag' },
} as const satisfies Record<string, OptionSpec>;

export function cleanCommand(): Command {
  return runs(addDeclared(new Command('clean')
    .description('write a copy of the dataset without the samples a scan flagged (image folder, JSONL, JSON, CSV, TSV, WebDataset, Parquet, Arrow and Hugging Face folders), plus dropped.csv; the input is never modified')
    .argument('<dataset>', 'the dataset that was scanned'), CLEAN_OPTIONS),
    async (dataset: string, o: OptionValues<typeof CLEAN_OPTIONS>) => {
      const r = await clean({
        dataset, report: o.report, out: o.out, drop: o.drop, keepSuppressed: Boolean(o.keepSuppressed), link: Boolean(o.link),
        progress: createProgress({ quiet: Boolean(o.quiet) }),
      });
      if (!o.quiet) process.stderr.write(`clean: kept ${r.kept} samples, dropped ${r.dropped}; wrote ${r.path} and ${r.droppedList}\n`);
      for (const f of r.notCopied ?? []) process.stderr.write(`clean: left out ${f}: the scan could not read it\n`);
      return 0;
    });
}
