import { describe, expect, it } from 'vitest';
import { selectKth } from '../src/util/select.js';
import { createRng } from '../src/util/rng.js';

function sortedAt(v: Float64Array, k: number): number {
  return Float64Array.from(v).sort()[k]!;
}

describe('selectKth', () => {
  it('gives the value a numeric sort puts at k, on random, few-valued, constant, sorted and organ-pipe arrays', () => {
    const rand = createRng(7);
    const cases: Float64Array[] = [
      Float64Array.from({ length: 1001 }, () => rand()),
      Float64Array.from({ length: 500 }, () => Math.floor(rand() * 4)),
      new Float64Array(257).fill(3),
      Float64Array.from({ length: 300 }, (_, i) => i),
      Float64Array.from({ length: 300 }, (_, i) => 300 - i),
      Float64Array.from({ length: 401 }, (_, i) => Math.min(i, 400 - i)),
    ];
    for (const v of cases) {
      for (const k of [0, 1, v.length >> 1, v.length - 2, v.length - 1]) {
        expect(selectKth(Float64Array.from(v), k)).toBe(sortedAt(v, k));
      }
    }
  });

  it('gives the same value when it runs out of rounds and sorts what is left', () => {
    const rand = createRng(11);
    const v = Float64Array.from({ length: 999 }, () => Math.floor(rand() * 50));
    for (const rounds of [0, 1, 2, 3]) {
      for (const k of [0, 17, 499, 998]) expect(selectKth(Float64Array.from(v), k, rounds)).toBe(sortedAt(v, k));
    }
  });

  it('works on one element and on Float32 data', () => {
    expect(selectKth(new Float64Array([5]), 0)).toBe(5);
    const f = new Float32Array([0.3, -1, 2.5, 0.3, 7]);
    expect(selectKth(Float32Array.from(f), 2)).toBe(Float32Array.from(f).sort()[2]);
  });
});
