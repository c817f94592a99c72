import { describe, expect, it } from 'vitest';
import { findMatches, type Matches } from '../src/detect/patterns/matches.js';
import type { WindowSet } from '../src/detect/patterns/windows.js';
import { createRng, randNormal } from '../src/util/rng.js';

/**
 * Unit vectors of 16 dimensions, one window per image: `crowd` windows spread around one common shape (a dense
 * region of shape space, as a common natural shape at one place), and `copies` windows of a pattern inside that
 * region, each a re-encoded copy (the pattern plus small noise); the copies come after the crowd, or first.
 */
function windows(crowd: number, copies: number, seed: number, copiesFirst = false): WindowSet {
  const rng = createRng(seed);
  const dim = 16, count = crowd + copies;
  const common = Array.from({ length: dim }, () => randNormal(rng));
  const pattern = common.map((v) => v + 0.05 * randNormal(rng));
  const vectors = new Float32Array(count * dim);
  for (let w = 0; w < count; w++) {
    const isCopy = copiesFirst ? w < copies : w >= crowd;
    const centre = isCopy ? pattern : common;
    const spread = isCopy ? 0.02 : 0.4;
    const v = centre.map((c) => c + spread * randNormal(rng));
    const norm = Math.hypot(...v);
    v.forEach((x, d) => (vectors[w * dim + d] = x / norm));
  }
  return {
    size: 4, dim, count, vectors, contrast: new Float32Array(count).fill(1), image: Int32Array.from({ length: count }, (_, w) => w),
    x: new Uint16Array(count), y: new Uint16Array(count),
  };
}

function pairs(mt: Matches): Set<string> {
  const out = new Set<string>();
  for (let w = 0; w + 1 < mt.off.length; w++) for (let q = mt.off[w]!; q < mt.off[w + 1]!; q++) if (w < mt.nbr[q]!) out.add(`${w},${mt.nbr[q]}`);
  return out;
}

const OPTIONS = { tight: 0.3, fineTables: 3, fineK: 3, fineWidth: 1, maxBucket: 16, seed: 5 };

describe('window matches', () => {
  it('splits over-full buckets instead of dropping their pairs', () => {
    const ws = windows(400, 5, 1);
    const plain = findMatches(ws, OPTIONS);
    const split = findMatches(ws, { ...OPTIONS, split: { k: 2, levels: 8 } });
    // Without the split the crowd's buckets are over-full and the copies inside them are never compared.
    expect(plain.crowded.some((c) => c > 0)).toBe(true);
    const copyPairs = (mt: Matches) => [...pairs(mt)].filter((p) => p.split(',').every((w) => Number(w) >= 400)).length;
    expect(copyPairs(plain)).toBe(0);
    expect(copyPairs(split)).toBe(10);
    // Every pair the plain index lists, the split one lists too (the buckets that fit are enumerated alike), each
    // once, and all within the tight distance.
    const got = pairs(split);
    for (const p of pairs(plain)) expect(got.has(p)).toBe(true);
    for (let w = 0; w + 1 < split.off.length; w++) {
      const nbrs = Array.from(split.nbr.subarray(split.off[w]!, split.off[w + 1]!));
      expect(new Set(nbrs).size).toBe(nbrs.length);
    }
    for (const d of split.dist) expect(d).toBeLessThanOrEqual(OPTIONS.tight);
  });

  it('links a tight core in an over-full bucket, listing each of its pairs at most once per table', () => {
    // 60 near-identical copies (the first windows) among 30 others: the copies' bucket is over-full, and most of
    // it sits tightly around its first member.
    const ws = windows(30, 60, 3, true);
    for (const split of [undefined, { k: 2, levels: 8 }]) {
      const mt = findMatches(ws, { ...OPTIONS, maxBucket: 40, ...(split ? { split } : {}) });
      for (let w = 0; w + 1 < mt.off.length; w++) {
        const times = new Map<number, number>();
        for (const b of mt.nbr.subarray(mt.off[w]!, mt.off[w + 1]!)) times.set(b, (times.get(b) ?? 0) + 1);
        for (const c of times.values()) expect(c).toBeLessThanOrEqual(OPTIONS.fineTables);
      }
      // Every copy is linked to another copy.
      for (let w = 0; w < 60; w++) expect(Array.from(mt.nbr.subarray(mt.off[w]!, mt.off[w + 1]!)).some((b) => b < 60)).toBe(true);
    }
  });

  it('refuses a split of no hashes or no levels', () => {
    const ws = windows(10, 3, 4);
    expect(() => findMatches(ws, { ...OPTIONS, split: { k: 0, levels: 8 } })).toThrow(/split/);
    expect(() => findMatches(ws, { ...OPTIONS, split: { k: 2, levels: 0 } })).toThrow(/split/);
  });

  it('changes nothing where no bucket is over-full', () => {
    const ws = windows(40, 5, 2);
    const plain = findMatches(ws, { ...OPTIONS, maxBucket: 1000 });
    const split = findMatches(ws, { ...OPTIONS, maxBucket: 1000, split: { k: 2, levels: 8 } });
    expect(split.off).toEqual(plain.off);
    expect(split.nbr).toEqual(plain.nbr);
    expect(split.dist).toEqual(plain.dist);
  });
});
