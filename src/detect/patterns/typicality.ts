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
  const best = new Float32Array(n).fill(Infinity);
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
    let b = Infinity;
    for (let y = 0; y + s <= g; y++) for (let x = 0; x + s <= g; x++) {
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
