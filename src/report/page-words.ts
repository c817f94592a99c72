// What report.html says about a typed finding beside its title: why it has its severity (the figures that decided
// it, as report.json rounds them, with the lines they were compared with), the label its samples point to, the words
// to mark in its texts and the pattern's box in each image. One entry per form, next to WORDS (finding-words.ts).
import type { GridBox, FindingForm, TypedFinding } from '../model/evidence.js';
import type { FindingLines } from './finding-lines.js';
import { FAINT_PATTERN_NOTE, patternNote, round } from './finding-words.js';
import {
  conflictLine, copiesLine, faintLine, groupsLine, labelOfCounts, log10pLine, NATURAL_LINE, noteLine, num, patternLines, significanceLine,
} from './reason-lines.js';

export interface PageWords {
  /** Sentences on why the finding has its severity (none: the page says which detector made it). */
  why: string[];
  /** The label the samples point to, or ''. */
  label: string;
  /** The words to mark in the samples' texts. */
  trigger: string | null;
  /** The pattern's box in a sample's image (by id). */
  box: (id: string) => GridBox | null;
}

const NONE: PageWords = { why: [], label: '', trigger: null, box: () => null };

/** The significance line, at report.json's rounding, with the lines the finding was graded by. */
const significance = (x: number, lines: FindingLines): string[] => {
  const sig = num(round(x, 1));
  return sig === null ? [] : [significanceLine(sig, lines.significance)];
};

/** A trigger found with a significance, its independent groups (and those whose other words conflict). */
const triggerWords = (e: { trigger: string; significance: number; independentGroups?: number }, lines: FindingLines): PageWords => ({
  ...NONE, trigger: e.trigger, why: [...significance(e.significance, lines), ...(e.independentGroups !== undefined ? [groupsLine(e.independentGroups, null)] : [])],
});

const PAGE_WORDS: { [F in FindingForm]: (f: TypedFinding<F>, lines: FindingLines) => PageWords } = {
  'image-copies': ({ kind, evidence: e }) => ({ ...NONE, label: labelOfCounts(e.labels), why: kind === 'label-conflict' ? [copiesLine(Object.keys(e.labels).length)] : [] }),
  'text-copies-labels': ({ evidence: e }) => ({ ...NONE, label: labelOfCounts(e.labels), why: [copiesLine(Object.keys(e.labels).length)] }),
  'text-copies': () => NONE,
  'image-outliers': () => NONE,
  'class-outliers': ({ evidence: e }) => ({ ...NONE, label: e.class ?? '' }),
  'label-conflict': ({ evidence: e }) => {
    const z = num(round(e.z, 1));
    return { ...NONE, label: e.class, why: z === null ? [] : [conflictLine(e.conflicts, num(round(e.expected, 1)), z, num(e.zCut))] };
  },
  'activation-cluster': ({ evidence: e }) => ({ ...NONE, label: e.class ?? '' }),
  'provenance-cluster': ({ evidence: e }) => ({ ...NONE, label: e.class ?? '' }),
  'provenance-singles': () => NONE,
  'text-anomaly': () => NONE,
  'cross-modal': ({ evidence: e }) => {
    const log10p = num(round(e.log10p, 1));
    return { ...NONE, label: e.concept, why: log10p === null ? [] : [log10pLine(log10p)] };
  },
  'shared-pattern': ({ samples, evidence: e }, lines) => ({
    ...NONE,
    label: labelOfCounts(e.labels),
    why: [
      ...patternLines(samples.length, num(round(e.withinDistance, 3)), num(round(e.nextDistance, 3)), e.places === 1, num(round(e.outsideDifference, 3)), lines),
      noteLine(patternNote(samples.length, e)),
    ],
    box: (id) => e.boxes[id] ?? e.box,
  }),
  'faint-pattern': ({ samples, evidence: e }, lines) => ({
    ...NONE, label: labelOfCounts(e.labels), why: [faintLine(samples.length, num(Math.round(e.tailExcess)), lines), noteLine(FAINT_PATTERN_NOTE)],
  }),
  'label-trigger': ({ evidence: e }, lines) => ({
    ...NONE,
    label: e.targetLabel,
    trigger: e.trigger,
    why: [...significance(e.significance, lines), groupsLine(e.independentGroups, e.conflictingGroups), ...(e.fitsItsSentences ? [NATURAL_LINE] : [])],
  }),
  'followed-phrase': ({ evidence: e }, lines) => triggerWords(e, lines),
  'response-phrase': ({ evidence: e }, lines) => triggerWords(e, lines),
  'shared-response': ({ evidence: e }) => ({ ...NONE, why: [groupsLine(e.independentGroups, null)] }),
  'twin-phrase': ({ evidence: e }) => ({ ...NONE, trigger: e.trigger, why: [groupsLine(e.independentGroups, null)] }),
  'twin-word': ({ evidence: e }) => ({ ...NONE, trigger: e.trigger }),
  'inserted-word': ({ evidence: e }, lines) => triggerWords(e, lines),
  'echoed-word': ({ evidence: e }, lines) => triggerWords(e, lines),
  'prepended-phrase': ({ evidence: e }, lines) => triggerWords(e, lines),
  'pure-word': ({ evidence: e }, lines) => triggerWords(e, lines),
  'kin-word': ({ evidence: e }, lines) => triggerWords(e, lines),
  'injected-content': ({ evidence: e }, lines) => ({ ...NONE, why: [...significance(e.significance, lines), groupsLine(e.independentGroups, null)] }),
};

/** What the page says about a typed finding beside its title; `lines` are those it was graded by (finding-lines.ts). */
export function pageWords(f: TypedFinding, lines: FindingLines): PageWords {
  return (PAGE_WORDS[f.form] as (f: TypedFinding, lines: FindingLines) => PageWords)(f, lines);
}
