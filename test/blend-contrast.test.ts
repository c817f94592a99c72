import { describe, expect, it } from 'vitest';
import { startsLine } from '../src/detect/blend.js';
import { contrastCoefficients, contrastTails, sharedWhitening } from '../src/detect/blend/contrast.js';
import { whitenedSpectra } from '../src/detect/blend/spectra.js';
import { oneSidedTail, TAIL_Z } from '../src/detect/blend/template.js';
import { IMAGE_STAT_NAMES, type ImageFeatures } from '../src/model/image-features.js';
import { createRng } from '../src/util/rng.js';

const G = 32;
const PER_CLASS = 300;

/**
 * Three classes of textured images whose low frequencies vary much (smooth blobs of random place and brightness);
 * in class 0 the first `carriers` images carry a sinusoid of 2.5 cycles per image added at amplitude `delta`.
 */
function images(carriers: number, delta: number): ImageFeatures {
  const rng = createRng(11);
  const n = 3 * PER_CLASS;
  const pixels = new Uint8Array(n * G * G * 3);
  for (let i = 0; i < n; i++) {
    const blobs = Array.from({ length: 3 }, () => ({ x: rng() * G, y: rng() * G, r: 4 + rng() * 8, v: (rng() - 0.5) * 120 }));
    const base = 80 + rng() * 90;
    const carrier = i < carriers;
    for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
      let v = base + (rng() - 0.5) * 16;
      for (const b of blobs) v += b.v * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
      if (carrier) v += delta * Math.sin((2 * Math.PI * 2.5 * (0.8 * x + 0.6 * y)) / G + 0.7);
      for (let c = 0; c < 3; c++) pixels[((i * G + y) * G + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(n)])) as ImageFeatures['stats'];
  return { grid: G, pixels, stats, phash: new BigUint64Array(n), file: {} as ImageFeatures['file'] };
}

const classes = [0, 1, 2].map((c) => Array.from({ length: PER_CLASS }, (_, t) => c * PER_CLASS + t));

describe('blend contrast starts', () => {
  it('uses low-frequency luma coefficients only, without the layout', () => {
    const coefs = contrastCoefficients();
    // Luma: indices below 12 in both directions but for the 4 x 4 layout.
    expect(coefs.length).toBe(12 * 12 - 16);
    expect(Math.max(...coefs)).toBe(11 * 32 + 11);
    expect(coefs[0]).toBe(4);
  });

  it('finds a slow sinusoid carried by some of a class, and nothing of the kind in a class without it', () => {
    const s = whitenedSpectra(images(24, 24));
    const shared = sharedWhitening(s, classes)!;
    const best = (k: number) => contrastTails(s, classes[k]!, shared).sort((a, b) => b.significance - a.significance)[0]!;
    const found = best(0);
    const tail = classes[0]!.filter((_, t) => found.z[t]! >= TAIL_Z);
    expect(tail.filter((i) => i < 24).length).toBeGreaterThanOrEqual(20);
    expect(tail.length).toBeLessThanOrEqual(28);
    expect(best(1).significance).toBeLessThan(found.significance / 2);
    expect(oneSidedTail(found.z).significance).toBe(found.significance);
  });

  it('contrasts nothing in unlabelled data (one class)', () => {
    const s = whitenedSpectra(images(0, 0));
    expect(sharedWhitening(s, [classes.flat()])).toBeUndefined();
  });
});

describe('blend significance line over several starts', () => {
  it('is the one-start line for one start and rises slowly with the number of starts', () => {
    expect(startsLine(4, 1)).toBe(4);
    expect(startsLine(4, 9)).toBeGreaterThan(4.4);
    expect(startsLine(4, 9)).toBeLessThan(4.6);
    expect(startsLine(4, 17)).toBeGreaterThan(startsLine(4, 9));
    expect(startsLine(4, 17)).toBeLessThan(4.8);
  });
});
