// poisonscan clean: a copy of the dataset without the samples a report flags, plus dropped.csv.
import { Command, Option } from 'commander';
import { clean } from '../clean/clean.js';
import { DROP_RULES, type DropRule } from '../clean/drop-set.js';
import { createProgress } from '../util/progress.js';
import { runs } from './run.js';

export function cleanCommand(): Command {
  return runs(new Command('clean')
    .description('write a copy of the dataset without the samples a scan flagged (image folder, JSONL, JSON, CSV, TSV, WebDataset, Parquet, Arrow and Hugging Face folders), plus dropped.csv; the input is never modified')
    .argument('<dataset>', 'the dataset that was scanned')
    .requiredOption('--report <dir>', 'the report folder of its scan')
    .requiredOption('-o, --out <dir>', 'a new folder for the cleaned copy and dropped.csv')
    .addOption(new Option('--drop <which>', 'flagged: what scores.csv flags (medium and high findings); medium: an alias of flagged; high: high findings only').choices(DROP_RULES).default('flagged'))
    .option('--link', 'image folders: hard-link the kept files instead of copying them (fast, no space; editing the copy in place then edits the input)')
    .option('--keep-suppressed', 'keep the samples of findings suppressed as reviewed in poisonscan.config.json')
    .option('-q, --quiet', 'print nothing'),
    async (dataset: string, o: Record<string, unknown>) => {
      const r = await clean({
        dataset, report: o.report as string, out: o.out as string, drop: o.drop as DropRule, keepSuppressed: Boolean(o.keepSuppressed), link: Boolean(o.link),
        progress: createProgress({ quiet: Boolean(o.quiet) }),
      });
      if (!o.quiet) process.stderr.write(`clean: kept ${r.kept} samples, dropped ${r.dropped}; wrote ${r.path} and ${r.droppedList}\n`);
      for (const f of r.notCopied ?? []) process.stderr.write(`clean: left out ${f}: the scan could not read it\n`);
      return 0;
    });
}
