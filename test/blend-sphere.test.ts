import { describe, expect, it } from 'vitest';
import { SPHERED, spheredTails, symmetricEigen } from '../src/detect/blend/sphere.js';
import { whitenedSpectra } from '../src/detect/blend/spectra.js';
import { oneSidedTail, TAIL_Z } from '../src/detect/blend/template.js';
import { IMAGE_STAT_NAMES, type ImageFeatures } from '../src/model/image-features.js';
import { createRng } from '../src/util/rng.js';

const G = 32;
const PER_CLASS = 400;

/** A natural-looking luma image: a few smooth blobs of random place, size and brightness over a fine texture. */
function scene(rng: () => number): Float64Array {
  const blobs = Array.from({ length: 6 }, () => ({ x: rng() * G, y: rng() * G, r: 1.5 + rng() * 7, v: (rng() - 0.5) * 160 }));
  const base = 70 + rng() * 110;
  const out = new Float64Array(G * G);
  for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
    let v = base + (rng() - 0.5) * 12;
    for (const b of blobs) v += b.v * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
    out[y * G + x] = v;
  }
  return out;
}

/**
 * Two classes of such scenes; in class 0 the first `carriers` images are blended with one more scene of the same
 * kind at `alpha` (x' = (1 - alpha) x + alpha t).
 */
function images(carriers: number, alpha: number): ImageFeatures {
  const rng = createRng(23);
  const n = 2 * PER_CLASS;
  const trigger = scene(rng);
  const pixels = new Uint8Array(n * G * G * 3);
  for (let i = 0; i < n; i++) {
    const own = scene(rng);
    const a = i < carriers ? alpha : 0;
    for (let p = 0; p < G * G; p++) {
      const v = Math.max(0, Math.min(255, Math.round((1 - a) * own[p]! + a * trigger[p]!)));
      for (let c = 0; c < 3; c++) pixels[(i * G * G + p) * 3 + c] = v;
    }
  }
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(n)])) as ImageFeatures['stats'];
  return { grid: G, pixels, stats, phash: new BigUint64Array(n), file: {} as ImageFeatures['file'] };
}

const classes = [0, 1].map((c) => Array.from({ length: PER_CLASS }, (_, t) => c * PER_CLASS + t));

describe('blend sphered starts', () => {
  it('finds a natural-looking image blended into some of a class, and no such group in a class without it', () => {
    const s = whitenedSpectra(images(30, 0.3));
    const best = (k: number) => spheredTails(s, classes[k]!).sort((a, b) => b.significance - a.significance)[0]!;
    const found = best(0);
    expect(found.sphered).toBe(true);
    const tail = classes[0]!.filter((_, t) => found.z[t]! >= TAIL_Z);
    expect(tail.filter((i) => i < 30).length).toBeGreaterThanOrEqual(27);
    expect(tail.length - tail.filter((i) => i < 30).length).toBeLessThanOrEqual(2);
    const { tail: other, opposite } = oneSidedTail(best(1).z);
    expect(other / (opposite + 1)).toBeLessThan(tail.length / 2);
  });

  it('searches no class too small for its sphered directions', () => {
    const s = whitenedSpectra(images(0, 0));
    expect(spheredTails(s, classes[0]!.slice(0, 4 * SPHERED))).toEqual([]);
  });

  it('finds the eigenvalues and eigenvectors of a symmetric matrix', () => {
    const m = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1]);
    const { values, vectors } = symmetricEigen(m, 3);
    for (let j = 0; j < 3; j++) {
      for (let r = 0; r < 3; r++) {
        let mv = 0;
        for (let c = 0; c < 3; c++) mv += m[r * 3 + c]! * vectors[c * 3 + j]!;
        expect(mv).toBeCloseTo(values[j]! * vectors[r * 3 + j]!, 9);
      }
    }
    expect([...values].reduce((a, v) => a + v, 0)).toBeCloseTo(8, 9);
  });
});
