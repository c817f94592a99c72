// The per-position pass on its own, on raw pixel grids (no decoding): what becomes a candidate and a group.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../src/detect/trigger-cluster.js';
import { analysePositions, strideStarts, type PositionInput } from '../src/detect/patterns/position-pass.js';
import { randomPalette } from '../src/attack/colours.js';
import { createRng, randInt } from '../src/util/rng.js';
import { noiseImages as noiseGrid, putGrey } from './fixtures/noise-grid.js';

const G = 16;

function noiseImages(n: number, seed: number): { pixels: Uint8Array; phash: BigUint64Array } {
  return noiseGrid(n, seed, G);
}

function put(pixels: Uint8Array, i: number, x: number, y: number, v: number): void {
  putGrey(pixels, G, i, x, y, v);
}

function run(pixels: Uint8Array, phash: BigUint64Array, over: Partial<PositionInput> = {}) {
  const p = DEFAULT_PARAMS;
  const params = { ...p.positions!, stride: 2 };
  return analysePositions({
    kind: 'position', pixels, grid: G, phash, params, bands: strideStarts(G, params.size, 2).map((_, b) => b),
    minStd: p.minStd, minStructure: p.positionIndexStructure, memberStructure: p.positionMemberStructure,
    maxPeakShare: p.positionMaxPeakShare, noiseFloor: p.positionNoiseFloor, minScore: p.positionMinScore, seed: 1, ...over,
  });
}

describe('per-position pass', () => {
  it('finds a 5 px pattern pasted at one place into 5 of 300 noise images, and nothing else', () => {
    const { pixels, phash } = noiseImages(300, 5);
    const rng = createRng(9);
    const pattern = Array.from({ length: 25 }, () => randInt(rng, 256));
    const poisoned = [3, 50, 120, 200, 290];
    for (const i of poisoned) for (let k = 0; k < 25; k++) put(pixels, i, 7 + (k % 5), 5 + Math.floor(k / 5), pattern[k]!);
    const r = run(pixels, phash);
    expect(r.groups.length).toBeGreaterThan(0);
    for (const g of r.groups) {
      expect(Array.from(g.images)).toEqual(poisoned);
      expect(g.atPlace).toBe(true);
    }
  });

  it('leaves out windows whose contrast sits in one pixel (a speck repeated exactly at a place)', () => {
    const { pixels, phash } = noiseImages(300, 6);
    // A flat square in every image, a lone lit pixel inside it in 8: exact repeats, isolated, but not a pattern.
    for (let i = 0; i < 300; i++) for (let y = 4; y < 10; y++) for (let x = 4; x < 10; x++) put(pixels, i, x, y, 20);
    for (let i = 0; i < 8; i++) put(pixels, i * 30, 7, 7, 220);
    expect(run(pixels, phash).groups).toEqual([]);
    // Without the gate the specks form a group: the gate is what keeps them out.
    expect(run(pixels, phash, { maxPeakShare: 1 }).groups.length).toBeGreaterThan(0);
  });

  it('isolates copies of a pattern from look-alikes of the same shape at another brightness and contrast', () => {
    const { pixels, phash } = noiseImages(300, 8);
    const rng = createRng(13);
    const shape = Array.from({ length: 25 }, () => randInt(rng, 256) - 128);
    const poisoned = [5, 70, 140, 210, 280];
    // The pasted pixels, each copy perturbed by up to 6 (as a re-encode perturbs them).
    for (const i of poisoned) for (let k = 0; k < 25; k++) put(pixels, i, 7 + (k % 5), 5 + Math.floor(k / 5), 120 + 0.4 * shape[k]! + randInt(rng, 13) - 6);
    // Natural look-alikes at the same place: the same shape, exactly, brighter or darker and of other contrast.
    for (let j = 0; j < 12; j++) {
      const i = 21 + 20 * j;
      const gain = 0.5 + 0.05 * j, offset = j % 2 ? 70 : 170;
      for (let k = 0; k < 25; k++) put(pixels, i, 7 + (k % 5), 5 + Math.floor(k / 5), offset + gain * shape[k]!);
    }
    const groups = (absolute: boolean) => run(pixels, phash, { params: { ...DEFAULT_PARAMS.positions!, stride: 2, absolute } }).groups;
    // On the shape alone the copies are no closer to each other than to the look-alikes.
    expect(groups(false).some((g) => Array.from(g.images).join() === poisoned.join())).toBe(false);
    const found = groups(true);
    expect(found.length).toBeGreaterThan(0);
    for (const g of found) expect(Array.from(g.images)).toEqual(poisoned);
  });

  it('finds cells of colours of one luma (they differ in hue only) at one place, through the colour channels', () => {
    // Colour noise: every pixel a random colour.
    const rng = createRng(21);
    const n = 300;
    const pixels = new Uint8Array(n * G * G * 3);
    for (let k = 0; k < pixels.length; k++) pixels[k] = randInt(rng, 256);
    const phash = new BigUint64Array(n);
    for (let i = 0; i < n; i++) phash[i] = (BigInt(randInt(rng, 2 ** 31)) << 33n) ^ BigInt(i);
    // A freshly drawn pair of colours of equal luma, as 3x3 cells of 2 px (each colour used), each copy perturbed.
    const palette = randomPalette(rng, 2, true);
    const cells = Array.from({ length: 9 }, (_, k) => (k < 2 ? k : randInt(rng, 2)));
    const poisoned = [4, 61, 130, 199, 270];
    for (const i of poisoned) for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) {
      const colour = palette[cells[Math.floor(y / 2) * 3 + Math.floor(x / 2)]!]!;
      const o = ((i * G + 4 + y) * G + 6 + x) * 3;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.max(0, Math.min(255, colour[c]! + randInt(rng, 9) - 4));
    }
    const groups = (chroma: number) => run(pixels, phash, { params: { ...DEFAULT_PARAMS.positions!, stride: 2, chroma } }).groups;
    // On luma alone the pattern is flat: no window there passes the gates.
    expect(groups(0).some((g) => poisoned.includes(g.images[0]!))).toBe(false);
    const found = groups(0.5);
    expect(found.length).toBeGreaterThan(0);
    for (const g of found) expect(Array.from(g.images)).toEqual(poisoned);
  });

  it('measures a group at the box of the whole pattern, where its copies agree on more pixels than chance does', () => {
    const { pixels, phash } = noiseImages(300, 12);
    const rng = createRng(17);
    const pattern = Array.from({ length: 36 }, () => randInt(rng, 256));
    const poisoned = [8, 66, 133, 187, 244];
    // A 6 px pattern at (5, 3), each copy perturbed by up to 25: of the pass's windows (4 px on a stride of 2) only
    // the one at (6, 4) lies inside it. A natural window matches 16 pixels by chance more often than 36.
    for (const i of poisoned) for (let k = 0; k < 36; k++) put(pixels, i, 5 + (k % 6), 3 + Math.floor(k / 6), pattern[k]! + randInt(rng, 51) - 25);
    const groups = (box: boolean) => {
      const { box: search, ...rest } = DEFAULT_PARAMS.positions!;
      return run(pixels, phash, { minScore: 0, params: { ...rest, stride: 2, ...(box ? { box: search } : {}) } }).groups.filter((g) => Array.from(g.images).join() === poisoned.join());
    };
    const fixed = groups(false), searched = groups(true);
    expect(fixed.length).toBeGreaterThan(0);
    expect(searched.length).toBeGreaterThan(0);
    const best = searched.sort((a, b) => b.score[0]! - a.score[0]!)[0]!;
    // Grown inside the pattern, and better isolated there.
    expect(best.size).toBeGreaterThan(4);
    expect(best.x[0]!).toBeGreaterThanOrEqual(5);
    expect(best.y[0]!).toBeGreaterThanOrEqual(3);
    expect(best.x[0]! + best.size).toBeLessThanOrEqual(11);
    expect(best.y[0]! + best.size).toBeLessThanOrEqual(9);
    expect(best.score[0]!).toBeGreaterThan(Math.max(...fixed.map((g) => g.score[0]!)));
  });

  it('does not isolate a pattern shared by 2 images only', () => {
    const { pixels, phash } = noiseImages(300, 7);
    const rng = createRng(11);
    const pattern = Array.from({ length: 25 }, () => randInt(rng, 256));
    for (const i of [10, 20]) for (let k = 0; k < 25; k++) put(pixels, i, 7 + (k % 5), 5 + Math.floor(k / 5), pattern[k]!);
    const r = run(pixels, phash, { minScore: 0 });
    expect(r.groups).toEqual([]);
    expect(r.best[10]).toBe(0);
  });
});
