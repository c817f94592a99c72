// 64-bit DCT perceptual hash (pHash): low 8x8 DCT coefficients of a 32x32 luma image vs their median.
import { selectKth } from '../util/select.js';

const N = 32;
const COS = (() => {
  const c = new Float64Array(8 * N);
  for (let u = 0; u < 8; u++) for (let x = 0; x < N; x++) c[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  return c;
})();

/** Bilinear taps from a grid of side g to N: per output index, the two source indices and the second's weight. */
interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
}
const tapsByGrid = new Map<number, Taps>();
function taps(g: number): Taps {
  let t = tapsByGrid.get(g);
  if (t) return t;
  t = { lo: new Int32Array(N), hi: new Int32Array(N), w: new Float64Array(N) };
  const scale = g / N;
  for (let r = 0; r < N; r++) {
    const f = Math.min(g - 1, Math.max(0, (r + 0.5) * scale - 0.5));
    const a = Math.floor(f);
    t.lo[r] = a;
    t.hi[r] = Math.min(g - 1, a + 1);
    t.w[r] = f - a;
  }
  tapsByGrid.set(g, t);
  return t;
}

// Buffers reused by every call (one image at a time on one thread).
const Y = new Float64Array(N * N);
const ROWS = new Float64Array(N * 8);
const COEF = new Float64Array(64);
const AC = new Float64Array(63);

/** pHash of an image given as its grid x grid luma plane (resampled bilinearly to 32x32). */
export function perceptualHash(luma: Float64Array, grid: number): bigint {
  // On a 32x32 grid every tap falls on a pixel with weight 0 for its neighbour: the plane itself (luma is
  // finite and at least 0, so 1 * v + 0 * u is v).
  let y = luma;
  if (grid !== N) {
    y = Y;
    const { lo, hi, w } = taps(grid);
    for (let r = 0; r < N; r++) {
      const y0 = lo[r]! * grid, y1 = hi[r]! * grid, wy = w[r]!;
      for (let c = 0; c < N; c++) {
        const x0 = lo[c]!, x1 = hi[c]!, wx = w[c]!;
        Y[r * N + c] = (1 - wy) * ((1 - wx) * luma[y0 + x0]! + wx * luma[y0 + x1]!) + wy * ((1 - wx) * luma[y1 + x0]! + wx * luma[y1 + x1]!);
      }
    }
  }
  // Separable DCT, only the 8x8 low-frequency block.
  for (let r = 0; r < N; r++) for (let u = 0; u < 8; u++) {
    let s = 0;
    for (let x = 0; x < N; x++) s += y[r * N + x]! * COS[u * N + x]!;
    ROWS[r * 8 + u] = s;
  }
  for (let v = 0; v < 8; v++) for (let u = 0; u < 8; u++) {
    let s = 0;
    for (let r = 0; r < N; r++) s += ROWS[r * 8 + u]! * COS[v * N + r]!;
    COEF[v * 8 + u] = s;
  }
  // Median of the 63 AC terms (DC carries only brightness).
  AC.set(COEF.subarray(1));
  const med = selectKth(AC, AC.length >> 1);
  // Bits in order of the coefficient, the first one highest: two 32-bit halves, joined once.
  let high = 0, low = 0;
  for (let k = 0; k < 32; k++) high = (high << 1) | (COEF[k]! > med ? 1 : 0);
  for (let k = 32; k < 64; k++) low = (low << 1) | (COEF[k]! > med ? 1 : 0);
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

