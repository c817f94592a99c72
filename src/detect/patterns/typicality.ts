// Whether a group's shared pattern is typical of its label's images: the images nearest to the pattern (outside
// the group) carry the group's label far more often than the label's share of the data.
//
// Natural repeats within one class (the same stroke of one digit, the same grille of one car model) are samples
// of a class agreeing on their class's typical content: their pattern's nearest other images are mostly of that
// class too. A backdoor's trigger is foreign to the images it is pasted into, and its nearest natural look-alikes
// come from any class, so the enrichment tells the two apart without asking the group to be of mixed labels
// (clean-label poisons are all of one class).
import { imageLuma, type PixelGrid } from './windows.js';

export interface Enrichment {
  /** Images nearest to the pattern looked at (outside the group), and how many of them carry the label. */
  nearest: number;
  withLabel: number;
  /** The label's share of all labelled images. */
  base: number;
  /** -log10 of the binomial tail P(X >= withLabel | nearest, base). */
  log10p: number;
}

/** Images compared at most: beyond, an evenly spread sample of this many (the test is of shares, not of counts). */
const MAX_COMPARED = 20_000;

/**
 * The `nearest` images closest to the mean of the members' windows (each image's closest window of that size
 * whose luma standard deviation is at least minStd, mean-removed and divided by its contrast like the members'),
 * and how many carry `label`. In a dataset of more than MAX_COMPARED images, the nearest of an evenly spread
 * sample of MAX_COMPARED, so the cost per group is bounded at any size.
 */
export function labelEnrichment(
  f: PixelGrid, labels: (string | null)[], members: { images: Int32Array; x: Uint16Array; y: Uint16Array; size: number },
  label: string, nearest: number, minStd: number,
): Enrichment {
  const g = f.grid, s = members.size, dim = s * s;
  const n = labels.length;
  const luma = new Float32Array(g * g);
  const centre = new Float32Array(dim);
  const win = new Float32Array(dim);
  const k = members.images.length;
  for (let j = 0; j < k; j++) {
    imageLuma(f, members.images[j]!, luma);
    if (normalised(luma, g, members.x[j]!, members.y[j]!, s, win) > 0) for (let d = 0; d < dim; d++) centre[d] += win[d]! / k;
  }
  const inGroup = new Set(members.images);
  const minContrast = minStd * s;
  const minSq = minContrast * minContrast;
  const best = new Float32Array(n).fill(Infinity);
  const w = g + 1;
  const sums = new Float64Array(w * w), squares = new Float64Array(w * w);
  let labelled = 0, ofLabel = 0;
  const step = Math.max(1, n / MAX_COMPARED);
  let nextCompared = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== null && l !== undefined) {
      labelled++;
      if (l === label) ofLabel++;
    }
    if (i < nextCompared) continue;
    nextCompared += step;
    if (inGroup.has(i) || l === null || l === undefined) continue;
    imageLuma(f, i, luma);
    integrals(luma, g, sums, squares);
    // Rounding in the integral images grows with the plane: each entry sums up to 2g running sums, each rounded
    // at the plane's total (well under 1e-2 on a 64 x 64 plane of 0-255 values).
    const rounding = 8 * g * Number.EPSILON * squares[w * w - 1]!;
    let b = Infinity;
    for (let y = 0; y + s <= g; y++) for (let x = 0; x + s <= g; x++) {
      // A window's sum and sum of squares from the integral images rule most windows out without the exact
      // arithmetic: too flat for certain, or farther than the best so far by more than any rounding can close.
      // Every window left is measured exactly as before, so the result is the same to the last bit.
      const a = y * w + x, z = (y + s) * w + x;
      const sum = sums[z + s]! - sums[z]! - sums[a + s]! + sums[a]!;
      const sq = squares[z + s]! - squares[z]! - squares[a + s]! + squares[a]!;
      const spread = sq - (sum * sum) / dim;
      const slack = 1e-2 + 1e-9 * sq + rounding;
      if (spread + slack < minSq * (1 - 1e-9)) continue;
      if (b !== Infinity && spread - slack > minSq * (1 + 1e-9) && spread > 1e4 * slack) {
        // Each unit-length value is then off by under slack / spread (the contrast) plus two float32 roundings,
        // so each squared term by under twice that times its largest difference (2).
        const mean = sum / dim, c = Math.sqrt(spread), bound = b + dim * (4 * slack / spread + 1e-6);
        let d2 = 0;
        for (let dy = 0, d = 0; dy < s && d2 < bound; dy++) {
          const row = (y + dy) * g + x;
          for (let dx = 0; dx < s && d2 < bound; dx++, d++) {
            const t = (luma[row + dx]! - mean) / c - centre[d]!;
            d2 += t * t;
          }
        }
        if (d2 >= bound) continue;
      }
      if (normalised(luma, g, x, y, s, win) < minContrast) continue;
      let d2 = 0;
      for (let d = 0; d < dim && d2 < b; d++) {
        const t = win[d]! - centre[d]!;
        d2 += t * t;
      }
      if (d2 < b) b = d2;
    }
    best[i] = b;
  }
  const order = Array.from(best.keys()).filter((i) => Number.isFinite(best[i]!)).sort((a, b) => best[a]! - best[b]! || a - b);
  const top = order.slice(0, nearest);
  const withLabel = top.filter((i) => labels[i] === label).length;
  const base = labelled ? ofLabel / labelled : 0;
  return { nearest: top.length, withLabel, base, log10p: -Math.log10(Math.max(1e-300, binomialTail(top.length, withLabel, base))) };
}

/** Integral images of the plane's values and squares, (g + 1) x (g + 1), row and column 0 zero. */
function integrals(luma: Float32Array, g: number, sums: Float64Array, squares: Float64Array): void {
  const w = g + 1;
  for (let y = 0; y < g; y++) {
    let rs = 0, rq = 0;
    for (let x = 0; x < g; x++) {
      const v = luma[y * g + x]!;
      rs += v;
      rq += v * v;
      sums[(y + 1) * w + x + 1] = sums[y * w + x + 1]! + rs;
      squares[(y + 1) * w + x + 1] = squares[y * w + x + 1]! + rq;
    }
  }
}

/** The window at (x, y) mean-removed and divided by its contrast into `out`; returns the contrast. */
function normalised(luma: Float32Array, g: number, x: number, y: number, s: number, out: Float32Array): number {
  let sum = 0;
  for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) sum += luma[(y + dy) * g + x + dx]!;
  const mean = sum / (s * s);
  let sq = 0;
  for (let dy = 0, k = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++, k++) {
    const v = luma[(y + dy) * g + x + dx]! - mean;
    out[k] = v;
    sq += v * v;
  }
  const c = Math.sqrt(sq);
  if (c > 0) for (let k = 0; k < s * s; k++) out[k]! /= c;
  return c;
}

/** P(X >= x) for X ~ Binomial(n, p). */
export function binomialTail(n: number, x: number, p: number): number {
  if (x <= 0) return 1;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let term = Math.pow(1 - p, n), total = 0;
  for (let k = 0; k <= n; k++) {
    if (k >= x) total += term;
    term *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return Math.min(1, total);
}
