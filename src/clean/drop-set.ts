// Which samples `clean` drops, read from a finished report: the members of findings at the chosen severity, each
// with the findings that put it there.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, type Finding, type Report } from '../types.js';

/** flagged: what scores.csv flags (members of medium and high findings); medium: an alias of flagged, by severity; high: high findings only. */
export type DropRule = 'flagged' | 'medium' | 'high';
export const DROP_RULES: DropRule[] = ['flagged', 'medium', 'high'];

export interface Dropped {
  id: string;
  findings: Finding[];
}

export async function readReport(dir: string): Promise<Report> {
  const file = join(dir, 'report.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message.split('\n')[0]} (--report names a poisonscan report folder)`);
  }
  const r = JSON.parse(text) as Report;
  if (r.schema !== 'poisonscan/report@1' || !Array.isArray(r.findings)) throw new UsageError(`${file} is not a poisonscan report (schema poisonscan/report@1)`);
  return r;
}

/** The samples to drop, in the order the findings list them; suppressed (reviewed) findings count unless keepSuppressed. */
export function dropSet(report: Report, rule: DropRule, keepSuppressed: boolean): Map<string, Dropped> {
  const out = new Map<string, Dropped>();
  for (const f of report.findings) {
    // An unreadable finding lists samples the scan could not read (error ids, not rows): they are not its to drop.
    if (f.kind === 'unreadable') continue;
    if (f.severity === 'low' || (rule === 'high' && f.severity !== 'high')) continue;
    if (f.suppressed && keepSuppressed) continue;
    for (const id of f.samples) {
      const d = out.get(id);
      if (d) d.findings.push(f);
      else out.set(id, { id, findings: [f] });
    }
  }
  return out;
}
