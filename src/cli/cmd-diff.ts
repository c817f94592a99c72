// poisonscan diff: findings that appeared or went away between two report folders.
import { Command } from 'commander';
import { loadConfig, applySuppressions } from '../config/config.js';
import { diffExitCode, diffReportDirs, formatDiff, formatUnreviewed, legacyAliases, unreviewedFindings } from '../provenance/diff.js';
import { CONFIG_FILE, SCAN_OPTIONS, type OptionSpec, type OptionValues } from '../config/options.js';
import { addDeclared } from './options.js';
import { runs } from './run.js';

/** diff's options, in the order --help lists them. */
export const DIFF_OPTIONS = {
  failOn: { ...SCAN_OPTIONS.failOn, help: 'exit 1 when a new finding at or above this severity appeared' },
  config: { ...SCAN_OPTIONS.config, help: `suppressions of reviewed findings (default ./${CONFIG_FILE} when present)` },
  json: { ...SCAN_OPTIONS.json, help: 'print the diff as JSON' },
  sinceReviewed: { group: 'detect', flags: '--since-reviewed', help: 'fail on every finding of <new> at or above --fail-on that no suppression (with a reason) covers, whether or not <old> had it: unreviewed findings never become the baseline', kind: 'flag' },
} as const satisfies Record<string, OptionSpec>;

export function diffCommand(): Command {
  return runs(addDeclared(new Command('diff')
    .description('print findings that appeared and went away between two reports; exit 1 when a new one is at or above --fail-on')
    .argument('<old>', 'earlier report folder')
    .argument('<new>', 'later report folder'), DIFF_OPTIONS),
    async (oldDir: string, newDir: string, o: OptionValues<typeof DIFF_OPTIONS>) => {
      const cfg = await loadConfig(o.config);
      const { now, diff } = await diffReportDirs(oldDir, newDir);
      const failOn = o.failOn;
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
