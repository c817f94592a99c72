// The first centre of an isolation: a tight component can hold, besides a group's copies, one window linked to a
// single copy. Measured from the component's mean, that window drags the centre and joins the group; measured from
// the coordinate-wise median, the copies keep their gap and the chained window stays outside.
import { describe, expect, it } from 'vitest';
import { isolateAll, isolationScratch } from '../src/detect/patterns/isolation.js';
import type { WindowSet } from '../src/detect/patterns/windows.js';
import { createRng, randNormal, type Rng } from '../src/util/rng.js';

const DIM = 16;

function hashes(n: number, rng: Rng): BigUint64Array {
  return BigUint64Array.from({ length: n }, () => (BigInt(Math.floor(rng() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng() * 2 ** 32)));
}

/** A random direction of the given length. */
function direction(rng: Rng, length: number): Float64Array {
  const d = Float64Array.from({ length: DIM }, () => randNormal(rng));
  const norm = Math.hypot(...d);
  return d.map((x) => (x * length) / norm);
}

/**
 * One window per image: `copies` copies of a pattern (each off it by `noise`), then one window `chain` from the
 * first copy and further from the others, then natural windows from `near` to 1.5 away from the pattern.
 */
function windowSet(seed: number, copies: number, noise: number, chain: number, near: number, naturals: number): WindowSet {
  const rng = createRng(seed);
  const count = copies + 1 + naturals;
  const vectors = new Float32Array(count * DIM);
  const pattern = direction(rng, 1);
  const put = (w: number, v: ArrayLike<number>) => vectors.set(Float32Array.from(v), w * DIM);
  for (let c = 0; c < copies; c++) {
    const e = direction(rng, noise);
    put(c, pattern.map((x, d) => x + e[d]!));
  }
  // Away from the first copy along a random direction (further from the other copies).
  const away = direction(rng, chain);
  put(copies, Array.from({ length: DIM }, (_, d) => vectors[d]! + away[d]!));
  for (let n = 0; n < naturals; n++) {
    const e = direction(rng, near + ((1.5 - near) * n) / naturals);
    put(copies + 1 + n, pattern.map((x, d) => x + e[d]!));
  }
  return {
    size: 4, dim: DIM, count, vectors, contrast: new Float32Array(count).fill(1),
    image: Int32Array.from({ length: count }, (_, i) => i),
    x: new Uint16Array(count), y: new Uint16Array(count),
  };
}

function isolate(ws: WindowSet, seed: number[], rngSeed: number) {
  const scratch = isolationScratch(hashes(ws.count, createRng(rngSeed)), ws.count);
  return isolateAll(ws, [seed], 1.0, 0.01, scratch, null, 1)[0];
}

describe('isolation from a tight component', () => {
  it('keeps a window chained to one copy out of the copies\' group', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const ws = windowSet(seed, 3, 0.05, 0.3, 0.5, 200);
      const copies = [0, 1, 2];
      const alone = isolate(ws, copies, seed);
      const chained = isolate(ws, [...copies, 3], seed);
      expect(alone).not.toBeNull();
      expect(chained).not.toBeNull();
      expect([...chained!.windows].sort((a, b) => a - b)).toEqual(copies);
      // Scored from the copies' own mean, as when the component held only them.
      expect(chained!.group.score[0]).toBeCloseTo(alone!.group.score[0]!, 5);
      expect(chained!.group.score[0]).toBeGreaterThan(2.5);
    }
  });

  it('finds the same group from a component of copies only', () => {
    const ws = windowSet(11, 6, 0.04, 0.6, 0.4, 200);
    const found = isolate(ws, [0, 1, 2, 3, 4, 5], 11);
    expect([...found!.windows].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
