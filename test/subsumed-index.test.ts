import { describe, expect, it } from 'vitest';
import { dropSubsumed } from '../src/text/phrases.js';
import { dropSubsumedIndexed } from '../src/text/subsumed-index.js';
import { createRng, randInt } from '../src/util/rng.js';

interface Cand {
  id: number;
  tokens: number[];
  significance: number;
  natural?: boolean;
  samples: number[];
}

/** Candidates that overlap a lot: sub-phrases of a few runs, with ties in significance and length. */
function randomCandidates(seed: number): Cand[] {
  const rng = createRng(seed);
  const cands: Cand[] = [];
  const K = 20 + randInt(rng, 120);
  for (let k = 0; k < K; k++) {
    const base = randInt(rng, 6) * 10;
    const size = randInt(rng, 14);
    const samples = [...new Set(Array.from({ length: size }, () => base + randInt(rng, 15)))];
    // Now and then a sample listed twice: the index counts it as often as the pairwise pass does.
    if (samples.length > 0 && rng() < 0.05) samples.push(samples[0]!);
    cands.push({ id: k, tokens: Array.from({ length: 1 + randInt(rng, 3) }, () => randInt(rng, 5)), significance: (randInt(rng, 8) - 2) / 2, natural: rng() < 0.2, samples });
  }
  return cands;
}

describe('dropSubsumedIndexed', () => {
  it('keeps exactly what the pairwise pass keeps, in its order', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const a = randomCandidates(seed);
      const b = a.map((c) => ({ ...c }));
      const want = dropSubsumed(a, (c) => c.samples).map((c) => c.id);
      const got = dropSubsumedIndexed(b, (c) => c.samples).map((c) => c.id);
      expect(got, `seed ${seed}`).toEqual(want);
    }
  });

  it('lets a longer phrase explaining as many samples replace the shorter one in place', () => {
    const cands: Cand[] = [
      { id: 0, tokens: [1], significance: 5, samples: [1, 2, 3, 4, 5] },
      { id: 1, tokens: [7], significance: 4, samples: [20, 21, 22] },
      { id: 2, tokens: [1, 2], significance: 4.5, samples: [1, 2, 3, 4, 5] },
      { id: 3, tokens: [1, 2, 3], significance: 2, samples: [1, 2, 3, 4] },
    ];
    expect(dropSubsumedIndexed(cands, (c) => c.samples).map((c) => c.id)).toEqual([2, 1]);
  });
});
