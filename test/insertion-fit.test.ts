import { describe, expect, it } from 'vitest';
import { BigramCounts, deletionFit, fitsItsSentences, localDeletionFit, type DeletionFit } from '../src/text/insertion-fit.js';
import { createRng, randInt } from '../src/util/rng.js';

describe('fitsItsSentences', () => {
  // Real insertions give +0.5 nats per occurrence (sd 1) in this corpus.
  const fit: DeletionFit = { llrByBin: new Float64Array(14), meanInserted: 0.5, sdInserted: 1 };

  it('explains a phrase away on a weak negative sum only under the old rule, on a sum insertions would not give under both', () => {
    // 8 occurrences summing to -1.07 (z -1.79), as "2024" in 8 SST-2-style prompts: weak fit, not natural by z.
    expect(fitsItsSentences(fit, -1.07, 8, 2.33)).toBe(true);
    expect(fitsItsSentences(fit, -1.07, 8, 2.33, true)).toBe(false);
    // A sum of -4 is z -2.83: the phrase belongs to its sentences either way.
    expect(fitsItsSentences(fit, -4, 8, 2.33, true)).toBe(true);
    // A positive sum well inside the insertions' range is never natural.
    expect(fitsItsSentences(fit, 3, 8, 2.33)).toBe(false);
  });

  it('says nothing where insertions and natural words leave the same pairs', () => {
    expect(fitsItsSentences({ ...fit, meanInserted: 0.01 }, -10, 8, 2.33)).toBe(false);
    expect(fitsItsSentences(fit, -10, 0, 2.33)).toBe(false);
  });
});

describe('localDeletionFit', () => {
  it('scores each prompt by the others, so a dozen sparse prompts do not flatter insertions, and says how loosely it knows the mean', () => {
    const rng = createRng(9);
    // A corpus of random text over 300 words, and 12 short prompts of it whose pairs are mostly seen once.
    const corpus = Array.from({ length: 400 }, () => Int32Array.from({ length: 12 }, () => randInt(rng, 300)));
    const bigrams = new BigramCounts(corpus, 300);
    const few = corpus.slice(0, 12);
    const bounds = few.map((d) => new Uint8Array(d.length + 1).fill(1));
    const local = localDeletionFit(few, bounds, bigrams);
    const inSample = deletionFit(few, bounds, bigrams, createRng(1), 4000);
    expect(local.byDoc.length).toBe(12);
    expect(local.meanInserted).toBeLessThan(inSample.meanInserted);
    expect(local.meanSe!).toBeGreaterThan(0);
  });

  it('widens the z by the error of the mean: a borderline sum over 11 prompts is no longer explained away', () => {
    // sst2/mtba at 28 rows, seed 4: "badmagic" in 11 SST-2 prompts, sum -4.29.
    const fit: DeletionFit = { llrByBin: new Float64Array(14), meanInserted: 0.244, sdInserted: 0.891 };
    expect(fitsItsSentences(fit, -4.29, 11, 2.33, true)).toBe(true);
    expect(fitsItsSentences({ ...fit, meanSe: 0.067 }, -4.29, 11, 2.33, true)).toBe(false);
  });
});
