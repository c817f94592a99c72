import { describe, expect, it } from 'vitest';
import { computeImageStats } from '../src/fingerprint/image-stats.js';
import { lumaPlane } from '../src/fingerprint/luma-plane.js';
import { perceptualHash } from '../src/fingerprint/phash.js';
import { IMAGE_STAT_NAMES, type ImageStatName } from '../src/model/image-features.js';
import { createRng } from '../src/util/rng.js';

function image(grid: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const gx = rng() * 6 - 3, gy = rng() * 6 - 3;
  return Uint8Array.from({ length: grid * grid * 3 }, (_, o) => {
    const p = Math.floor(o / 3), x = p % grid, y = Math.floor(p / grid);
    return Math.max(0, Math.min(255, Math.round(128 + gx * (x - grid / 2) + gy * (y - grid / 2) + (rng() - 0.5) * 90)));
  });
}

/** pHash by its definition: bilinear 32x32 luma, the 8x8 low DCT block, each bit set when above the AC median. */
function referenceHash(rgb: Uint8Array, grid: number): bigint {
  const l = (y: number, x: number) => 0.299 * rgb[(y * grid + x) * 3]! + 0.587 * rgb[(y * grid + x) * 3 + 1]! + 0.114 * rgb[(y * grid + x) * 3 + 2]!;
  const at = (r: number) => Math.min(grid - 1, Math.max(0, (r + 0.5) * (grid / 32) - 0.5));
  const small = (r: number, c: number) => {
    const fy = at(r), fx = at(c), y0 = Math.floor(fy), x0 = Math.floor(fx);
    const y1 = Math.min(grid - 1, y0 + 1), x1 = Math.min(grid - 1, x0 + 1), wy = fy - y0, wx = fx - x0;
    return (1 - wy) * ((1 - wx) * l(y0, x0) + wx * l(y0, x1)) + wy * ((1 - wx) * l(y1, x0) + wx * l(y1, x1));
  };
  const y32 = Array.from({ length: 32 * 32 }, (_, q) => small(q >> 5, q & 31));
  const coef: number[] = [];
  for (let v = 0; v < 8; v++) for (let u = 0; u < 8; u++) {
    let s = 0;
    for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) s += y32[r * 32 + c]! * Math.cos(((2 * c + 1) * u * Math.PI) / 64) * Math.cos(((2 * r + 1) * v * Math.PI) / 64);
    coef.push(s);
  }
  const med = coef.slice(1).sort((a, b) => a - b)[31]!;
  return coef.reduce((h, c) => (h << 1n) | (c > med ? 1n : 0n), 0n);
}

describe('fingerprint pixels', () => {
  it('hashes each image by the pHash definition, whatever the grid, with its buffers reused between images', () => {
    for (const grid of [28, 32, 64, 20]) {
      for (const seed of [1, 2]) {
        const rgb = image(grid, seed + grid);
        const luma = new Float64Array(grid * grid);
        lumaPlane(rgb, grid, luma);
        expect(perceptualHash(luma, grid)).toBe(referenceHash(rgb, grid));
      }
    }
  });

  it('derives brightness, contrast and sharpness from one luma plane', () => {
    const grid = 32;
    const rgb = image(grid, 5);
    const luma = new Float64Array(grid * grid);
    lumaPlane(rgb, grid, luma);
    const out = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(2)])) as Record<ImageStatName, Float32Array>;
    computeImageStats(rgb, luma, grid, out, 1);
    const y = Array.from({ length: grid * grid }, (_, p) => 0.299 * rgb[3 * p]! + 0.587 * rgb[3 * p + 1]! + 0.114 * rgb[3 * p + 2]!);
    const mean = y.reduce((a, v) => a + v, 0) / y.length;
    expect(out.brightness[1]).toBeCloseTo(mean, 3);
    expect(out.contrast[1]).toBeCloseTo(Math.sqrt(y.reduce((a, v) => a + (v - mean) ** 2, 0) / y.length), 3);
    let lap = 0;
    for (let r = 1; r < grid - 1; r++) for (let c = 1; c < grid - 1; c++) {
      const p = r * grid + c;
      lap += Math.abs(4 * y[p]! - y[p - grid]! - y[p + grid]! - y[p - 1]! - y[p + 1]!);
    }
    expect(out.sharpness[1]).toBeCloseTo(lap / (grid - 2) ** 2, 3);
    expect(out.brightness[0]).toBe(0);
  });
});
