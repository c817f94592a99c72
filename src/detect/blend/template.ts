// Template search within one class of whitened spectra: where might a pattern that some of the class's images
// share point? Two starts, each refined from the images that stand out on it until the top set settles:
// - the class's mean shift (its mean minus the dataset's): a pattern moves the class mean by its carriers' share;
// - the leading direction of the class's spread (power iteration over its unit-length spectra, about their mean):
//   carriers of one pattern spread the class along it. Whitened, a class's own content (the sky of a class of
//   planes) shifts the class mean as much as a pattern does, but it moves all images a little, not some a lot,
//   and so hardly draws the spread.
// The start whose refined template leaves the clearest one-sided tail among the images it was fitted on wins.
import type { Spectra } from './spectra.js';

/** Robust z beyond which an image counts as standing out on a template. */
export const TAIL_Z = 4;
/** Template refinements at most; they stop early once the top set no longer changes. */
const REFINE = 10;
/** Power iterations for the leading direction at most; they stop once it settles. */
const POWER_ROUNDS = 25;

export interface Template {
  template: Float64Array;
  /** One-sided tail surplus, (tail - opposite) / sqrt(tail + opposite + 1), among the images it was fitted on. */
  significance: number;
}

/**
 * The best refined template for `members` (rows of the spectra), starting from their mean shift and from
 * `lead`, a leading direction of spread (either sign), which may come from a larger set.
 */
export function searchTemplate(s: Spectra, members: number[], lead: Float64Array): Template {
  const starts = [classMeanShift(s, members), lead, lead.map((v) => -v)];
  let best: Template | undefined;
  for (const start of starts) {
    const t = refineTemplate(s, members, start);
    if (!best || t.significance > best.significance) best = t;
  }
  return best!;
}

function classMeanShift({ x, d }: Spectra, members: number[]): Float64Array {
  // Spectra are centred on the dataset mean: the class mean is the shift.
  const m = members.length;
  const t = new Float64Array(d);
  for (const i of members) for (let p = 0; p < d; p++) t[p] += x[i * d + p]! / m;
  return t;
}

/**
 * Leading eigenvector of the covariance of the members' unit-length spectra, by power iteration. Each round is one
 * pass over the members' rows: a row's product with v, then its share of X^T X v while the row is still in cache.
 */
export function leadingDirection({ x, d, norm }: Spectra, members: number[]): Float64Array {
  const m = members.length;
  const inv = Float64Array.from(members, (i) => 1 / (norm[i]! || 1));
  const mu = new Float64Array(d);
  for (let t = 0; t < m; t++) {
    const o = members[t]! * d, k = inv[t]!;
    for (let p = 0; p < d; p++) mu[p] += (x[o + p]! * k) / m;
  }
  let v = new Float64Array(d);
  // A fixed, spread start (deterministic): every coefficient a little, alternating in sign.
  for (let p = 0; p < d; p++) v[p] = ((p * 7919) % 13) - 6 + 0.5;
  let w = new Float64Array(d);
  normalise(v);
  for (let round = 0; round < POWER_ROUNDS; round++) {
    powerStep(x, d, members, inv, mu, v, w);
    let agree = 0;
    for (let p = 0; p < d; p++) agree += w[p]! * v[p]!;
    [v, w] = [w, v];
    if (Math.abs(agree) > 1 - 1e-6) break;
  }
  return v;
}

/** w = the normalised covariance of the members' rows (scaled by inv, centred on mu) times v. */
function powerStep(x: Int16Array, d: number, members: number[], inv: Float64Array, mu: Float64Array, v: Float64Array, w: Float64Array): void {
  let muv = 0;
  for (let p = 0; p < d; p++) muv += mu[p]! * v[p]!;
  w.fill(0);
  let total = 0;
  for (let t = 0; t < members.length; t++) {
    const o = members[t]! * d;
    const it = inv[t]!;
    const c = dotRow(x, o, v, d) * it - muv;
    total += c;
    addRow(w, c * it, x, o, d);
  }
  for (let p = 0; p < d; p++) w[p] -= total * mu[p]!;
  normalise(w);
}

function normalise(v: Float64Array): void {
  let e = 0;
  for (let p = 0; p < v.length; p++) e += v[p]! * v[p]!;
  const k = 1 / (Math.sqrt(e) || 1);
  for (let p = 0; p < v.length; p++) v[p] *= k;
}

function refineTemplate(s: Spectra, members: number[], start: Float64Array): Template {
  const { x, d } = s;
  const m = members.length;
  let template = start;
  let previous = new Uint8Array(m);
  let z = robustProjection(s, members, template);
  for (let round = 0; round < REFINE; round++) {
    // Mean of the top tail (at least the top 1%) minus the mean of the rest.
    const order = [...z.keys()].sort((a, b) => z[b]! - z[a]!);
    const top = Math.max(order.filter((t) => z[t]! >= TAIL_Z).length, Math.ceil(0.01 * m));
    const inTop = new Uint8Array(m);
    for (let q = 0; q < top; q++) inTop[order[q]!] = 1;
    if (round > 0 && inTop.every((v, t) => v === previous[t])) break;
    previous = inTop;
    const next = new Float64Array(d);
    for (let t = 0; t < m; t++) {
      addRow(next, inTop[t] ? 1 / top : -1 / (m - top), x, members[t]! * d, d);
    }
    template = next;
    z = robustProjection(s, members, template);
  }
  let tail = 0, opposite = 0;
  for (const v of z) {
    if (v >= TAIL_Z) tail++;
    else if (v <= -TAIL_Z) opposite++;
  }
  return { template, significance: (tail - opposite) / Math.sqrt(tail + opposite + 1) };
}

/** Robust z (median, MAD) of each member's cosine with the template. */
export function robustProjection({ x, d, norm: length }: Spectra, members: number[], template: Float64Array): Float32Array {
  let norm = 0;
  for (let p = 0; p < d; p++) norm += template[p]! * template[p]!;
  norm = Math.sqrt(norm) || 1;
  const s = new Float32Array(members.length);
  // Cosine, not a raw projection: textured images have large spectra in every direction.
  for (let t = 0; t < members.length; t++) {
    const i = members[t]!;
    s[t] = dotRow(x, i * d, template, d) / (norm * (length[i]! || 1));
  }
  const sorted = Float32Array.from(s).sort();
  const med = sorted[s.length >> 1]!;
  const dev = Float32Array.from(s, (v) => Math.abs(v - med)).sort();
  const mad = dev[s.length >> 1]! * 1.4826 || 1;
  for (let t = 0; t < s.length; t++) s[t] = (s[t]! - med) / mad;
  return s;
}

// Row kernels, unrolled by eight with one accumulator: the same sums in the same order, fewer loop steps.

/** Sum over p < d of x[o + p] * v[p], in order of p. */
function dotRow(x: Int16Array, o: number, v: Float64Array, d: number): number {
  let s = 0;
  let p = 0;
  for (const end = d & ~7; p < end; p += 8) {
    const q = o + p;
    s += x[q]! * v[p]!;
    s += x[q + 1]! * v[p + 1]!;
    s += x[q + 2]! * v[p + 2]!;
    s += x[q + 3]! * v[p + 3]!;
    s += x[q + 4]! * v[p + 4]!;
    s += x[q + 5]! * v[p + 5]!;
    s += x[q + 6]! * v[p + 6]!;
    s += x[q + 7]! * v[p + 7]!;
  }
  for (; p < d; p++) s += x[o + p]! * v[p]!;
  return s;
}

/** w[p] += k * x[o + p] for p < d. */
function addRow(w: Float64Array, k: number, x: Int16Array, o: number, d: number): void {
  let p = 0;
  for (const end = d & ~7; p < end; p += 8) {
    const q = o + p;
    w[p] += k * x[q]!;
    w[p + 1] += k * x[q + 1]!;
    w[p + 2] += k * x[q + 2]!;
    w[p + 3] += k * x[q + 3]!;
    w[p + 4] += k * x[q + 4]!;
    w[p + 5] += k * x[q + 5]!;
    w[p + 6] += k * x[q + 6]!;
    w[p + 7] += k * x[q + 7]!;
  }
  for (; p < d; p++) w[p] += k * x[o + p]!;
}
