import { describe, expect, it } from 'vitest';
import { bestBox, boxContext, measureBox, type BoxSearch } from '../src/detect/patterns/place-box.js';
import { cutScore, isolationScratch } from '../src/detect/patterns/isolation.js';
import type { SizeGroup } from '../src/detect/patterns/size-analysis.js';
import { createRng } from '../src/util/rng.js';

const GRID = 16;

/** Perceptual hashes far apart (no two images are near-duplicates). */
function hashes(n: number): BigUint64Array {
  const rng = createRng(1);
  return BigUint64Array.from({ length: n }, () => (BigInt(Math.floor(rng() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng() * 2 ** 32)));
}

/** n smooth random images, a pattern of side `side` pasted at (px, py) into `carriers` (with a little noise). */
function images(n: number, carriers: number[], side: number, px: number, py: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * GRID * GRID * 3);
  for (let i = 0; i < n; i++) {
    const base = 40 + rng() * 150, gx = (rng() - 0.5) * 8, gy = (rng() - 0.5) * 8;
    for (let y = 0; y < GRID; y++) for (let x = 0; x < GRID; x++) for (let c = 0; c < 3; c++) {
      pixels[((i * GRID + y) * GRID + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + gx * x + gy * y + (rng() - 0.5) * 30)));
    }
  }
  const pattern = Array.from({ length: side * side * 3 }, () => Math.round(rng() * 255));
  for (const i of carriers) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
    const v = pattern[(y * side + x) * 3 + c]! + Math.round((rng() - 0.5) * 6);
    pixels[((i * GRID + py + y) * GRID + px + x) * 3 + c] = Math.max(0, Math.min(255, v));
  }
  return pixels;
}

/** Every box read in full for every image compared: the search as first written, for reference. */
function reference(pixels: Uint8Array, n: number, g: SizeGroup, search: BoxSearch, seed: number): SizeGroup | null {
  const ctx = boxContext(pixels, GRID, n, 1.0, 0.15, 8, isolationScratch(hashes(n)), search, seed);
  const measure = (b: { x: number; y: number; s: number }, sampled: boolean, members = Array.from(g.images)) => {
    const s = b.s, dim = s * s, centre = new Float32Array(dim);
    const read = (i: number, out: Float32Array | null, r2: number): number => {
      let d2 = 0, k = 0;
      for (let y = 0; y < s; y++) {
        let o = ((i * GRID + b.y + y) * GRID + b.x) * 3;
        for (let x = 0; x < s; x++, k++, o += 3) {
          const v = 0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]!;
          if (out) out[k] = out[k]! + v;
          else d2 += (v - centre[k]!) ** 2;
        }
        if (!out && d2 >= r2) return d2;
      }
      return d2;
    };
    for (const i of members) read(i, centre, 0);
    let sum = 0, sq = 0;
    for (let k = 0; k < dim; k++) {
      const v = (centre[k] = centre[k]! / members.length);
      sum += v;
      sq += v * v;
    }
    const unit = Math.sqrt(Math.max(0, sq - (sum * sum) / dim));
    if (unit < 8 * s) return null;
    const r2 = unit ** 2;
    const nearW: number[] = [], nearD: number[] = [];
    const visit = (i: number) => {
      const d2 = read(i, null, r2);
      if (d2 < r2) {
        nearW.push(i);
        nearD.push(Math.fround(Math.sqrt(d2) / unit));
      }
    };
    if (sampled) {
      const seen = new Set<number>();
      for (const i of ctx.sample) {
        seen.add(i);
        visit(i);
      }
      for (const i of members) if (!seen.has(i)) visit(i);
    } else for (let i = 0; i < n; i++) visit(i);
    const cut = cutScore({ image: ctx.identity } as never, nearW, nearD, 1.0, 0.15, ctx.scratch);
    if (cut.k < 2) return null;
    return { score: cut.score, members: cut.kept.slice(0, cut.k), dist: cut.keptD.slice(0, cut.k), next: cut.k < cut.kept.length ? cut.keptD[cut.k]! : 1.0 };
  };
  const boxes: { b: { x: number; y: number; s: number }; score: number }[] = [];
  const cx = g.x[0]! + (g.size >> 1), cy = g.y[0]! + (g.size >> 1);
  for (let s = search.minSide; s <= search.maxSide; s++) {
    for (let y = Math.max(0, cy - s + 1); y <= cy - 1 && y + s <= GRID; y++) {
      for (let x = Math.max(0, cx - s + 1); x <= cx - 1 && x + s <= GRID; x++) {
        if (s === g.size && x === g.x[0]! && y === g.y[0]!) continue;
        const m = measure({ x, y, s }, ctx.sample.length !== n);
        if (m) boxes.push({ b: { x, y, s }, score: m.score });
      }
    }
  }
  boxes.sort((a, b) => b.score - a.score);
  let best: ReturnType<typeof measure> = null, at: { x: number; y: number; s: number } | null = null;
  for (const { b } of boxes.slice(0, search.measured)) {
    let m = measure(b, false);
    // Re-centred once on the members found at the box, when they differ from the group's.
    const found = m ? [...m.members].sort((p, q) => p - q) : [];
    if (m && found.length >= 3 && found.join() !== Array.from(g.images).join()) m = measure(b, false, found) ?? m;
    if (m && m.score > (best?.score ?? g.score[0]!)) {
      best = m;
      at = b;
    }
  }
  if (!best || !at) return null;
  const m = best, k = m.members.length;
  const order = m.members.map((_, j) => j).sort((a, b) => m.members[a]! - m.members[b]!);
  return {
    size: at.s, atPlace: true, images: Int32Array.from(order, (j) => m.members[j]!), x: new Uint16Array(k).fill(at.x), y: new Uint16Array(k).fill(at.y),
    score: new Float32Array(k).fill(m.score), reach: Float32Array.from(order, (j) => m.dist[j]!), next: new Float32Array(k).fill(m.next),
  };
}

function group(images: number[], x: number, y: number, score: number): SizeGroup {
  const k = images.length;
  return { size: 4, atPlace: true, images: Int32Array.from(images), x: new Uint16Array(k).fill(x), y: new Uint16Array(k).fill(y), score: new Float32Array(k).fill(score), reach: new Float32Array(k), next: new Float32Array(k) };
}

describe('place-box search', () => {
  const n = 400;
  const carriers = [3, 50, 77, 120, 201, 333];
  const pixels = images(n, carriers, 7, 5, 6, 9);

  for (const sample of [1000, 60]) {
    it(`finds the pattern's box and gives what reading every box gives (${sample >= n / 2 ? 'every image' : 'a sample'} compared)`, () => {
      const search: BoxSearch = { from: 1.2, minSide: 4, maxSide: 8, sample, measured: 2 };
      const ctx = boxContext(pixels, GRID, n, 1.0, 0.15, 8, isolationScratch(hashes(n)), search, 5);
      // Windows inside the pattern, on its edge, and one a neighbour repeats (the same group again).
      for (const [x, y, members] of [[6, 7, carriers], [4, 6, carriers.slice(0, 4)], [8, 8, carriers], [6, 7, carriers], [0, 0, [1, 2, 4]]] as const) {
        const g = group([...members], x, y, 0.5);
        const got = bestBox(ctx, g, search);
        expect(got).toEqual(reference(pixels, n, g, search, 5));
        // Inside the pattern (7 px at 5, 6), the box holds every carrier and nothing else; a window's group that held
        // only some of them gets the rest back at the box.
        if (x === 6 || members.length === 4) {
          expect(got!.x[0]! >= 5 && got!.y[0]! >= 6 && got!.x[0]! + got!.size <= 12 && got!.y[0]! + got!.size <= 13).toBe(true);
          expect(Array.from(got!.images)).toEqual(carriers);
        }
      }
    });
  }

  it('measures a known group at a given box as the search measures the box it chose', () => {
    const search: BoxSearch = { from: 1.2, minSide: 4, maxSide: 8, sample: 1000, measured: 2 };
    const ctx = boxContext(pixels, GRID, n, 1.0, 0.15, 8, isolationScratch(hashes(n)), search, 5);
    const got = bestBox(ctx, group(carriers, 6, 7, 0.5), search)!;
    const at = { x: got.x[0]!, y: got.y[0]!, s: got.size };
    const m = measureBox(ctx, at, carriers)!;
    expect(Math.fround(m.score)).toBe(got.score[0]);
    expect([...m.members].sort((a, b) => a - b)).toEqual(Array.from(got.images));
    // Given only some of the copies, in any order, the measure from the images found there gets the rest back.
    expect([...measureBox(ctx, at, [120, 3, 50, 3])!.members].sort((a, b) => a - b)).toEqual(carriers);
    // Over plain content there is no group; a box off the grid is refused.
    expect(measureBox(ctx, { x: 0, y: 0, s: 4 }, [1, 2, 4])).toBeNull();
    expect(() => measureBox(ctx, { x: GRID - 3, y: 0, s: 4 }, carriers)).toThrow(RangeError);
  });
});
