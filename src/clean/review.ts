// `poisonscan review`: records a reviewed finding as a suppression in poisonscan.config.json (its fingerprint,
// the reason, who and when), so later scans no longer fail on it. Other content of the file is kept.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { CONFIG_FILE, parseConfig, type Suppression } from '../config/config.js';
import { UsageError, type Finding } from '../types.js';
import { readReport } from './drop-set.js';

export interface ReviewOptions {
  /** A finding id of the report (F3) or a finding fingerprint (16 hex digits). */
  finding: string;
  reason: string;
  /** The report folder that names the finding id. */
  report: string;
  config?: string;
  by: string;
  now?: Date;
}

export interface ReviewResult {
  configPath: string;
  suppression: Suppression;
  finding?: Finding;
  replaced: boolean;
}

const FINGERPRINT = /^[0-9a-f]{16}$/;

export async function review(o: ReviewOptions): Promise<ReviewResult> {
  if (!o.reason.trim()) throw new UsageError('--reason must say why the finding is harmless');
  let finding: Finding | undefined;
  let fingerprint: string;
  if (FINGERPRINT.test(o.finding)) {
    fingerprint = o.finding;
    finding = await readReport(o.report).then((r) => r.findings.find((f) => f.fingerprint === fingerprint), () => undefined);
  } else {
    const report = await readReport(o.report);
    finding = report.findings.find((f) => f.id.toLowerCase() === o.finding.toLowerCase());
    if (!finding) throw new UsageError(`no finding ${o.finding} in ${o.report}/report.json (ids F1..F${report.findings.length})`);
    if (!finding.fingerprint) throw new UsageError(`finding ${o.finding} has no fingerprint (a report from an older poisonscan: scan again)`);
    fingerprint = finding.fingerprint;
  }
  const configPath = resolve(o.config ?? CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  const text = await readFile(configPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new UsageError(`cannot read ${configPath}: ${e.message}`);
  });
  if (text !== null) {
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`${configPath} is not valid JSON: ${(e as Error).message}`);
    }
    parseConfig(raw, configPath); // refuse to rewrite a file that is already invalid
  }
  const suppression: Suppression = { fingerprint, reason: o.reason.trim(), reviewed: `${o.by} ${(o.now ?? new Date()).toISOString()}` };
  const list = Array.isArray(raw.suppressions) ? (raw.suppressions as Suppression[]) : [];
  const at = list.findIndex((s) => s.fingerprint === fingerprint);
  if (at >= 0) list[at] = suppression;
  else list.push(suppression);
  raw.suppressions = list;
  await writeFileAtomic(configPath, JSON.stringify(raw, null, 2) + '\n');
  return { configPath, suppression, finding, replaced: at >= 0 };
}
