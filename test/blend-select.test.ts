import { describe, expect, it } from 'vitest';
import { markTop, middleAndSpread } from '../src/detect/blend/select.js';
import { createRng } from '../src/util/rng.js';

describe('blend order statistics', () => {
  const rng = createRng(11);
  // Values with many ties (rounded), and of lengths odd and even.
  const draws = [1, 2, 3, 10, 101, 1000].map((n) => Float32Array.from({ length: n }, () => Math.round((rng() - 0.3) * 40) / 4));

  it('gives the middle element and spread a sort gives', () => {
    for (const v of draws) {
      const sorted = Float32Array.from(v).sort();
      const med = sorted[v.length >> 1]!;
      const dev = Float32Array.from(v, (x) => Math.abs(x - med)).sort();
      expect(middleAndSpread(v)).toEqual({ med, mad: dev[v.length >> 1]! });
    }
  });

  it('marks the top set of a stable sort, largest first, ties in index order', () => {
    for (const z of draws) {
      const order = [...z.keys()].sort((a, b) => z[b]! - z[a]!);
      for (const top of [0, 1, Math.ceil(z.length / 3), z.length - 1, z.length]) {
        const want = new Uint8Array(z.length);
        for (let q = 0; q < top; q++) want[order[q]!] = 1;
        const got = new Uint8Array(z.length).fill(7);
        markTop(z, top, got);
        expect(got).toEqual(want);
      }
    }
  });

  it('falls back to sorting when a value is NaN', () => {
    const z = Float32Array.from([3, NaN, 1, 3, 2]);
    const order = [...z.keys()].sort((a, b) => z[b]! - z[a]!);
    const want = new Uint8Array(5);
    for (let q = 0; q < 2; q++) want[order[q]!] = 1;
    const got = new Uint8Array(5);
    markTop(z, 2, got);
    expect(got).toEqual(want);
    const sorted = Float32Array.from(z).sort();
    expect(middleAndSpread(z).med).toBe(sorted[2]);
  });
});
