import { describe, expect, it } from 'vitest';
import { labelEnrichment } from '../src/detect/patterns/typicality.js';
import { imageLuma, type PixelGrid } from '../src/detect/patterns/windows.js';

/** Every window of every image measured exactly: what labelEnrichment's pruning must reproduce to the last bit. */
function nearestDistances(f: PixelGrid, members: { images: Int32Array; x: Uint16Array; y: Uint16Array; size: number }, n: number, minStd: number): Float32Array {
  const g = f.grid, s = members.size, dim = s * s;
  const luma = new Float32Array(g * g), win = new Float32Array(dim), centre = new Float32Array(dim);
  const norm = (x: number, y: number): number => {
    let sum = 0;
    for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) sum += luma[(y + dy) * g + x + dx]!;
    const mean = sum / dim;
    let sq = 0;
    for (let dy = 0, k = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++, k++) {
      const v = luma[(y + dy) * g + x + dx]! - mean;
      win[k] = v;
      sq += v * v;
    }
    const c = Math.sqrt(sq);
    if (c > 0) for (let k = 0; k < dim; k++) win[k]! /= c;
    return c;
  };
  const k = members.images.length;
  for (let j = 0; j < k; j++) {
    imageLuma(f, members.images[j]!, luma);
    if (norm(members.x[j]!, members.y[j]!) > 0) for (let d = 0; d < dim; d++) centre[d] += win[d]! / k;
  }
  const best = new Float32Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    if (members.images.includes(i)) continue;
    imageLuma(f, i, luma);
    let b = Infinity;
    for (let y = 0; y + s <= g; y++) for (let x = 0; x + s <= g; x++) {
      if (norm(x, y) < minStd * s) continue;
      let d2 = 0;
      for (let d = 0; d < dim; d++) d2 += (win[d]! - centre[d]!) ** 2;
      if (d2 < b) b = d2;
    }
    best[i] = b;
  }
  return best;
}

describe('labelEnrichment', () => {
  it('finds the same nearest images as measuring every window exactly', () => {
    let state = 7;
    const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const g = 16, n = 120, size = 4;
    const pixels = new Uint8Array(n * g * g * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rand() * 256 * rand());
    // A shared pattern pasted into five images, and a near copy of it into a few others.
    const pattern = Array.from({ length: size * size }, () => (rand() < 0.5 ? 20 : 230));
    const paste = (i: number, x: number, y: number, noise: number) => {
      for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) for (let c = 0; c < 3; c++) {
        const v = pattern[dy * size + dx]! + Math.round((rand() - 0.5) * noise);
        pixels[((i * g + y + dy) * g + x + dx) * 3 + c] = Math.max(0, Math.min(255, v));
      }
    };
    const images = Int32Array.from([3, 17, 40, 66, 90]);
    for (const i of images) paste(i, 5, 6, 0);
    for (const i of [10, 11, 50, 51, 52, 100]) paste(i, Math.floor(rand() * 12), Math.floor(rand() * 12), 60);
    const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : null));
    const f = { grid: g, pixels };
    const members = { images, x: new Uint16Array(5).fill(5), y: new Uint16Array(5).fill(6), size };
    const got = labelEnrichment(f, labels, members, 'a', 10, 2);
    const best = nearestDistances(f, members, n, 2);
    const order = Array.from(best.keys()).filter((i) => labels[i] !== null && Number.isFinite(best[i]!)).sort((a, b) => best[a]! - best[b]! || a - b);
    const top = order.slice(0, 10);
    expect(got.nearest).toBe(10);
    expect(got.withLabel).toBe(top.filter((i) => labels[i] === 'a').length);
    expect(top.slice(0, 3).some((i) => [10, 11, 50, 51, 52, 100].includes(i))).toBe(true);
  });
});
