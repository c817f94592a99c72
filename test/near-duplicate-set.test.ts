import { describe, expect, it } from 'vitest';
import { nearDuplicatePairs, nearDuplicateSet } from '../src/detect/patterns/near-duplicate-hashes.js';
import { createRng } from '../src/util/rng.js';

describe('nearDuplicateSet', () => {
  it('answers exactly as testing every member with nearDuplicatePairs', () => {
    const rng = createRng(7);
    const n = 3000;
    const phash = new BigUint64Array(n);
    const rand32 = (): bigint => BigInt(Math.floor(rng() * 2 ** 32));
    for (let i = 0; i < n; i++) {
      // Every third hash is a copy of an earlier one with 0-12 bits flipped, so both answers occur often.
      if (i > 0 && i % 3 === 0) {
        let h = phash[Math.floor(rng() * i)]!;
        const flips = Math.floor(rng() * 13);
        for (let f = 0; f < flips; f++) h ^= 1n << BigInt(Math.floor(rng() * 64));
        phash[i] = h;
      } else phash[i] = (rand32() << 32n) | rand32();
    }
    const pair = nearDuplicatePairs(phash);
    const set = nearDuplicateSet(phash);
    let yes = 0;
    for (let round = 0; round < 2; round++) {
      set.clear();
      const members: number[] = [];
      for (let i = 0; i < n; i++) {
        const im = Math.floor(rng() * n);
        const want = members.some((u) => u === im || pair(u, im));
        expect(set.has(im)).toBe(want);
        if (want) yes++;
        else if (rng() < 0.5) {
          set.add(im);
          members.push(im);
        }
      }
    }
    expect(yes).toBeGreaterThan(50);
  });
});
