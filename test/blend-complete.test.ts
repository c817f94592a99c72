import { describe, expect, it } from 'vitest';
import { completeGroup } from '../src/detect/blend/complete.js';
import type { Spectra } from '../src/detect/blend/spectra.js';
import { createRng } from '../src/util/rng.js';

/** m rows of d coefficients of unit Gaussian noise (stored x 256); the first `carriers` rows carry `pattern` added. */
function rows(m: number, d: number, carriers: number, strength: number, seed: number): Spectra {
  const rng = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const pattern = Float64Array.from({ length: d }, gauss);
  let e = 0;
  for (const v of pattern) e += v * v;
  const x = new Int16Array(m * d);
  const norm = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let p = 0; p < d; p++) {
      const v = Math.round(256 * (gauss() + (i < carriers ? (strength * pattern[p]!) / Math.sqrt(e) : 0)));
      x[i * d + p] = v;
      s += v * v;
    }
    norm[i] = Math.sqrt(s);
  }
  return { x, d, norm, unit: new Float64Array(d), pixel: new Float64Array(0), spread: 1 };
}

describe('blend group completion', () => {
  it('lifts carriers a half-class template left below the line, and no image draws on its own row', () => {
    const m = 600, d = 200, carriers = 40;
    const s = rows(m, d, carriers, 5.5, 7);
    const members = Array.from({ length: m }, (_, i) => i);
    // The search found half the carriers.
    const z = Float32Array.from({ length: m }, (_, t) => (t < carriers / 2 ? 5 : 0));
    const out = completeGroup(s, members, z);
    let found = 0, clean = 0;
    out.forEach((v, t) => (v >= 4 ? (t < carriers ? found++ : clean++) : 0));
    expect(found).toBeGreaterThanOrEqual(32);
    expect(clean).toBeLessThanOrEqual(1);
  });

  it('does not grow a group of unrelated images: their own rows are left out of their scores', () => {
    // Each row would raise its own cosine with the group's mean to about 1 / sqrt(20): 5.5 sd of a cosine in 600
    // dimensions.
    const m = 600, d = 600;
    const s = rows(m, d, 0, 0, 9);
    const members = Array.from({ length: m }, (_, i) => i);
    const z = Float32Array.from({ length: m }, (_, t) => (t < 20 ? 5 : 0));
    const out = completeGroup(s, members, z);
    expect(out.filter((v) => v >= 4).length).toBeLessThanOrEqual(1);
  });
});
