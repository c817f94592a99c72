// The sentences report.html writes about why a finding has its severity, and how it shows a figure and a group's
// label. Read from typed evidence (page-words.ts) or from report.json's evidence (html-evidence.ts): one wording.
// The lines quoted are those the finding was graded by (finding-lines.ts).
import type { Json } from '../types.js';
import type { FindingLines, SignificanceLines } from './finding-lines.js';

/** A number as read: whole numbers as they are, others to 3 significant digits; null when not a finite number. */
export const num = (v: Json | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? (Number.isInteger(v) ? v : Number(v.toPrecision(3))) : null);

/** Significance is log10 of one over the chance of the pattern among independent samples; `lines` its detector's (none: not quoted). */
export const significanceLine = (sig: number, lines: SignificanceLines | null): string =>
  `Significance ${sig}: a pattern this strong among independent samples has a chance of about 1 in 10^${sig}` +
  (lines ? ` (medium from ${num(lines.medium)}, high from ${num(lines.high)}).` : '.');

export const groupsLine = (groups: number, conflicting: number | null): string =>
  `${groups} independent groups of samples carry it${conflicting !== null ? `; in ${conflicting} the rest of the text points to another label` : ''} (at least 3 are needed).`;

export const NATURAL_LINE = 'It reads as a natural part of its sentences, so it stays low.';

/**
 * A group of images sharing a local pattern: its size, how isolated the copies are, where they sit, how unlike the
 * images are (its isolation lines differ by pass and may be set: they are not quoted).
 */
export function patternLines(images: number, within: number | null, next: number | null, samePlace: boolean, outside: number | null, lines: FindingLines): string[] {
  const out = [`${images} images share the pattern (a group needs ${lines.groupImages}; high when the copies are isolated from every other pattern by a wide gap: the lines are trigger-cluster's parameters in \`scan --help\`).`];
  if (within !== null && next !== null) out.push(`The copies lie within ${within} of each other; the nearest other pattern is ${next} away${within > 0 ? ` (${(next / within).toFixed(1)} times further)` : ''}.`);
  if (samePlace) out.push('Every copy sits at the same place in its image.');
  if (outside !== null) out.push(`Outside the pattern the images differ by ${outside} on average (alike images would be near-duplicates, not a pasted pattern).`);
  return out;
}

export const faintLine = (images: number, excess: number | null, lines: FindingLines): string =>
  `${images} images carry the faint pattern${excess !== null ? `, ${excess} more than chance would put in the tail` : ''} (high from ${lines.faintHigh.members} images and ${lines.faintHigh.excess} in excess).`;

export const conflictLine = (conflicts: number, expected: number | null, z: number, zCut: number | null): string =>
  `${conflicts} samples look like another class where ${expected ?? '?'} were expected from the other classes: z = ${z}${zCut !== null ? ` (reported from ${zCut})` : ''}.`;

export const log10pLine = (log10p: number): string => `The chance of the shared word at its rate elsewhere is 10^${log10p}.`;

export const copiesLine = (labels: number): string => `Near-identical samples carry ${labels} different labels.`;

export const noteLine = (note: string): string => (note.endsWith('.') ? note : note + '.');

/** The label a group's label counts point to: the only one, the one of 80% or more (with its count), else "mixed". */
export function labelOfCounts(labels: { [k: string]: Json }): string {
  const entries = Object.entries(labels).filter((e): e is [string, number] => typeof e[1] === 'number').sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, e) => s + e[1], 0);
  if (entries.length === 1) return entries[0]![0];
  if (entries.length && entries[0]![1] >= 0.8 * total) return `${entries[0]![0]} (${entries[0]![1]}/${total})`;
  if (entries.length) return 'mixed';
  return '';
}
