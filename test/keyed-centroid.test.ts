// The keyed-centroid pass (inside the colour pass) on raw pixel grids: a 4 px pattern whose two colours have
// the same luma, at one place, smaller than the colour pass's own windows.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../src/detect/trigger-cluster.js';
import { analyseColour } from '../src/detect/patterns/colour-pass.js';
import { KEYED_PARAMS, keyedLine } from '../src/detect/patterns/keyed-centroid.js';
import { colourImages } from './fixtures/colour-blocks.js';

const G = 16;


function run(pixels: Uint8Array, phash: BigUint64Array, keyed = true) {
  const params = { ...DEFAULT_PARAMS.colour!, keyed: keyed ? KEYED_PARAMS : null };
  const rows = Array.from({ length: (G >> 1) - params.cells + 1 }, (_, r) => r);
  return analyseColour({ kind: 'colour', pixels, grid: G, phash, params, rows, minScore: DEFAULT_PARAMS.colourMinScore, seed: 1 });
}

/** Two colours of about the same luma (~190) in a checker of 2x2 pixel cells, 4 px at (6, 4), in `images`. */
function paste(pixels: Uint8Array, images: number[]): void {
  const colours = [[218, 193, 37], [172, 223, 1]];
  for (const i of images) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    pixels.set(colours[((x >> 1) + (y >> 1)) % 2]!, ((i * G + 4 + y) * G + 6 + x) * 3);
  }
}

describe('keyed-centroid pass', () => {
  it('finds an equal-luma 4 px pattern pasted at one place into 5 of 400 images, which the colour pass alone misses', () => {
    const { pixels, phash } = colourImages(400, 3, G);
    const poisoned = [7, 90, 181, 260, 377];
    paste(pixels, poisoned);
    expect(run(pixels, phash, false).groups).toEqual([]);
    const r = run(pixels, phash);
    expect(r.groups.length).toBeGreaterThan(0);
    for (const g of r.groups) {
      expect(Array.from(g.images)).toEqual(poisoned);
      expect(g.colour).toBe(true);
      expect(g.size).toBe(4);
      expect(g.score[0]).toBeGreaterThanOrEqual(DEFAULT_PARAMS.colourMinScore);
    }
    let other = 0;
    for (let i = 0; i < 400; i++) if (!poisoned.includes(i)) other = Math.max(other, r.best[i]!);
    expect(other).toBeLessThan(DEFAULT_PARAMS.colourMinScore);
  });

  it('gives no group on the same images without the pattern', () => {
    const { pixels, phash } = colourImages(400, 3, G);
    const r = run(pixels, phash);
    expect(r.groups).toEqual([]);
    expect(Math.max(...r.best)).toBeLessThan(DEFAULT_PARAMS.colourMinScore);
  });

  it('raises its line with the dataset size, never below it at small sizes', () => {
    expect(keyedLine(KEYED_PARAMS, 400)).toBe(KEYED_PARAMS.line);
    expect(keyedLine(KEYED_PARAMS, 40_000)).toBeCloseTo(KEYED_PARAMS.line + 2 * KEYED_PARAMS.linePerDoubling);
  });
});
