// Template search within one class of whitened spectra: where might a pattern that some of the class's images
// share point? Two starts, each refined from the images that stand out on it until the top set settles:
// - the class's mean shift (its mean minus the dataset's): a pattern moves the class mean by its carriers' share;
// - the leading direction of the class's spread (power iteration over its unit-length spectra, about their mean):
//   carriers of one pattern spread the class along it. Whitened, a class's own content (the sky of a class of
//   planes) shifts the class mean as much as a pattern does, but it moves all images a little, not some a lot,
//   and so hardly draws the spread.
// The start whose refined template leaves the clearest one-sided tail among the images it was fitted on wins.
import type { Spectra } from './spectra.js';
import { add4, addRow, addRows, dot4, dotRow, dotRows } from './rows.js';

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
  // Four rows at a time: their products with v, then their shares of X^T X v while they are still in cache.
  const dots = new Float64Array(4);
  const m = members.length;
  let t = 0;
  for (; t + 4 <= m; t += 4) {
    const o0 = members[t]! * d, o1 = members[t + 1]! * d, o2 = members[t + 2]! * d, o3 = members[t + 3]! * d;
    dot4(x, d, v, o0, o1, o2, o3, dots, 0);
    const i0 = inv[t]!, i1 = inv[t + 1]!, i2 = inv[t + 2]!, i3 = inv[t + 3]!;
    const c0 = dots[0]! * i0 - muv, c1 = dots[1]! * i1 - muv, c2 = dots[2]! * i2 - muv, c3 = dots[3]! * i3 - muv;
    total += c0;
    total += c1;
    total += c2;
    total += c3;
    add4(w, x, d, c0 * i0, o0, c1 * i1, o1, c2 * i2, o2, c3 * i3, o3);
  }
  for (; t < m; t++) {
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
    addRows(next, Float64Array.from(inTop, (v) => (v ? 1 / top : -1 / (m - top))), x, members, d);
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
  const dots = new Float64Array(members.length);
  dotRows(x, members, template, d, dots);
  const s = new Float32Array(members.length);
  // Cosine, not a raw projection: textured images have large spectra in every direction.
  for (let t = 0; t < members.length; t++) s[t] = dots[t]! / (norm * (length[members[t]!]! || 1));
  const sorted = Float32Array.from(s).sort();
  const med = sorted[s.length >> 1]!;
  const dev = Float32Array.from(s, (v) => Math.abs(v - med)).sort();
  const mad = dev[s.length >> 1]! * 1.4826 || 1;
  for (let t = 0; t < s.length; t++) s[t] = (s[t]! - med) / mad;
  return s;
}
