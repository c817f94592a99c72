import { describe, expect, it } from 'vitest';
import { fisherLog10, normalQuantile, normalUpperTailLog10 } from '../src/util/p-values.js';

describe('p-values', () => {
  it('gives the normal tail on both sides of 0 and its inverse', () => {
    expect(10 ** normalUpperTailLog10(0)).toBeCloseTo(0.5, 6);
    expect(10 ** normalUpperTailLog10(1.959964)).toBeCloseTo(0.025, 5);
    expect(10 ** normalUpperTailLog10(-1.959964)).toBeCloseTo(0.975, 5);
    // Far tail: log10 P(Z > 10) = -23.12 (the asymptotic form, within 0.01).
    expect(normalUpperTailLog10(10)).toBeCloseTo(-23.12, 1);
    expect(normalQuantile(0.001)).toBeCloseTo(3.0902, 3);
  });

  it("combines two independent p-values by Fisher's method", () => {
    // Chi-square with 4 degrees of freedom: P(X > x) = e^(-x/2) (1 + x/2); p1 = p2 = 0.05 gives 0.0175.
    expect(10 ** fisherLog10(Math.log10(0.05), Math.log10(0.05))).toBeCloseTo(0.0175, 4);
    // A test with no evidence (p = 1) dilutes the other; two weak ones add up to more than either.
    expect(fisherLog10(-3, 0)).toBeGreaterThan(-3);
    expect(fisherLog10(-3, -3)).toBeLessThan(-4.5);
    expect(fisherLog10(0, 0)).toBe(0);
  });
});
