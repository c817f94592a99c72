// A column of texts tokenised once for the detectors that read it: the token ids a fresh Vocabulary gives the texts
// in order (Vocabulary.encodeWithBoundaries), kept per array of texts while the array lives.
import { Vocabulary } from './tokenize.js';

export interface TokenisedTexts {
  /** The vocabulary's words after the texts: ids index it. */
  words: readonly string[];
  ids: Int32Array[];
  boundaries: Uint8Array[];
}

const kept = new WeakMap<readonly (string | null)[], TokenisedTexts>();

/**
 * The texts' tokens (null texts as empty ones), from the copy kept for this array if there is one. `keep`: keep
 * them for the next reader of the same array; otherwise this is the last reader, and a kept copy is let go.
 */
export function tokenisedTexts(texts: readonly (string | null)[], keep: boolean): TokenisedTexts {
  const known = kept.get(texts);
  if (known) {
    if (!keep) kept.delete(texts);
    return known;
  }
  const vocab = new Vocabulary();
  const ids: Int32Array[] = [];
  const boundaries: Uint8Array[] = [];
  for (const t of texts) {
    const e = vocab.encodeWithBoundaries(t ?? '');
    ids.push(e.ids);
    boundaries.push(e.boundary);
  }
  const out = { words: vocab.words, ids, boundaries };
  if (keep) kept.set(texts, out);
  return out;
}

/** Lets go of any copy kept for these texts (the scan calls it once every detector has run). */
export function forgetTokenised(texts: readonly (string | null)[]): void {
  kept.delete(texts);
}
