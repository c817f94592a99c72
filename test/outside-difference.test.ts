// The difference outside a pattern group's boxes: copies of one picture shifted a little are alike in the pattern's
// frame, images that only share a pasted pattern are not, and a group at one place is measured as before.
import { describe, expect, it } from 'vitest';
import type { ImageFeatures } from '../src/model/image-features.js';
import { outsideDifference } from '../src/detect/patterns/outside-difference.js';
import { DEFAULT_PARAMS } from '../src/detect/trigger-cluster.js';
import { createRng, randInt } from '../src/util/rng.js';
import { syntheticImage } from './fixtures/synthetic-images.js';

const G = 32;
const S = 6;

/** Images of G x G cut from sources at the given offsets, with the same S x S pattern written at each box. */
function features(cuts: { source: Uint8Array; side: number; dx: number; dy: number; bx: number; by: number }[], rng: () => number) {
  const pattern = Array.from({ length: S * S * 3 }, () => randInt(rng, 256));
  const pixels = new Uint8Array(cuts.length * G * G * 3);
  cuts.forEach((c, i) => {
    for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) for (let ch = 0; ch < 3; ch++) {
      const inBox = x >= c.bx && y >= c.by && x < c.bx + S && y < c.by + S;
      const v = inBox ? pattern[((y - c.by) * S + (x - c.bx)) * 3 + ch]! : c.source[((y + c.dy) * c.side + x + c.dx) * 3 + ch]!;
      // A little noise of its own per copy, as re-encoding leaves.
      pixels[((i * G + y) * G + x) * 3 + ch] = Math.max(0, Math.min(255, v + randInt(rng, 5) - 2));
    }
  });
  const f = { grid: G, pixels } as unknown as ImageFeatures;
  const g = { size: S, images: Int32Array.from(cuts, (_, i) => i), x: Uint16Array.from(cuts, (c) => c.bx), y: Uint16Array.from(cuts, (c) => c.by) };
  return { f, g };
}

describe('outsideDifference', () => {
  const rng = createRng(7);
  const big = syntheticImage(rng, 40);

  it('finds shifted copies of one picture alike in the pattern frame, though not in their own', () => {
    // Four cuts of one 40 px picture, 0-3 px apart; the pattern moves with the picture.
    const shifts = [[0, 0], [2, 1], [3, 3], [1, 2]] as const;
    const { f, g } = features(shifts.map(([dx, dy]) => ({ source: big, side: 40, dx, dy, bx: 12 - dx, by: 10 - dy })), rng);
    expect(outsideDifference(f, g)).toBeLessThan(DEFAULT_PARAMS.minOutsideDifference);
    // The same images measured only pixel against pixel differ: the picture's edges moved.
    const atOwn = features(shifts.map(([dx, dy]) => ({ source: big, side: 40, dx, dy, bx: 12, by: 10 })), rng);
    expect(outsideDifference(atOwn.f, atOwn.g)).toBeGreaterThan(5);
  });

  it('finds unrelated pictures that share a pasted pattern at different places unlike in both frames', () => {
    const places = [[3, 4], [20, 7], [11, 22], [25, 25]] as const;
    const { f, g } = features(places.map(([bx, by]) => ({ source: syntheticImage(rng, G), side: G, dx: 0, dy: 0, bx, by })), rng);
    expect(outsideDifference(f, g)).toBeGreaterThan(DEFAULT_PARAMS.minOutsideDifference);
  });
});
