// The dataset-wide pass's exact isolation (a pattern at a different place per image, its copies perturbed as a
// re-encode perturbs them) and the label-typicality check of trigger-cluster's groups.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../src/detect/trigger-cluster.js';
import { analyseSize } from '../src/detect/patterns/size-analysis.js';
import { binomialTail, labelEnrichment } from '../src/detect/patterns/typicality.js';
import { createRng, randInt } from '../src/util/rng.js';
import { noiseImages as noiseGrid, putGrey } from './fixtures/noise-grid.js';

const G = 16;

function noiseImages(n: number, seed: number): { pixels: Uint8Array; phash: BigUint64Array } {
  return noiseGrid(n, seed, G);
}

function put(pixels: Uint8Array, i: number, x: number, y: number, v: number): void {
  putGrey(pixels, G, i, x, y, v);
}

function analyse(pixels: Uint8Array, phash: BigUint64Array, isolation = true, side = 5, wide = true, maxPerImage = DEFAULT_PARAMS.maxPerImage) {
  const p = DEFAULT_PARAMS;
  const found = p.sizes.find((s) => s.size === side)!;
  const { wide: _, ...narrow } = found;
  const size = wide ? found : narrow;
  return analyseSize({
    pixels, grid: G, phash, size, keepFraction: 1, maxPerImage, minStd: p.minStd, minStructure: p.minStructure,
    noiseFloor: p.noiseFloor, minScore: p.minScore, seed: 1, ...(isolation ? { isolation: p.isolation! } : {}),
  });
}

/** One random grey pattern of side `side` pasted at a random place into each listed image, each pixel perturbed by up to `noise` (20). */
function pasteAtRandomPlaces(pixels: Uint8Array, images: number[], side: number, seed: number, noise = 20): void {
  const rng = createRng(seed);
  const pattern = Array.from({ length: side * side }, () => randInt(rng, 256));
  for (const i of images) {
    const x0 = randInt(rng, G - side), y0 = randInt(rng, G - side);
    for (let k = 0; k < side * side; k++) put(pixels, i, x0 + (k % side), y0 + Math.floor(k / side), pattern[k]! + randInt(rng, 2 * noise + 1) - noise);
  }
}

/** The dataset-wide pass's groups across places at one window size that reach the isolation line. */
function isolatedGroups(pixels: Uint8Array, phash: BigUint64Array, side: number, wide = true, maxPerImage?: number) {
  return analyse(pixels, phash, true, side, wide, maxPerImage).groups.filter((g) => g.isolated && g.score[0]! >= DEFAULT_PARAMS.isolation!.minScore);
}

describe('exact isolation across places', () => {
  it('groups a 6 px pattern pasted at a different place into 6 of 300 noise images, each copy perturbed', () => {
    const { pixels, phash } = noiseImages(300, 21);
    const poisoned = [7, 60, 111, 170, 222, 280];
    pasteAtRandomPlaces(pixels, poisoned, 6, 4);
    const found = isolatedGroups(pixels, phash, 5);
    expect(found.length).toBeGreaterThan(0);
    for (const g of found) expect(Array.from(g.images)).toEqual(poisoned);
  });

  it('groups a 4 px pattern at a different place in 6 of 300 noise images through 4x4 windows, which 5x5 ones miss', () => {
    const { pixels, phash } = noiseImages(300, 24);
    const poisoned = [12, 50, 99, 160, 201, 290];
    pasteAtRandomPlaces(pixels, poisoned, 4, 6);
    const found = isolatedGroups(pixels, phash, 4);
    expect(found.length).toBeGreaterThan(0);
    for (const g of found) expect(Array.from(g.images)).toEqual(poisoned);
    // A 5x5 window around the pattern holds 9 pixels of each image's own noise.
    expect(isolatedGroups(pixels, phash, 5)).toEqual([]);
  });

  it('groups a 3 px pattern among noise images through the wider index over the sparse windows, which the index alone misses', () => {
    // Every window of a noise image kept: at 3x3 the index's pairs chain the noise windows into large components.
    const { pixels, phash } = noiseImages(300, 25);
    const poisoned = [3, 77, 140, 199, 260];
    pasteAtRandomPlaces(pixels, poisoned, 3, 8, 12);
    const found = isolatedGroups(pixels, phash, 3, true, 1000);
    expect(found.length).toBeGreaterThan(0);
    for (const g of found) expect(Array.from(g.images)).toEqual(poisoned);
    expect(isolatedGroups(pixels, phash, 3, false, 1000)).toEqual([]);
  });

  it('finds no group among noise images', () => {
    const { pixels, phash } = noiseImages(300, 22);
    expect(analyse(pixels, phash).groups.filter((g) => g.isolated)).toEqual([]);
    expect(analyse(pixels, phash, true, 4).groups.filter((g) => g.isolated)).toEqual([]);
    expect(analyse(pixels, phash, true, 3).groups.filter((g) => g.isolated)).toEqual([]);
  });
});

describe('label typicality of a pattern', () => {
  it('a pattern most images of one label share is typical of it; a pattern foreign to every label is not', () => {
    const n = 200;
    const { pixels } = noiseImages(n, 23);
    const labels = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 'a' : 'b'));
    const rng = createRng(5);
    const stroke = Array.from({ length: 25 }, () => randInt(rng, 256));
    const trigger = Array.from({ length: 25 }, () => randInt(rng, 256));
    // Every 'a' image holds the stroke somewhere; three images relabelled 'a' hold the trigger.
    for (let i = 0; i < n; i += 5) {
      const x0 = randInt(rng, G - 5), y0 = randInt(rng, G - 5);
      for (let k = 0; k < 25; k++) put(pixels, i, x0 + (k % 5), y0 + Math.floor(k / 5), stroke[k]! + randInt(rng, 21) - 10);
    }
    for (const i of [1, 2, 3]) {
      labels[i] = 'a';
      for (let k = 0; k < 25; k++) put(pixels, i, 4 + (k % 5), 4 + Math.floor(k / 5), trigger[k]!);
    }
    const f = { grid: G, pixels };
    const group = (images: number[], x: number, y: number) => ({ images: Int32Array.from(images), x: new Uint16Array(images.length).fill(x), y: new Uint16Array(images.length).fill(y), size: 5 });
    const { nearest, log10p: lp } = DEFAULT_PARAMS.typicality;
    // The stroke's group: three 'a' images; where their stroke sits does not matter for the others.
    const strokeAt = (i: number): [number, number] => {
      let best: [number, number] = [0, 0], bd = Infinity;
      for (let y = 0; y + 5 <= G; y++) for (let x = 0; x + 5 <= G; x++) {
        let d = 0;
        for (let k = 0; k < 25; k++) d += Math.abs(pixels[((i * G + y + Math.floor(k / 5)) * G + x + (k % 5)) * 3]! - stroke[k]!);
        if (d < bd) [bd, best] = [d, [x, y]];
      }
      return best;
    };
    const [sx, sy] = strokeAt(0);
    const typical = labelEnrichment(f, labels, { images: Int32Array.from([0]), x: Uint16Array.from([sx]), y: Uint16Array.from([sy]), size: 5 }, 'a', nearest, DEFAULT_PARAMS.minStd);
    expect(typical.log10p).toBeGreaterThanOrEqual(lp);
    const foreign = labelEnrichment(f, labels, group([1, 2, 3], 4, 4), 'a', nearest, DEFAULT_PARAMS.minStd);
    expect(foreign.log10p).toBeLessThan(lp);
  });

  it('binomial tail', () => {
    expect(binomialTail(20, 0, 0.1)).toBe(1);
    expect(binomialTail(1, 1, 0.3)).toBeCloseTo(0.3, 10);
    expect(binomialTail(20, 7, 0.1)).toBeCloseTo(0.00239, 4);
  });
});
