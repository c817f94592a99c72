import { describe, expect, it } from 'vitest';
import { firstOccurrenceIn, markedPhrases } from '../src/text/marked-phrases.js';
import { createRng, randInt } from '../src/util/rng.js';

/** Every distinct phrase of 1..maxN tokens, with the documents that hold it (the plain count the table must match). */
function bruteForce(docs: Int32Array[], maxN: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  docs.forEach((d, i) => {
    const seen = new Set<string>();
    for (let s = 0; s < d.length; s++) for (let len = 1; len <= maxN && s + len <= d.length; len++) {
      const key = Array.from(d.subarray(s, s + len)).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      (out.get(key) ?? out.set(key, []).get(key)!).push(i);
    }
  });
  return out;
}

describe('markedPhrases', () => {
  it('lists exactly the phrases with enough marked documents that are a large enough share of theirs', () => {
    const rng = createRng(11);
    const docs = Array.from({ length: 120 }, () => Int32Array.from({ length: 4 + randInt(rng, 14) }, () => randInt(rng, 25)));
    const marked = Uint8Array.from(docs, () => (rng() < 0.2 ? 1 : 0));
    for (const [minDocs, minMarked, minShare] of [[3, 3, 0.5], [2, 4, 0], [3, 3, 0.1]] as const) {
      const t = markedPhrases(docs, marked, { maxN: 3, minDocs, minMarked, minShare });
      const got = new Map<string, number[]>();
      for (let k = 0; k < t.count; k++) {
        got.set(Array.from(t.tokenList.subarray(t.tokenStart[k]!, t.tokenStart[k + 1]!)).join(','), Array.from(t.docList.subarray(t.docStart[k]!, t.docStart[k + 1]!)));
      }
      const want = new Map([...bruteForce(docs, 3)].filter(([, ds]) => {
        const m = ds.filter((i) => marked[i]).length;
        return ds.length >= minDocs && m >= minMarked && m >= minShare * ds.length;
      }));
      expect(got.size).toBe(want.size);
      for (const [key, ds] of want) expect(got.get(key)).toEqual(ds);
      // The table's count of frequent phrases is every phrase in minDocs documents.
      expect(t.frequent).toBe([...bruteForce(docs, 3).values()].filter((ds) => ds.length >= minDocs).length);
    }
  });

  it('an unmarked corpus has no phrase to list', () => {
    const docs = [Int32Array.of(1, 2, 3), Int32Array.of(1, 2, 3), Int32Array.of(1, 2, 3)];
    expect(markedPhrases(docs, new Uint8Array(3), { maxN: 3, minDocs: 2, minMarked: 2, minShare: 0 }).count).toBe(0);
  });
});

describe('firstOccurrenceIn', () => {
  it('finds the first start of a phrase held in a flat token list', () => {
    const d = Int32Array.of(5, 1, 2, 1, 2, 3, 1, 2, 3);
    const list = Int32Array.of(9, 1, 2, 3, 9);
    expect(firstOccurrenceIn(d, list, 1, 4)).toBe(3);
    expect(firstOccurrenceIn(d, list, 1, 3)).toBe(1);
    expect(firstOccurrenceIn(d, list, 0, 1)).toBe(-1);
    expect(firstOccurrenceIn(d, list, 3, 4)).toBe(5);
  });
});
