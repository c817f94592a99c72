// diff: what appeared and what went away between two reports of the same dataset.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError, SEVERITY_RANK, type FailOn, type Finding, type Report } from '../types.js';
import { readReport } from './baseline.js';
import { findingFingerprint, sampleOverlap } from '../model/finding-fingerprint.js';

export interface ReportDiff {
  appeared: Finding[];
  gone: Finding[];
  /** Pairs of old and new findings judged the same. */
  kept: { old: Finding; now: Finding }[];
}

export async function diffReportDirs(oldDir: string, newDir: string): Promise<{ old: Report; now: Report; diff: ReportDiff }> {
  const [old, now] = [await readReport(resolve(oldDir), 'old report'), await readReport(resolve(newDir), 'new report')];
  if (old.dataset.format !== now.dataset.format || old.dataset.modality !== now.dataset.modality) {
    throw new UsageError(`the reports describe different datasets (${old.dataset.format}/${old.dataset.modality} vs ${now.dataset.format}/${now.dataset.modality})`);
  }
  const [a, b] = [await sampleIds(oldDir), await sampleIds(newDir)];
  if (a && b && a.size && b.size) {
    let shared = 0;
    for (const id of b) if (a.has(id)) shared++;
    if (shared < 0.1 * Math.min(a.size, b.size)) {
      throw new UsageError(`the reports share ${shared} sample ids: they describe different datasets (${old.dataset.path} vs ${now.dataset.path})`);
    }
  }
  return { old, now, diff: diffFindings(old.findings, now.findings) };
}

/** Same fingerprint, or same detector and kind with mostly the same samples (a group that grew or shrank). */
export function diffFindings(old: Finding[], now: Finding[]): ReportDiff {
  const used = new Set<Finding>();
  const kept: ReportDiff['kept'] = [];
  const appeared: Finding[] = [];
  for (const f of now) {
    let match = old.find((o) => !used.has(o) && o.fingerprint === f.fingerprint);
    if (!match) {
      let best = 0.5;
      for (const o of old) {
        if (used.has(o) || o.detector !== f.detector || o.kind !== f.kind) continue;
        const ov = sampleOverlap(o.samples, f.samples);
        if (ov >= best) {
          best = ov;
          match = o;
        }
      }
    }
    if (match) {
      used.add(match);
      kept.push({ old: match, now: f });
    } else appeared.push(f);
  }
  return { appeared, gone: old.filter((o) => !used.has(o)), kept };
}

export function diffExitCode(d: ReportDiff, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  return d.appeared.some((f) => !f.suppressed && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1 : 0;
}

/** Findings at or above failOn that no suppression covers: what `diff --since-reviewed` fails on. */
export function unreviewedFindings(findings: Finding[], failOn: FailOn): Finding[] {
  if (failOn === 'never') return [];
  return findings.filter((f) => !f.suppressed && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

export function formatUnreviewed(fs: Finding[], failOn: FailOn): string {
  if (fs.length === 0) return `unreviewed at or above ${failOn}: none`;
  const out = [`unreviewed at or above ${failOn}: ${fs.length} (review each, then suppress it with a reason in poisonscan.config.json)`];
  for (const f of fs) out.push(`! ${f.id} [${f.severity}] ${f.detector}: ${f.title} (fingerprint ${f.fingerprint})`);
  return out.join('\n');
}

/** Each finding's fingerprint by sample ids (what earlier versions wrote), for suppressions written then. */
export function legacyAliases(findings: Finding[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of findings) if (f.fingerprint) m.set(f.fingerprint, findingFingerprint(f.detector, f.kind, f.samples));
  return m;
}

export function formatDiff(d: ReportDiff): string {
  const line = (sign: string, f: Finding) => `${sign} ${f.id} [${f.severity}] ${f.detector}: ${f.title} (${f.samples.length} samples, fingerprint ${f.fingerprint})${f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : ''}`;
  const out = [`appeared: ${d.appeared.length}, went away: ${d.gone.length}, unchanged: ${d.kept.length}`];
  for (const f of d.appeared) out.push(line('+', f));
  for (const f of d.gone) out.push(line('-', f));
  const changed = d.kept.filter((k) => k.old.severity !== k.now.severity);
  for (const k of changed) out.push(`~ ${k.now.id} severity ${k.old.severity} -> ${k.now.severity}: ${k.now.title}`);
  return out.join('\n');
}

/** Ids from scores.csv (one row per sample read), or null when the folder has none. */
async function sampleIds(dir: string): Promise<Set<string> | null> {
  let text: string;
  try {
    text = await readFile(join(resolve(dir), 'scores.csv'), 'utf8');
  } catch {
    return null;
  }
  const ids = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    if (!line) continue;
    // The id is the first field, quoted when it holds a comma or a quote.
    if (line.startsWith('"')) {
      let i = 1, s = '';
      for (; i < line.length; i++) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') { s += '"'; i++; } else break;
        } else s += line[i];
      }
      ids.add(s);
    } else ids.add(line.slice(0, line.indexOf(',')));
  }
  return ids;
}
