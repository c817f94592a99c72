// Whole-image statistics on the working grid: colour moments, brightness/contrast, sharpness.
import type { ImageStatName } from '../model/image-features.js';

/** Writes the statistics of one RGB grid image, whose luma plane is `luma`, into `out` at row i. */
export function computeImageStats(rgb: Uint8Array, luma: Float64Array, grid: number, out: Record<ImageStatName, Float32Array>, i: number): void {
  const n = grid * grid;
  let sr = 0, sg = 0, sb = 0, sr2 = 0, sg2 = 0, sb2 = 0, sy = 0, sy2 = 0, sy3 = 0;
  let srg = 0, srg2 = 0, syb = 0, syb2 = 0;
  for (let p = 0, o = 0; p < n; p++, o += 3) {
    const r = rgb[o]!, g = rgb[o + 1]!, b = rgb[o + 2]!;
    const y = luma[p]!;
    sr += r; sg += g; sb += b;
    sr2 += r * r; sg2 += g * g; sb2 += b * b;
    sy += y; sy2 += y * y; sy3 += y * y * y;
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    srg += rg; srg2 += rg * rg; syb += yb; syb2 += yb * yb;
  }
  const mr = sr / n, mg = sg / n, mb = sb / n, my = sy / n;
  const vy = Math.max(0, sy2 / n - my * my);
  const sdy = Math.sqrt(vy);
  out.meanR[i] = mr;
  out.meanG[i] = mg;
  out.meanB[i] = mb;
  out.stdR[i] = Math.sqrt(Math.max(0, sr2 / n - mr * mr));
  out.stdG[i] = Math.sqrt(Math.max(0, sg2 / n - mg * mg));
  out.stdB[i] = Math.sqrt(Math.max(0, sb2 / n - mb * mb));
  out.brightness[i] = my;
  out.contrast[i] = sdy;
  // Hasler-Suesstrunk colourfulness.
  const mrg = srg / n, myb = syb / n;
  const sdrg = Math.sqrt(Math.max(0, srg2 / n - mrg * mrg));
  const sdyb = Math.sqrt(Math.max(0, syb2 / n - myb * myb));
  out.colorfulness[i] = Math.sqrt(sdrg * sdrg + sdyb * sdyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
  out.skewY[i] = sdy > 1e-6 ? (sy3 / n - 3 * my * vy - my * my * my) / (sdy * sdy * sdy) : 0;
  // Sharpness: mean absolute 4-neighbour Laplacian of luma.
  let lap = 0;
  let count = 0;
  for (let yy = 1; yy < grid - 1; yy++) {
    for (let xx = 1; xx < grid - 1; xx++) {
      const p = yy * grid + xx;
      const s = luma[p - grid]! + luma[p + grid]! + luma[p - 1]! + luma[p + 1]!;
      lap += Math.abs(4 * luma[p]! - s);
      count++;
    }
  }
  out.sharpness[i] = count > 0 ? lap / count : 0;
}
