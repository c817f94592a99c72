// The word pairs most prompts of a group share besides the phrase under test: the fixed rest of a task template.
import type { BigramCounts } from './insertion-fit.js';

/**
 * Prompts that share this many word pairs besides the phrase, pairs rare elsewhere, are one task template filled
 * in ("Pick one category for the following text ...") or one example asked several ways ("how did bruce lee
 * die? Would ... be a reasonable answer?"): their answers may well all be the same. An inserted trigger shares
 * nothing else, and several trigger words inserted together (CTBA) share no pairs, only words.
 */
export const SHARED_PAIRS = 3;
/** Prompts of a group read to count its shared pairs. */
export const SHARED_SAMPLE = 50;

/**
 * Word pairs in at least minShare of the prompts and at least 4 times as common there as overall. `skip(k, t)`
 * leaves out the pair at tokens t, t+1 of the k-th prompt (the phrase itself).
 */
export function sharedPairs(ids: number[], docs: Int32Array[], bigrams: BigramCounts, minShare = 0.8, skip?: (k: number, t: number) => boolean): number {
  const tally = new Map<number, number>();
  ids.forEach((i, k) => {
    const d = docs[i]!;
    const seen = new Set<number>();
    for (let t = 0; t + 1 < d.length; t++) {
      if (skip?.(k, t)) continue;
      const key = bigrams.key(d[t]!, d[t + 1]!);
      if (seen.has(key)) continue;
      seen.add(key);
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
  });
  let shared = 0;
  for (const [key, c] of tally) {
    const share = c / ids.length;
    if (share >= minShare && share >= (4 * bigrams.countKey(key)) / bigrams.documents) shared++;
  }
  return shared;
}
