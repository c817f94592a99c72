// Luma of one image on a side x side grid, area-averaged from the working grid (nearest when the grid is coarser).
import type { ImageFeatures } from '../../model/image-features.js';

/** Writes image i's luma, row-major, into out[at .. at + side * side). */
export function lumaOnGrid(f: ImageFeatures, i: number, side: number, out: Float32Array, at: number): void {
  const g = f.grid;
  const base = i * g * g * 3;
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) {
    const y0 = Math.floor((r * g) / side), y1 = Math.max(y0 + 1, Math.floor(((r + 1) * g) / side));
    const x0 = Math.floor((c * g) / side), x1 = Math.max(x0 + 1, Math.floor(((c + 1) * g) / side));
    let acc = 0;
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) {
      const o = base + (yy * g + xx) * 3;
      acc += 0.299 * f.pixels[o]! + 0.587 * f.pixels[o + 1]! + 0.114 * f.pixels[o + 2]!;
    }
    out[at + r * side + c] = acc / ((y1 - y0) * (x1 - x0));
  }
}
