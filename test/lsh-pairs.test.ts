import { describe, expect, it } from 'vitest';
import { forEachCandidatePair, lshCandidatePairs, minhashSignatures } from '../src/text/minhash.js';
import { createRng, randInt } from '../src/util/rng.js';

/** The pairs as a set-based search gives them: every band in order, each pair the first time it shares a bucket. */
function reference(ids: number[], sig: Uint32Array, rows: number, maxBucket: number, K: number): [number, number][] {
  const out: [number, number][] = [];
  const seen = new Set<string>();
  for (let band = 0; band + rows <= K; band += rows) {
    const buckets = new Map<string, number[]>();
    for (const i of ids) {
      const key = Array.from(sig.subarray(i * K + band, i * K + band + rows)).join(',');
      buckets.set(key, [...(buckets.get(key) ?? []), i]);
    }
    for (const b of buckets.values()) {
      if (b.length < 2 || b.length > maxBucket) continue;
      for (let x = 0; x < b.length; x++) for (let y = x + 1; y < b.length; y++) {
        const key = `${b[x]},${b[y]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([b[x]!, b[y]!]);
      }
    }
  }
  return out;
}

describe('LSH candidate pairs', () => {
  it('gives each pair once, in the order of a set-based search, skipping buckets above the cap', () => {
    const rng = createRng(9);
    // Families of near-copies (a few words changed) of random word sets, so that pairs meet in several bands.
    const docs: Int32Array[] = [];
    for (let f = 0; f < 40; f++) {
      const base = Array.from({ length: 12 }, () => randInt(rng, 300));
      const copies = 1 + randInt(rng, f % 7 === 0 ? 30 : 6);
      for (let c = 0; c < copies; c++) docs.push(Int32Array.from(base.map((w) => (rng() < 0.1 ? randInt(rng, 300) : w))));
    }
    const K = 24;
    const sig = minhashSignatures(docs, 'words', K);
    const ids = docs.map((_, i) => i).filter((i) => i % 5 !== 2);
    for (const maxBucket of [500, 8]) {
      const want = reference(ids, sig, 3, maxBucket, K);
      expect(want.length).toBeGreaterThan(50);
      expect(lshCandidatePairs(ids, sig, 3, maxBucket, K)).toEqual(want);
      const got: [number, number][] = [];
      forEachCandidatePair(ids, sig, 3, maxBucket, K, (a, b) => got.push([a, b]));
      expect(got).toEqual(want);
    }
  });
});
