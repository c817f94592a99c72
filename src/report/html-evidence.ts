// Evidence in words for report.html: the numbers that decided a finding's severity, with the lines they were
// compared with; the other evidence as a short table; the raw JSON folded and capped. A typed finding is read
// through its form (page-words.ts); one without a form (a baseline's re-used draft, verify's, the input's) through
// report.json's evidence keys, in the same sentences.
import type { ParameterValues } from '../config/parameters.js';
import type { Finding, Json } from '../types.js';
import { findingLines, type FindingLines } from './finding-lines.js';
import { boxOf } from './html-images.js';
import { pageWords, type PageWords } from './page-words.js';
import {
  conflictLine, copiesLine, faintLine, groupsLine, labelOfCounts, log10pLine, NATURAL_LINE, noteLine, num, patternLines, significanceLine,
} from './reason-lines.js';
import { escapeHtml } from './html-text.js';

type Ev = { [k: string]: Json };

/**
 * What the page says about a finding beside its title, with the detector named when nothing else says why; `set`
 * is the detector parameters its scan set (report.json's config.parameters), for the lines it quotes.
 */
export function findingPage(f: Finding, set: ParameterValues | undefined): PageWords {
  const lines = findingLines(f, set);
  const page = f.typed ? pageWords(f.typed, lines) : draftPage(f, lines);
  return page.why.length ? page : { ...page, why: [`${cap(f.severity)} by the ${f.detector} detector (score ${f.score}).`] };
}

/** A finding without a form, read from report.json's evidence keys. */
function draftPage(f: Finding, lines: FindingLines): PageWords {
  const ev = f.evidence;
  const out: string[] = [];
  const sig = num(ev.significance);
  if (sig !== null) out.push(significanceLine(sig, lines.significance));
  const groups = num(ev.independentGroups);
  if (groups !== null) out.push(groupsLine(groups, num(ev.conflictingGroups)));
  if (ev.fitsItsSentences === true || ev.natural === true) out.push(NATURAL_LINE);
  if (f.detector === 'trigger-cluster') out.push(...patternLines(f.samples.length, num(ev.withinDistance), num(ev.nextDistance), ev.samePlace === true, num(ev.outsideDifference), lines));
  if (f.detector === 'blend') out.push(faintLine(f.samples.length, num(ev.tailExcess), lines));
  const z = num(ev.z);
  if (z !== null) out.push(conflictLine(num(ev.conflicts) ?? f.samples.length, num(ev.expected), z, num(ev.zCut)));
  const log10p = num(ev.log10p);
  if (log10p !== null) out.push(log10pLine(log10p));
  if (f.kind === 'label-conflict' && f.detector !== 'label-conflict' && isRecord(ev.labels)) out.push(copiesLine(Object.keys(ev.labels).length));
  if (typeof ev.note === 'string') out.push(noteLine(ev.note));
  return { why: out, label: draftLabel(ev), trigger: typeof ev.trigger === 'string' ? ev.trigger : null, box: (id) => boxOf(ev, id) };
}

/** The label a draft's samples point to: the stated target, else the one label all or most of them carry. */
function draftLabel(ev: Ev): string {
  for (const k of ['targetLabel', 'label', 'class', 'concept']) if (typeof ev[k] === 'string') return ev[k] as string;
  return isRecord(ev.labels) ? labelOfCounts(ev.labels) : '';
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
