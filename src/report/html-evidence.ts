// Evidence in words for report.html: the numbers that decided a finding's severity, with the lines they were
// compared with; the other evidence as a short table; the raw JSON folded and capped.
import type { Finding, Json } from '../types.js';
import { HIGH_LINE as BLEND_HIGH } from '../detect/blend.js';
import { DEFAULT_PARAMS as TRIGGER_CLUSTER, MIN_GROUP_IMAGES } from '../detect/trigger-cluster.js';
import { escapeHtml } from './html-text.js';

type Ev = { [k: string]: Json };
/** A number as read: whole numbers as they are, others to 3 significant digits. */
const num = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? (Number.isInteger(v) ? v : Number(v.toPrecision(3))) : null);

/**
 * The lines the detectors draw: significance is log10 of one over the chance of the pattern among independent
 * samples (medium from 2, high from 4); a trigger group's images and its high isolation, and a blend's members and
 * excess for high, are read from the detectors themselves.
 */
const SIGNIFICANCE = { medium: 2, high: 4 };
const TRIGGER_GROUP = { minImages: MIN_GROUP_IMAGES, highIsolation: TRIGGER_CLUSTER.highScore };

/** Sentences that say why the finding has its severity. */
export function severityReasons(f: Finding): string[] {
  const ev = f.evidence;
  const out: string[] = [];
  const sig = num(ev.significance);
  if (sig !== null) {
    out.push(`Significance ${sig}: a pattern this strong among independent samples has a chance of about 1 in 10^${sig} ` +
      `(medium from ${SIGNIFICANCE.medium}, high from ${SIGNIFICANCE.high}).`);
  }
  const groups = num(ev.independentGroups), conflicting = num(ev.conflictingGroups);
  if (groups !== null) out.push(`${groups} independent groups of samples carry it${conflicting !== null ? `; in ${conflicting} the rest of the text points to another label` : ''} (at least 3 are needed).`);
  if (ev.fitsItsSentences === true || ev.natural === true) out.push('It reads as a natural part of its sentences, so it stays low.');
  if (f.detector === 'trigger-cluster') {
    const within = num(ev.withinDistance), next = num(ev.nextDistance);
    out.push(`${f.samples.length} images share the pattern (a group needs ${TRIGGER_GROUP.minImages}; high when the copies are isolated by a gap score of ${TRIGGER_GROUP.highIsolation} or more).`);
    if (within !== null && next !== null) out.push(`The copies lie within ${within} of each other; the nearest other pattern is ${next} away${within > 0 ? ` (${(next / within).toFixed(1)} times further)` : ''}.`);
    if (ev.samePlace === true) out.push('Every copy sits at the same place in its image.');
    const outside = num(ev.outsideDifference);
    if (outside !== null) out.push(`Outside the pattern the images differ by ${outside} on average (alike images would be near-duplicates, not a pasted pattern).`);
  }
  if (f.detector === 'blend') {
    const excess = num(ev.tailExcess);
    out.push(`${f.samples.length} images carry the faint pattern${excess !== null ? `, ${excess} more than chance would put in the tail` : ''} (high from ${BLEND_HIGH.members} images and ${BLEND_HIGH.excess} in excess).`);
  }
  const z = num(ev.z), zCut = num(ev.zCut), expected = num(ev.expected), conflicts = num(ev.conflicts);
  if (z !== null) out.push(`${conflicts ?? f.samples.length} samples look like another class where ${expected ?? '?'} were expected from the other classes: z = ${z}${zCut !== null ? ` (reported from ${zCut})` : ''}.`);
  const log10p = num(ev.log10p);
  if (log10p !== null) out.push(`The chance of the shared word at its rate elsewhere is 10^${log10p}.`);
  if (f.kind === 'label-conflict' && f.detector !== 'label-conflict' && isRecord(ev.labels)) out.push(`Near-identical samples carry ${Object.keys(ev.labels).length} different labels.`);
  if (typeof ev.note === 'string') out.push(ev.note.endsWith('.') ? ev.note : ev.note + '.');
  if (!out.length) out.push(`${cap(f.severity)} by the ${f.detector} detector (score ${f.score}).`);
  return out;
}

/** The label the finding's samples point to: the stated target, else the one label all or most of them carry. */
export function findingLabel(f: Finding): string {
  const ev = f.evidence;
  for (const k of ['targetLabel', 'label', 'class', 'concept']) if (typeof ev[k] === 'string') return ev[k] as string;
  if (isRecord(ev.labels)) {
    const entries = Object.entries(ev.labels).filter((e): e is [string, number] => typeof e[1] === 'number').sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((s, e) => s + e[1], 0);
    if (entries.length === 1) return entries[0]![0];
    if (entries.length && entries[0]![1] >= 0.8 * total) return `${entries[0]![0]} (${entries[0]![1]}/${total})`;
    if (entries.length) return 'mixed';
  }
  return '';
}

/** One line for the summary table: the detector's own note when short, else the title. */
export function oneLineReason(f: Finding, max = 160): string {
  const s = f.title;
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Evidence fields worth reading as a table: numbers, short strings, booleans, small label counts. */
export function evidenceTable(ev: Ev): string {
  const rows: string[] = [];
  for (const [k, v] of Object.entries(ev)) {
    if (k === 'note' || k === 'boxes' || k === 'box' && typeof v === 'object') continue;
    let shown: string | null = null;
    if (typeof v === 'number') shown = String(num(v) ?? v);
    else if (typeof v === 'boolean') shown = v ? 'yes' : 'no';
    else if (typeof v === 'string') shown = v.length > 200 ? v.slice(0, 199) + '…' : v;
    else if (isRecord(v) && Object.values(v).every((x) => typeof x === 'number' || typeof x === 'string')) {
      const entries = Object.entries(v);
      shown = entries.slice(0, 12).map(([a, b]) => `${a}: ${b}`).join(', ') + (entries.length > 12 ? `, … (${entries.length - 12} more)` : '');
    } else if (Array.isArray(v) && v.length <= 12 && v.every((x) => typeof x !== 'object' || x === null)) shown = v.join(', ');
    if (shown === null) continue;
    rows.push(`<tr><th>${escapeHtml(words(k))}</th><td>${escapeHtml(shown)}</td></tr>`);
  }
  return rows.length ? `<table class="ev">${rows.join('')}</table>` : '';
}

/** The raw evidence as JSON, folded, cut at `max` characters (pixel arrays can be long). */
export function rawEvidence(ev: Ev, max = 8000): string {
  let s = JSON.stringify(ev, null, 1);
  const cut = s.length > max;
  if (cut) s = s.slice(0, max);
  return `<details class="raw"><summary>raw evidence (JSON${cut ? `, first ${max} characters; all in report.json` : ''})</summary><pre>${escapeHtml(s)}</pre></details>`;
}

/** camelCase key as words: "independentGroups" -> "independent groups". */
export function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function isRecord(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
