// Phrases concentrated in marked documents, read from the shared n-gram table: the n-grams (1..maxN tokens) in at
// least minDocs documents of which at least minMarked are marked and at least minShare of all are. A test that can
// succeed only in marked documents (a phrase followed by improbable text can be so only where such text is) needs
// no other candidates: the table lists only these, and skips the common phrases whose documents are mostly unmarked.
import { frequentNgramTable, type NgramTable } from './ngrams.js';

export interface MarkedPhraseOptions {
  maxN: number;
  /** Fewest documents a phrase must be in (apriori's cut: every part of a phrase is in at least as many). */
  minDocs: number;
  /** Fewest marked documents among them. */
  minMarked: number;
  /** Least share of its documents that are marked. */
  minShare: number;
}

/** Tokens are ids from 0. Each returned n-gram's documents (all of them, marked or not) are listed, ascending. */
export function markedPhrases(docs: Int32Array[], marked: Uint8Array, o: MarkedPhraseOptions): NgramTable {
  // Marked documents are one class, the rest unclassified: the table's count of classified documents is the count
  // of marked ones.
  const classes = new Int32Array(docs.length);
  for (let i = 0; i < docs.length; i++) classes[i] = marked[i] ? 0 : -1;
  return frequentNgramTable(docs, classes, {
    maxN: o.maxN,
    minDocs: o.minDocs,
    maxDocs: docs.length,
    keep: (df, _major, markedDocs) => markedDocs >= o.minMarked && markedDocs >= o.minShare * df,
  });
}

/** The start of the first occurrence of tokens[from..to) in d, or -1. */
export function firstOccurrenceIn(d: Int32Array, tokens: Int32Array, from: number, to: number): number {
  const len = to - from;
  const first = tokens[from]!;
  for (let s = 0; s + len <= d.length; s++) {
    if (d[s] !== first) continue;
    let t = 1;
    while (t < len && d[s + t] === tokens[from + t]) t++;
    if (t === len) return s;
  }
  return -1;
}
