// poisonscan diff: findings that appeared or went away between two report folders.
import { Command } from 'commander';
import { loadConfig, applySuppressions } from '../config/config.js';
import { diffExitCode, diffReportDirs, formatDiff, formatUnreviewed, legacyAliases, unreviewedFindings } from '../provenance/diff.js';
import type { FailOn } from '../types.js';
import { optionOf } from './options.js';
import { runs } from './run.js';

export function diffCommand(): Command {
  return runs(new Command('diff')
    .description('print findings that appeared and went away between two reports; exit 1 when a new one is at or above --fail-on')
    .argument('<old>', 'earlier report folder')
    .argument('<new>', 'later report folder')
    .addOption(optionOf('failOn', 'exit 1 when a new finding at or above this severity appeared'))
    .option('--config <file>', 'suppressions of reviewed findings (default ./poisonscan.config.json when present)')
    .option('--json', 'print the diff as JSON')
    .option('--since-reviewed', 'fail on every finding of <new> at or above --fail-on that no suppression (with a reason) covers, whether or not <old> had it: unreviewed findings never become the baseline'),
    async (oldDir: string, newDir: string, o: Record<string, unknown>) => {
      const cfg = await loadConfig(o.config as string | undefined);
      const { now, diff } = await diffReportDirs(oldDir, newDir);
      const failOn = o.failOn as FailOn;
      applySuppressions(now.findings, cfg.suppressions, legacyAliases(now.findings));
      const unreviewed = o.sinceReviewed ? unreviewedFindings(now.findings, failOn) : [];
      if (o.json) {
        process.stdout.write(JSON.stringify({
          appeared: diff.appeared, gone: diff.gone, unchanged: diff.kept.map((k) => k.now.fingerprint),
          ...(o.sinceReviewed ? { unreviewed } : {}),
        }, null, 2) + '\n');
      } else {
        process.stdout.write(formatDiff(diff) + '\n');
        if (o.sinceReviewed) process.stdout.write(formatUnreviewed(unreviewed, failOn) + '\n');
      }
      return o.sinceReviewed ? (unreviewed.length ? 1 : 0) : diffExitCode(diff, failOn);
    });
}
