import { describe, expect, it } from 'vitest';
import { frequentNgramsCounted } from '../src/text/ngrams.js';
import { createRng, randInt } from '../src/util/rng.js';

describe('frequentNgramsCounted', () => {
  it('counts each set of documents once, however many n-grams pick it out', () => {
    const rng = createRng(4);
    // Random short documents, and one passage of 8 tokens copied into documents 3, 17 and 40.
    const passage = [41, 42, 43, 44, 45, 46, 47, 48];
    const docs = Array.from({ length: 60 }, (_, i) => {
      const d = Array.from({ length: 10 }, () => randInt(rng, 40));
      if (i === 3 || i === 17 || i === 40) d.splice(4, 0, ...passage);
      return Int32Array.from(d);
    });
    const classes = new Int32Array(docs.length).fill(-1);
    const all = { maxN: 5, minDocs: 3, maxDocs: docs.length, keep: () => true };
    const { grams, frequent, distinctSets } = frequentNgramsCounted(docs, classes, { ...all, distinctSets: true });
    expect(grams.length).toBe(frequent);
    const exact = new Set(grams.map((g) => g.docs.join(','))).size;
    expect(distinctSets).toBe(exact);
    // The passage's 1-5-grams (8 + 7 + 6 + 5 + 4) are one set.
    expect(grams.filter((g) => g.docs.join(',') === '3,17,40').length).toBeGreaterThanOrEqual(30);
    expect(distinctSets).toBeLessThanOrEqual(frequent - 29);
    // Without the option the count is the n-grams'.
    expect(frequentNgramsCounted(docs, classes, all).distinctSets).toBe(frequent);
  });

  it("names each n-gram's prefix among the n-grams returned", () => {
    const rng = createRng(7);
    const docs = Array.from({ length: 80 }, () => Int32Array.from({ length: 12 }, () => randInt(rng, 6)));
    const classes = new Int32Array(docs.length).fill(-1);
    const { grams, parents } = frequentNgramsCounted(docs, classes, { maxN: 4, minDocs: 3, maxDocs: docs.length, keep: () => true });
    const at = new Map(grams.map((g, k) => [g.tokens.join(','), k]));
    expect(grams.some((g) => g.tokens.length === 4)).toBe(true);
    grams.forEach((g, k) => expect(parents[k]).toBe(g.tokens.length === 1 ? -1 : at.get(g.tokens.slice(0, -1).join(','))));
  });
});
