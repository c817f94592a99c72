// The colour pass on its own, on raw pixel grids: a pattern whose parts differ in colour, not in brightness.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../src/detect/trigger-cluster.js';
import { analyseColour, colourCells } from '../src/detect/patterns/colour-pass.js';
import { colourImages } from './fixtures/colour-blocks.js';
import { noiseImages } from './fixtures/noise-grid.js';

const G = 16;


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

  it('keys no window of grey images, whatever they hold', () => {
    const { pixels, phash } = noiseImages(300, 4, G);
    const r = run(pixels, phash);
    expect(r.windows).toBe(0);
    expect(r.groups).toEqual([]);
    expect(Math.max(...r.best)).toBe(0);
  });

  it('averages each 2x2 cell: Cb and Cr of grey are 0', () => {
    const { pixels } = noiseImages(2, 5, G);
    const { chroma } = colourCells(pixels, G, 2);
    expect(chroma.every((v) => v === 0)).toBe(true);
  });
});
