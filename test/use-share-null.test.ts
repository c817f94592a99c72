import { describe, expect, it } from 'vitest';
import { betaBinomialTailLog10, UseShareNull } from '../src/text/use-share-null.js';
import { binomialTailLog10 } from '../src/util/binomial.js';

describe("a response unit's share of unexplained uses, as the corpus's units spread it", () => {
  it('computes the beta-binomial tail, which nears the binomial as the spread vanishes', () => {
    // a = b = 1: every count from 0 to n is equally likely.
    expect(betaBinomialTailLog10(2, 2, 1, 1)).toBeCloseTo(Math.log10(1 / 3), 10);
    expect(betaBinomialTailLog10(3, 9, 1, 1)).toBeCloseTo(Math.log10(7 / 10), 10);
    expect(betaBinomialTailLog10(15, 20, 3e5, 7e5)).toBeCloseTo(binomialTailLog10(15, 20, 0.3), 3);
  });

  it('reads a unit by the units of its count: all-unexplained is rare where they agree and ordinary where they split', () => {
    // Units used 16-31 times: in one corpus every unit has a fifth of its uses unexplained, in the other half of
    // the units are all unexplained and half never.
    const uses = Array.from({ length: 200 }, () => 20);
    const agree = new UseShareNull(uses, uses.map(() => 4), 0.2);
    const split = new UseShareNull(uses, uses.map((_, u) => (u % 2 ? 20 : 0)), 0.5);
    expect(agree.tailLog10(20, 20, 20)).toBeCloseTo(binomialTailLog10(20, 20, 0.2), 3);
    expect(split.tailLog10(20, 20, 20)).toBeGreaterThan(-1);
    // A count class without units of its own borrows the nearest one.
    expect(agree.tailLog10(3, 3, 3)).toBeCloseTo(binomialTailLog10(3, 3, 0.2), 3);
  });
});
