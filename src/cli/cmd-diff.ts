// poisonscan diff: findings that appeared or went away between two report folders.
import { Command, Option } from 'commander';
import { loadConfig, applySuppressions } from '../config/config.js';
import { diffExitCode, diffReportDirs, formatDiff } from '../provenance/diff.js';
import type { FailOn } from '../types.js';

export function diffCommand(): Command {
  return new Command('diff')
    .description('print findings that appeared and went away between two reports; exit 1 when a new one is at or above --fail-on')
    .argument('<old>', 'earlier report folder')
    .argument('<new>', 'later report folder')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a new finding at or above this severity appeared').choices(['high', 'medium', 'low', 'never']).default('high'))
    .option('--config <file>', 'suppressions of reviewed findings (default ./poisonscan.config.json when present)')
    .option('--json', 'print the diff as JSON')
    .action(async (oldDir: string, newDir: string, o: Record<string, unknown>) => {
      const cfg = await loadConfig(o.config as string | undefined);
      const { diff } = await diffReportDirs(oldDir, newDir);
      applySuppressions(diff.appeared, cfg.suppressions);
      if (o.json) {
        process.stdout.write(JSON.stringify({ appeared: diff.appeared, gone: diff.gone, unchanged: diff.kept.map((k) => k.now.fingerprint) }, null, 2) + '\n');
      } else process.stdout.write(formatDiff(diff) + '\n');
      process.exitCode = diffExitCode(diff, o.failOn as FailOn);
    });
}
