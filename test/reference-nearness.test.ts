import { describe, expect, it } from 'vitest';
import { ReferenceNearness } from '../src/text/reference-nearness.js';

describe('ReferenceNearness', () => {
  // Tokens 0-9; 6-9 are each in more than 5% of the texts (dropped), 0-3 are shared by a few.
  const docs = [
    [0, 1, 2, 9], // reference
    [0, 1, 3, 9], // reference
    [0, 1, 2, 9], // a copy of the first reference text
    [2, 3, 9],
    [4, 5, 9],
    ...Array.from({ length: 100 }, (_, k) => [6 + (k % 3), 9]),
  ].map((d) => Int32Array.from(d));
  const near = new ReferenceNearness(docs, 10, [0, 1], () => false);

  it('is the idf-weighted cosine to the nearest reference text, never the text itself', () => {
    const n = docs.length;
    const idf2 = (df: number) => Math.log(n / df) ** 2;
    const [a, b, c, d] = [idf2(3), idf2(3), idf2(3), idf2(2)]; // tokens 0, 1, 2 (in 3 texts), 3 (in 2)
    // Text 0 against text 1 (itself left out): shares tokens 0 and 1.
    expect(near.similarity[0]).toBeCloseTo((a + b) / Math.sqrt((a + b + c) * (a + b + d)), 10);
    // The copy is as near as can be.
    expect(near.similarity[2]).toBeCloseTo(1, 10);
    // Text 3 shares token 2 with text 0 and token 3 with text 1; the nearer one counts.
    expect(near.similarity[3]).toBeCloseTo(Math.max(c / Math.sqrt((c + d) * (a + b + c)), d / Math.sqrt((c + d) * (a + b + d))), 10);
    expect(near.similarity[4]).toBe(0);
  });

  it('leaves a token out of every text, and reads nearness as the share of texts at least as near', () => {
    const n = docs.length;
    const idf2 = (df: number) => Math.log(n / df) ** 2;
    // Without token 2, text 3 is {3} and text 0 is {0, 1}: only text 1 is near.
    expect(near.nearnessWithout(3, 2)).toBeCloseTo(idf2(2) / Math.sqrt(idf2(2) * (2 * idf2(3) + idf2(2))), 10);
    // A token no reference text holds changes nothing.
    expect(near.nearnessWithout(4, 5)).toBe(near.similarity[4]);
    // The copy is the nearest text of all; the texts at 0 are the least near.
    expect(near.rarity(near.similarity[2]!)).toBeCloseTo(-Math.log10(1 / n), 10);
    expect(near.rarity(0)).toBe(0);
  });
});
