import { describe, expect, it } from 'vitest';
import { fitsItsSentences, type DeletionFit } from '../src/text/insertion-fit.js';

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
