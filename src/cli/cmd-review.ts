// poisonscan review: mark a finding as reviewed (a suppression with reason, reviewer and time in poisonscan.config.json).
import { Command } from 'commander';
import { userInfo } from 'node:os';
import { review } from '../clean/review.js';
import { CONFIG_FILE } from '../config/config.js';
import type { OptionSpec, OptionValues } from '../config/options.js';
import { addDeclared } from './options.js';
import { runs } from './run.js';

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** review's options, in the order --help lists them. */
export const REVIEW_OPTIONS = {
  reason: { group: 'detect', flags: '--reason <text>', help: 'why the finding is harmless', kind: 'string', required: true },
  report: { group: 'read', flags: '--report <dir>', help: 'the report folder that names the finding', kind: 'string', default: './poisonscan-report' },
  by: { group: 'detect', flags: '--by <name>', help: 'who reviewed it (default: the OS user)', kind: 'string' },
  config: { group: 'output', flags: '--config <file>', help: `the config file to write (default ./${CONFIG_FILE})`, kind: 'string' },
} as const satisfies Record<string, OptionSpec>;

export function reviewCommand(): Command {
  return runs(addDeclared(new Command('review')
    .description(`record a finding as reviewed and harmless: its fingerprint, the reason, who and when go into ${CONFIG_FILE}, and later scans no longer fail on it`)
    .argument('<finding>', 'a finding id of the report (F3) or a finding fingerprint (16 hex digits)'), REVIEW_OPTIONS),
    async (finding: string, o: OptionValues<typeof REVIEW_OPTIONS>) => {
      const r = await review({ finding, reason: o.reason, report: o.report, config: o.config, by: o.by ?? osUser() });
      const what = r.finding ? `${r.finding.id} (${r.finding.title})` : r.suppression.fingerprint;
      process.stderr.write(`review: ${r.replaced ? 'updated' : 'recorded'} ${what} as reviewed in ${r.configPath}: fingerprint ${r.suppression.fingerprint}, by ${r.suppression.reviewed}\n`);
      return 0;
    });
}
