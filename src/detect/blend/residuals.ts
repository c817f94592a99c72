// Luma residuals for the blend detector: the image on a 32x32 grid minus its 3x3 box blur, centred on the
// dataset's mean residual (which holds what every image shares, e.g. JPEG block edges).
import type { ImageFeatures } from '../../model/image-features.js';
import { lumaOnGrid } from './luma.js';

export const RESIDUAL_SIDE = 32;

/**
 * Residuals are stored as 16-bit integers in 1/RESIDUAL_SCALE luma steps (|residual| <= 510, so no overflow):
 * half the memory of floats (2 GB instead of 4 for a million images) and the detector's cosines do not see the
 * scale; the rounding (1/128 of a luma step) is far below JPEG noise.
 */
export const RESIDUAL_SCALE = 64;

/** n x 32*32 residuals, row-major. Grids other than 32 are resampled by area averaging / nearest. */
export function blendResiduals(f: ImageFeatures): Int16Array {
  const g = f.grid;
  const s = RESIDUAL_SIDE;
  const n = f.pixels.length / (g * g * 3);
  const d = s * s;
  const out = new Int16Array(n * d);
  const y = new Float32Array(d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    lumaOnGrid(f, i, s, y, 0);
    const o = i * d;
    for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) {
      let acc = 0, cnt = 0;
      for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr, cc = c + dc;
        if (rr < 0 || cc < 0 || rr >= s || cc >= s) continue;
        acc += y[rr * s + cc]!;
        cnt++;
      }
      const v = Math.round((y[r * s + c]! - acc / cnt) * RESIDUAL_SCALE);
      out[o + r * s + c] = v;
      mean[r * s + c] += v;
    }
  }
  const shift = new Int16Array(d);
  for (let p = 0; p < d; p++) shift[p] = Math.round(mean[p]! / n);
  for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) out[i * d + p] -= shift[p]!;
  return out;
}
