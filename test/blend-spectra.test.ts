import { describe, expect, it } from 'vitest';
import { fastDct, lineDct } from '../src/detect/blend/dct.js';
import { lumaPattern, whitenedSpectra } from '../src/detect/blend/spectra.js';
import { IMAGE_STAT_NAMES, type ImageFeatures } from '../src/model/image-features.js';
import { createRng } from '../src/util/rng.js';

function images(n: number, grid: number, seed: number, add?: (i: number, x: number, y: number) => number): ImageFeatures {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * grid * grid * 3);
  for (let i = 0; i < n; i++) {
    const base = 60 + rng() * 120, gx = (rng() - 0.5) * 4, gy = (rng() - 0.5) * 4;
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) for (let c = 0; c < 3; c++) {
      const v = base + gx * x + gy * y + (rng() - 0.5) * 20 + (add ? add(i, x, y) : 0);
      pixels[((i * grid + y) * grid + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(n)])) as ImageFeatures['stats'];
  return { grid, pixels, stats, phash: new BigUint64Array(n), file: {} as ImageFeatures['file'] };
}

describe('blend spectra', () => {
  it('computes the DCT-II by its definition', () => {
    const rng = createRng(1);
    for (const n of [1, 2, 4, 8, 16, 32]) {
      const a = Float64Array.from({ length: n }, () => rng() * 255);
      const want = Array.from({ length: n }, (_, k) => a.reduce((s, v, j) => s + v * Math.cos((Math.PI * (j + 0.5) * k) / n), 0));
      const got = Float64Array.from(a);
      fastDct(got, 0, n, new Float64Array(2 * n), 0);
      got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 6));
    }
  });

  it('gives fastDct to the last bit, on a strided line', () => {
    const rng = createRng(3);
    for (const n of [1, 2, 4, 8, 16, 32]) {
      const a = Float64Array.from({ length: n }, () => (rng() - 0.5) * 500);
      const want = Float64Array.from(a);
      fastDct(want, 0, n, new Float64Array(2 * n), 0);
      const stride = 3;
      const got = new Float64Array(1 + n * stride);
      a.forEach((v, j) => (got[1 + j * stride] = v));
      lineDct(n)(got, 1, stride);
      want.forEach((v, k) => expect(got[1 + k * stride]).toBe(v));
    }
  });

  it('whitens every coefficient to about unit spread, and a template maps back to its luma pattern', () => {
    const stripes = (i: number, x: number) => (i % 2 ? 12 * Math.sin((2 * Math.PI * 5 * x) / 32) : 0);
    const f = images(400, 32, 2, stripes);
    const s = whitenedSpectra(f);
    expect(s.d).toBe(32 * 32 + 2 * 16 * 16);
    // Spread of a fine coefficient (where the residual keeps most of the noise), in standard deviations.
    let e = 0;
    const q = 10 * 32 + 12;
    for (let i = 0; i < 400; i++) e += (s.x[i * s.d + q]! * s.unit[q]!) ** 2;
    expect(Math.sqrt(e / 400) / (s.unit[q]! * 256)).toBeGreaterThan(0.8);
    // The carriers' mean minus the rest's, back in pixels, is the added sinusoid.
    const t = new Float64Array(s.d);
    for (let i = 0; i < 400; i++) for (let p = 0; p < s.d; p++) t[p] += ((i % 2 ? 1 : -1) * s.x[i * s.d + p]!) / 200;
    const back = lumaPattern(s, t);
    let dot = 0, eb = 0, es = 0;
    back.forEach((v, p) => {
      const want = stripes(1, p % 32);
      dot += v * want;
      eb += v * v;
      es += want * want;
    });
    // Up to the layout (below 2 cycles per image), which is dropped.
    expect(dot / Math.sqrt(eb * es)).toBeGreaterThan(0.9);
    expect(Math.sqrt(eb / es)).toBeGreaterThan(0.8);
    expect(Math.sqrt(eb / es)).toBeLessThan(1.2);
  });
});
