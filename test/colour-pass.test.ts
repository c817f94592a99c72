// The colour pass on its own, on raw pixel grids: a pattern whose parts differ in colour, not in brightness.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../src/detect/trigger-cluster.js';
import { analyseColour } from '../src/detect/patterns/colour-pass.js';
import { colourCells, sharesColour } from '../src/detect/patterns/colour-cells.js';
import { colourImages } from './fixtures/colour-blocks.js';
import { noiseImages } from './fixtures/noise-grid.js';
import { createRng, randInt } from '../src/util/rng.js';

const G = 16;

/** n images of G x G pixels, each pixel's RGB from `rgb`. */
function fill(n: number, g: number, rgb: (i: number, x: number, y: number) => number[]): Uint8Array {
  const px = new Uint8Array(n * g * g * 3);
  for (let i = 0; i < n; i++) for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) px.set(rgb(i, x, y), ((i * g + y) * g + x) * 3);
  return px;
}

function run(pixels: Uint8Array, phash: BigUint64Array) {
  const rows = Array.from({ length: (G >> 1) - DEFAULT_PARAMS.colour!.cells + 1 }, (_, r) => r);
  return analyseColour({ kind: 'colour', pixels, grid: G, phash, params: DEFAULT_PARAMS.colour!, rows, minScore: DEFAULT_PARAMS.colourMinScore, seed: 1 });
}

describe('colour pass', () => {
  it('finds an equal-luma two-colour pattern pasted at one place into 5 of 400 colour images', () => {
    const { pixels, phash } = colourImages(400, 3, G);
    // Two colours of about the same luma (~190), in a checker of 2x2 pixel cells, 8 px at (4, 6).
    const colours = [[218, 193, 37], [172, 223, 1]];
    const poisoned = [7, 90, 181, 260, 377];
    for (const i of poisoned) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const c = colours[((x >> 1) + (y >> 1)) % 2]!;
      pixels.set(c, ((i * G + 6 + y) * G + 4 + x) * 3);
    }
    const r = run(pixels, phash);
    expect(r.groups.length).toBeGreaterThan(0);
    for (const g of r.groups) {
      expect(Array.from(g.images)).toEqual(poisoned);
      expect(g.colour).toBe(true);
    }
    let other = 0;
    for (let i = 0; i < 400; i++) if (!poisoned.includes(i)) other = Math.max(other, r.best[i]!);
    expect(other).toBeLessThan(DEFAULT_PARAMS.colourMinScore);
  });

  it('takes no group for one plain colour at a place that only its copies\' noise makes look patterned', () => {
    const { pixels, phash } = colourImages(400, 3, G);
    // A rare plain colour over 8x8 px at (4, 6) in 8 images, each pixel with noise of its own: every window there
    // passes the spread gate, but what the images share (their mean) is one colour.
    const rng = createRng(11);
    const plain = [230, 20, 60];
    const carriers = [3, 51, 99, 150, 201, 250, 300, 351];
    for (const i of carriers) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const o = ((i * G + 6 + y) * G + 4 + x) * 3;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.max(0, Math.min(255, plain[c]! + randInt(rng, 61) - 30));
    }
    const r = run(pixels, phash);
    expect(r.windows).toBeGreaterThan(0);
    for (const g of r.groups) expect(Array.from(g.images).some((i) => carriers.includes(i))).toBe(false);
    for (const i of carriers) expect(r.best[i]).toBe(0);
  });

  it('tells the copies of a pattern from windows of its colours at another brightness', () => {
    const { pixels, phash } = colourImages(400, 5, G);
    const rgb = (y: number, cb: number, cr: number) => [y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb].map((v) => Math.max(0, Math.min(255, Math.round(v))));
    // A checker of two colours (Cb, Cr) on 2x2 pixel cells, 8 px at (4, 6): pasted as is into 5 images, and with
    // the same colours at other brightness into 6 more.
    const paste = (i: number, y: number) => {
      const colours = [rgb(y, 40, -30), rgb(y, -35, 25)];
      for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) pixels.set(colours[((dx >> 1) + (dy >> 1)) % 2]!, ((i * G + 6 + dy) * G + 4 + dx) * 3);
    };
    const poisoned = [12, 80, 160, 240, 320];
    for (const i of poisoned) paste(i, 120);
    [30, 110, 190, 270, 350, 390].forEach((i, j) => paste(i, [90, 100, 108, 132, 140, 150][j]!));
    const r = run(pixels, phash);
    const found = r.groups.filter((g) => Array.from(g.images).some((i) => poisoned.includes(i)));
    expect(found.length).toBeGreaterThan(0);
    for (const g of found) expect(Array.from(g.images)).toEqual(poisoned);
  });

  it('keys no window of grey images, whatever they hold', () => {
    const { pixels, phash } = noiseImages(300, 4, G);
    const r = run(pixels, phash);
    expect(r.windows).toBe(0);
    expect(r.groups).toEqual([]);
    expect(Math.max(...r.best)).toBe(0);
  });

  it('takes a checker of two colours for a shared colour pattern, and the noise of one plain colour for none', () => {
    const G8 = 8, C = 3, n = 5;
    const { chroma: checker } = colourCells(fill(n, G8, (i, x, y) => (((x >> 1) + (y >> 1)) % 2 ? [218, 193, 37] : [172, 223, 1])), G8, n);
    const rng = createRng(4);
    const { chroma: plain } = colourCells(fill(n, G8, () => [230, 20, 60].map((v) => Math.max(0, Math.min(255, v + randInt(rng, 61) - 30)))), G8, n);
    const members = [0, 1, 2, 3, 4];
    expect(sharesColour(members, n, checker, G8 >> 1, C, 0, 0, 5)).toBe(true);
    expect(sharesColour(members, n, plain, G8 >> 1, C, 0, 0, 5)).toBe(false);
  });

  it('averages each 2x2 cell: Cb and Cr of grey are 0', () => {
    const { pixels } = noiseImages(2, 5, G);
    const { chroma } = colourCells(pixels, G, 2);
    expect(chroma.every((v) => v === 0)).toBe(true);
  });
});
