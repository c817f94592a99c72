// 64-bit DCT perceptual hash (pHash): low 8x8 DCT coefficients of a 32x32 luma image vs their median.

const N = 32;
const COS = (() => {
  const c = new Float64Array(8 * N);
  for (let u = 0; u < 8; u++) for (let x = 0; x < N; x++) c[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return c;
})();

/** pHash of an RGB grid image of any side (resampled bilinearly to 32x32 luma). */
export function perceptualHash(rgb: Uint8Array, grid: number): bigint {
  const y = new Float64Array(N * N);
  const scale = grid / N;
  for (let r = 0; r < N; r++) {
    const fy = Math.min(grid - 1, Math.max(0, (r + 0.5) * scale - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(grid - 1, y0 + 1), wy = fy - y0;
    for (let c = 0; c < N; c++) {
      const fx = Math.min(grid - 1, Math.max(0, (c + 0.5) * scale - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(grid - 1, x0 + 1), wx = fx - x0;
      const l = (yy: number, xx: number) => {
        const o = (yy * grid + xx) * 3;
        return 0.299 * rgb[o]! + 0.587 * rgb[o + 1]! + 0.114 * rgb[o + 2]!;
      };
      y[r * N + c] = (1 - wy) * ((1 - wx) * l(y0, x0) + wx * l(y0, x1)) + wy * ((1 - wx) * l(y1, x0) + wx * l(y1, x1));
    }
  }
  // Separable DCT, only the 8x8 low-frequency block.
  const rows = new Float64Array(N * 8);
  for (let r = 0; r < N; r++) for (let u = 0; u < 8; u++) {
    let s = 0;
    for (let x = 0; x < N; x++) s += y[r * N + x]! * COS[u * N + x]!;
    rows[r * 8 + u] = s;
  }
  const coef = new Float64Array(64);
  for (let v = 0; v < 8; v++) for (let u = 0; u < 8; u++) {
    let s = 0;
    for (let r = 0; r < N; r++) s += rows[r * 8 + u]! * COS[v * N + r]!;
    coef[v * 8 + u] = s;
  }
  // Median of the 63 AC terms (DC carries only brightness).
  const ac = Array.from(coef.subarray(1)).sort((a, b) => a - b);
  const med = ac[31]!;
  let h = 0n;
  for (let k = 0; k < 64; k++) h = (h << 1n) | (coef[k]! > med ? 1n : 0n);
  return h;
}
