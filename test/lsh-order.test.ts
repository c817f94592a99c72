import { describe, expect, it } from 'vitest';
import { orderByKey } from '../src/detect/patterns/lsh.js';
import { createRng, randInt } from '../src/util/rng.js';

/** The order a comparator sort gives: key read unsigned (flip 0) or signed (flip 0x80000000), then index. */
function reference(keys: Int32Array, flip: number): number[] {
  const idx = Array.from(keys, (_, i) => i);
  if (flip === 0) return idx.sort((x, y) => (keys[x]! >>> 0) - (keys[y]! >>> 0) || x - y);
  return idx.sort((x, y) => keys[x]! - keys[y]! || x - y);
}

describe('orderByKey', () => {
  it('orders by key, then index, on both sides of the radix threshold and with either reading of the sign', () => {
    const rng = createRng(17);
    for (const n of [0, 1, 7, 300, 2047, 2048, 5000, 20000]) {
      for (const distinct of [1, 3, Math.max(1, n >> 3), Math.max(1, n)]) {
        const pool = Int32Array.from({ length: distinct }, () => (randInt(rng, 2 ** 16) << 16) | randInt(rng, 2 ** 16));
        // Keys of both signs and at the extremes.
        pool[0] = -0x80000000;
        if (distinct > 1) pool[1] = 0x7fffffff;
        if (distinct > 2) pool[2] = -1;
        const keys = Int32Array.from({ length: n }, () => pool[randInt(rng, distinct)]!);
        for (const flip of [0, 0x80000000]) expect(Array.from(orderByKey(keys, flip))).toEqual(reference(keys, flip));
      }
    }
  });
});
