// Luma and chroma of one image on a side x side grid, area-averaged from the working grid (nearest when the grid is
// coarser).
import type { ImageFeatures } from '../../model/image-features.js';

export type PlaneWeights = readonly [number, number, number];
/** JPEG's (JFIF) luma and chroma planes, as weights of R, G, B. */
export const LUMA: PlaneWeights = [0.299, 0.587, 0.114];
export const CHROMA_B: PlaneWeights = [-0.168736, -0.331264, 0.5];
export const CHROMA_R: PlaneWeights = [0.5, -0.418688, -0.081312];

/** Writes the weighted plane of image i, row-major, into out[at .. at + side * side). */
export function planeOnGrid(f: ImageFeatures, i: number, side: number, w: PlaneWeights, out: Float32Array, at: number): void {
  const g = f.grid;
  const base = i * g * g * 3;
  const [wr, wg, wb] = w;
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) {
    const y0 = Math.floor((r * g) / side), y1 = Math.max(y0 + 1, Math.floor(((r + 1) * g) / side));
    const x0 = Math.floor((c * g) / side), x1 = Math.max(x0 + 1, Math.floor(((c + 1) * g) / side));
    let acc = 0;
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) {
      const o = base + (yy * g + xx) * 3;
      acc += wr * f.pixels[o]! + wg * f.pixels[o + 1]! + wb * f.pixels[o + 2]!;
    }
    out[at + r * side + c] = acc / ((y1 - y0) * (x1 - x0));
  }
}

/** Writes image i's luma, row-major, into out[at .. at + side * side). */
export function lumaOnGrid(f: ImageFeatures, i: number, side: number, out: Float32Array, at: number): void {
  planeOnGrid(f, i, side, LUMA, out, at);
}
