import { describe, expect, it } from 'vitest';
import { PairIndex } from '../src/text/key-index.js';

describe('PairIndex', () => {
  it('gives pairs dense ids in the order first seen, through growth', () => {
    const index = new PairIndex(4);
    const ids = new Map<string, number>();
    for (let x = 0; x < 5000; x++) {
      const a = (x * 7919) % 1013;
      const b = (x * 104729) % 2000003;
      const key = `${a},${b}`;
      const expected = ids.get(key) ?? ids.size;
      ids.set(key, expected);
      expect(index.getOrAdd(a, b)).toBe(expected);
    }
    expect(index.size).toBe(ids.size);
    for (const [key, id] of ids) {
      const [a, b] = key.split(',').map(Number);
      expect(index.get(a!, b!)).toBe(id);
    }
    expect(index.get(1013, 0)).toBe(-1);
    expect(index.get(0, 2 ** 31 - 1)).toBe(-1);
  });
});
