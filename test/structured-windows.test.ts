// The most structured windows kept beside the gradient-energy budget, and windows compared after 2x2 averaging.
import { describe, expect, it } from 'vitest';
import { extractWindows, type WindowSet } from '../src/detect/patterns/windows.js';
import { smoothedWindows } from '../src/detect/patterns/size-analysis.js';
import { createRng, randInt } from '../src/util/rng.js';
import { putGrey } from './fixtures/noise-grid.js';

const G = 16;

/** Smooth images (a gentle ramp) with a block of high-contrast noise each, and a low-contrast checker pattern in some. */
function images(n: number, marked: number[], seed: number): { pixels: Uint8Array; at: Map<number, [number, number]> } {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * G * G * 3);
  for (let i = 0; i < n; i++) {
    const base = 60 + randInt(rng, 120);
    const bx = randInt(rng, G - 6), by = randInt(rng, G - 6), lift = 60 + randInt(rng, 60);
    for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
      const noise = x >= bx && x < bx + 6 && y >= by && y < by + 6 ? randInt(rng, 2 * lift + 1) - lift : 0;
      putGrey(pixels, G, i, x, y, base + 2 * x + y + noise);
    }
  }
  const at = new Map<number, [number, number]>();
  for (const i of marked) {
    const x0 = randInt(rng, G - 5), y0 = randInt(rng, G - 5);
    at.set(i, [x0, y0]);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) putGrey(pixels, G, i, x0 + x, y0 + y, 120 + ((x + y) % 2 ? 14 : -14));
  }
  return { pixels, at };
}

const opts = { sizes: [5], keepFraction: 0.01, maxPerImage: 96, minStd: 4, minStructure: 1.2 };

function key(ws: WindowSet, w: number): string {
  return `${ws.image[w]}:${ws.x[w]},${ws.y[w]}`;
}

describe('windows kept for their structure', () => {
  it('keeps a low-contrast hard-edged pattern that the energy budget drops, and marks it', () => {
    const marked = [3, 40, 77];
    const { pixels, at } = images(120, marked, 5);
    const [plain] = extractWindows({ grid: G, pixels }, opts);
    const [both] = extractWindows({ grid: G, pixels }, { ...opts, structureShare: 0.01 });
    // Windows wholly inside the checker pattern.
    const inMarked = (ws: WindowSet, w: number) => {
      const p = at.get(ws.image[w]!);
      return !!p && ws.x[w] === p[0] && ws.y[w] === p[1];
    };
    let plainMarked = 0;
    for (let w = 0; w < plain!.count; w++) if (inMarked(plain!, w)) plainMarked++;
    const extra = new Set<number>();
    for (let w = 0; w < both!.count; w++) if (both!.byStructure![w] && inMarked(both!, w)) extra.add(both!.image[w]!);
    expect(plainMarked).toBe(0);
    expect([...extra].sort((a, b) => a - b)).toEqual(marked);
    expect(plain!.byStructure).toBeUndefined();
  });

  it('leaves the energy-selected windows as they were', () => {
    const { pixels } = images(120, [3, 40, 77], 6);
    const [plain] = extractWindows({ grid: G, pixels }, opts);
    const [both] = extractWindows({ grid: G, pixels }, { ...opts, structureShare: 0.01 });
    const kept: string[] = [];
    for (let w = 0; w < both!.count; w++) if (!both!.byStructure![w]) kept.push(key(both!, w));
    expect(kept).toEqual(Array.from({ length: plain!.count }, (_, w) => key(plain!, w)));
  });
});

describe('2x2-averaged windows', () => {
  it('brings two copies that differ at the pixel scale closer, relative to their contrast', () => {
    const pixels = new Uint8Array(2 * G * G * 3);
    const rng = createRng(3);
    const pattern = Array.from({ length: 25 }, (_, k) => ((k % 5) < 2 ? 90 : 150) + randInt(rng, 11));
    for (const i of [0, 1]) {
      for (let k = 0; k < 25; k++) {
        // The copies differ by a pixel-scale alternation, as a re-encode at another block offset leaves them.
        const wobble = ((k % 5) + Math.floor(k / 5)) % 2 ? 12 : -12;
        putGrey(pixels, G, i, 4 + (k % 5), 4 + Math.floor(k / 5), pattern[k]! + (i ? wobble : -wobble));
      }
    }
    const [ws] = extractWindows({ grid: G, pixels }, { sizes: [5], keepFraction: 1, maxPerImage: 1000, minStd: 1, minStructure: 0 });
    const at = (set: WindowSet, i: number) => {
      for (let w = 0; w < set.count; w++) if (set.image[w] === i && set.x[w] === 4 && set.y[w] === 4) return w;
      throw new Error('window not kept');
    };
    const dist = (set: WindowSet) => {
      const a = at(set, 0), b = at(set, 1);
      let s = 0;
      for (let d = 0; d < set.dim; d++) s += (set.vectors[a * set.dim + d]! - set.vectors[b * set.dim + d]!) ** 2;
      return Math.sqrt(s);
    };
    const sm = smoothedWindows(ws!);
    expect(sm.dim).toBe(16);
    expect(sm.size).toBe(4);
    expect(dist(sm)).toBeLessThan(0.5 * dist(ws!));
    // Mean and contrast describe the averaged luma itself.
    const w = at(sm, 0);
    let norm = 0, sum = 0;
    for (let d = 0; d < 16; d++) {
      norm += sm.vectors[w * 16 + d]! ** 2;
      sum += sm.vectors[w * 16 + d]!;
    }
    expect(norm).toBeCloseTo(1, 4);
    expect(Math.abs(sum)).toBeLessThan(1e-4);
  });
});
