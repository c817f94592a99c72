// Findings about the input itself rather than its content: too many samples could not be read (a poisoner can hide
// samples from the scan by making them unreadable to it while a training loader still reads them), and text rows
// that hold bytes which were not valid UTF-8 (read with U+FFFD and scanned: appending one must not hide a row) or
// control characters (C0/C1 codes other than tab and line breaks). Invisible format characters (zero-width, bidi) are
// text-anomaly's evidence. They come from the `input` step, after ingest.
import type { FindingDraft, SampleError } from '../types.js';
import type { TextColumns } from '../model/text-columns.js';

export const INPUT_STEP = 'input';
/** The kinds of finding the input step emits. */
export const INPUT_KINDS = ['unreadable', 'text-encoding'] as const;
/** Share of unreadable samples above which the scan reports a medium finding (--max-unreadable). */
export const DEFAULT_MAX_UNREADABLE = 0.001;

export interface InputFindings {
  findings: FindingDraft[];
  /** Sample ids of the unreadable finding (not rows of the scan: they were not read), when there is one. */
  unreadableIds: string[];
}

/** U+FFFD, the decoder's replacement for bytes that are not UTF-8. */
const UNDECODABLE = /\uFFFD/;
/** C0 and C1 control codes other than tab, line feed and carriage return. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Rows (sample indices) any of whose text fields matches `pattern`. */
export function rowsMatching(texts: TextColumns | undefined, pattern: RegExp): number[] {
  const cols = texts ? [texts.text, texts.prompt, texts.response].filter((c): c is (string | null)[] => Array.isArray(c)) : [];
  const n = cols[0]?.length ?? 0;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (cols.some((c) => { const t = c[i]; return t !== null && t !== undefined && pattern.test(t); })) rows.push(i);
  return rows;
}

export function inputFindings(samples: number, errors: SampleError[], texts: TextColumns | undefined, maxUnreadable: number): InputFindings {
  const findings: FindingDraft[] = [];
  const listed = samples + errors.length;
  const share = listed ? errors.length / listed : 0;
  let unreadableIds: string[] = [];
  if (errors.length > 0 && share > maxUnreadable) {
    unreadableIds = [...new Set(errors.map((e) => e.id))];
    findings.push({
      kind: 'unreadable',
      severity: 'medium',
      score: 0.5,
      title: `${errors.length} of ${listed} samples could not be read (${pct(share)}, above the ${pct(maxUnreadable)} allowed): a training loader may read what the scan did not`,
      samples: [],
      evidence: { unreadable: errors.length, listed, share: Math.round(share * 1e6) / 1e6, maxUnreadable, reasons: topReasons(errors) },
    });
  }
  const marks = [
    { check: 'undecodable-bytes', rows: rowsMatching(texts, UNDECODABLE), what: 'bytes that are not valid UTF-8 (read with replacement characters and scanned)' },
    { check: 'control-characters', rows: rowsMatching(texts, CONTROL), what: 'control characters (scanned)' },
  ];
  for (const m of marks) {
    if (!m.rows.length) continue;
    findings.push({
      kind: 'text-encoding',
      severity: 'low',
      score: 0.2,
      title: `${m.rows.length} row${m.rows.length === 1 ? ' holds' : 's hold'} ${m.what}`,
      samples: m.rows,
      evidence: { check: m.check, rows: m.rows.length },
    });
  }
  return { findings, unreadableIds };
}

function pct(x: number): string {
  return `${Math.round(x * 1e5) / 1e3}%`;
}

/** The commonest error messages with their counts (messages differ by file name: the text after the first colon). */
function topReasons(errors: SampleError[]): { [reason: string]: number } {
  const m = new Map<string, number>();
  for (const e of errors) {
    const r = e.error.length > 120 ? e.error.slice(0, 120) + '…' : e.error;
    m.set(r, (m.get(r) ?? 0) + 1);
  }
  return Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5));
}
