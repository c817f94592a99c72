import { describe, expect, it } from 'vitest';
import { lowerBound, upperBound } from '../src/util/sorted-search.js';

describe('lowerBound and upperBound', () => {
  it('find the first index at least / above a value, with ties and ends', () => {
    const a = Float64Array.from([1, 2, 2, 2, 5]);
    expect([0, 1, 2, 3, 5, 6].map((x) => lowerBound(a, x))).toEqual([0, 0, 1, 4, 4, 5]);
    expect([0, 1, 2, 3, 5, 6].map((x) => upperBound(a, x))).toEqual([0, 1, 4, 4, 5, 5]);
    expect(lowerBound(new Int32Array(0), 3)).toBe(0);
  });
});
