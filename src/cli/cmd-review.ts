// poisonscan review: mark a finding as reviewed (a suppression with reason, reviewer and time in poisonscan.config.json).
import { Command } from 'commander';
import { userInfo } from 'node:os';
import { review } from '../clean/review.js';
import { CONFIG_FILE } from '../config/config.js';
import { runs } from './run.js';

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export function reviewCommand(): Command {
  return runs(new Command('review')
    .description(`record a finding as reviewed and harmless: its fingerprint, the reason, who and when go into ${CONFIG_FILE}, and later scans no longer fail on it`)
    .argument('<finding>', 'a finding id of the report (F3) or a finding fingerprint (16 hex digits)')
    .requiredOption('--reason <text>', 'why the finding is harmless')
    .option('--report <dir>', 'the report folder that names the finding', './poisonscan-report')
    .option('--by <name>', 'who reviewed it (default: the OS user)')
    .option('--config <file>', `the config file to write (default ./${CONFIG_FILE})`),
    async (finding: string, o: Record<string, unknown>) => {
      const r = await review({ finding, reason: o.reason as string, report: o.report as string, config: o.config as string | undefined, by: (o.by as string | undefined) ?? osUser() });
      const what = r.finding ? `${r.finding.id} (${r.finding.title})` : r.suppression.fingerprint;
      process.stderr.write(`review: ${r.replaced ? 'updated' : 'recorded'} ${what} as reviewed in ${r.configPath}: fingerprint ${r.suppression.fingerprint}, by ${r.suppression.reviewed}\n`);
      return 0;
    });
}
