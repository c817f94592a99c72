// Luma and chroma of one image on a side x side grid, area-averaged from the working grid (nearest when the grid is
// coarser).
import type { ImageFeatures } from '../../model/image-features.js';

export type PlaneWeights = readonly [number, number, number];
/** JPEG's (JFIF) luma and chroma planes, as weights of R, G, B. */
export const LUMA: PlaneWeights = [0.299, 0.587, 0.114];
export const CHROMA_B: PlaneWeights = [-0.168736, -0.331264, 0.5];
export const CHROMA_R: PlaneWeights = [0.5, -0.418688, -0.081312];

/** Writes the weighted plane of image i, row-major, into out[at .. at + side * side). */
export function planeOnGrid(f: Pick<ImageFeatures, 'grid' | 'pixels'>, i: number, side: number, w: PlaneWeights, out: Float32Array, at: number): void {
  const g = f.grid;
  const px = f.pixels;
  const base = i * g * g * 3;
  const [wr, wg, wb] = w;
  // Cells of one pixel, or of 2 x 2: the same sums, written out.
  if (g === side) {
    for (let q = 0, o = base; q < side * side; q++, o += 3) {
      let acc = 0;
      acc += wr * px[o]! + wg * px[o + 1]! + wb * px[o + 2]!;
      out[at + q] = acc / 1;
    }
    return;
  }
  if (g === 2 * side) {
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const o = base + (2 * r * g + 2 * c) * 3, o2 = o + 3 * g;
        let acc = 0;
        acc += wr * px[o]! + wg * px[o + 1]! + wb * px[o + 2]!;
        acc += wr * px[o + 3]! + wg * px[o + 4]! + wb * px[o + 5]!;
        acc += wr * px[o2]! + wg * px[o2 + 1]! + wb * px[o2 + 2]!;
        acc += wr * px[o2 + 3]! + wg * px[o2 + 4]! + wb * px[o2 + 5]!;
        out[at + r * side + c] = acc / 4;
      }
    }
    return;
  }
  const span = cellSpans(g, side);
  for (let r = 0; r < side; r++) {
    const y0 = span[2 * r]!, y1 = span[2 * r + 1]!;
    for (let c = 0; c < side; c++) {
      const x0 = span[2 * c]!, x1 = span[2 * c + 1]!;
      let acc = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) {
        const o = base + (yy * g + xx) * 3;
        acc += wr * px[o]! + wg * px[o + 1]! + wb * px[o + 2]!;
      }
      out[at + r * side + c] = acc / ((y1 - y0) * (x1 - x0));
    }
  }
}

const spans = new Map<number, Int32Array>();
/** For each of side cells along one axis of a g-wide grid: its first and one-past-last grid index. */
function cellSpans(g: number, side: number): Int32Array {
  const key = g * 65536 + side;
  let s = spans.get(key);
  if (s) return s;
  s = new Int32Array(2 * side);
  for (let r = 0; r < side; r++) {
    const a = Math.floor((r * g) / side);
    s[2 * r] = a;
    s[2 * r + 1] = Math.max(a + 1, Math.floor(((r + 1) * g) / side));
  }
  spans.set(key, s);
  return s;
}

/** Writes image i's luma, row-major, into out[at .. at + side * side). */
export function lumaOnGrid(f: ImageFeatures, i: number, side: number, out: Float32Array, at: number): void {
  planeOnGrid(f, i, side, LUMA, out, at);
}
