// Template search within one class of whitened spectra: where might a pattern that some of the class's images
// share point? Starts, each refined from the images that stand out on it until the top set settles:
// - the class's mean shift (its mean minus the dataset's): a pattern moves the class mean by its carriers' share;
// - the leading directions of the class's spread (block power iteration over its unit-length spectra, about their
//   mean): carriers of one pattern spread the class along it. Whitened, a class's own content (the sky of a class
//   of planes) shifts the class mean as much as a pattern does, but it moves all images a little, not some a lot,
//   and so hardly draws the spread; a class's own kinds (a cut, a pose) do draw it, so the pattern's direction is
//   one of the first few, not always the first.
import type { Spectra } from './spectra.js';
import { addRowsMany, dotRows, dotRowsMany } from './rows.js';
import { markTop, middleAndSpread } from './select.js';

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

export function classMeanShift({ x, d }: Spectra, members: number[]): Float64Array {
  // Spectra are centred on the dataset mean: the class mean is the shift.
  const m = members.length;
  const t = new Float64Array(d);
  for (const i of members) for (let p = 0; p < d; p++) t[p] += x[i * d + p]! / m;
  return t;
}

/**
 * The k leading directions of the covariance of the members' unit-length spectra, about their mean (orthonormal, by
 * block power iteration from fixed starts, until they settle). Each round is one pass over the members' rows: a
 * row's products with every direction, then its share of X^T X v while the row is still in cache.
 */
export function leadingDirections({ x, d, norm }: Spectra, members: number[], k: number): Float64Array[] {
  const m = members.length;
  const inv = Float64Array.from(members, (i) => 1 / (norm[i]! || 1));
  const mu = new Float64Array(d);
  for (let t = 0; t < m; t++) {
    const o = members[t]! * d, q = inv[t]!;
    for (let p = 0; p < d; p++) mu[p] += (x[o + p]! * q) / m;
  }
  // The k directions side by side: v[p * k + j] is direction j's coefficient p, so one pass over a row serves all.
  let v = new Float64Array(d * k);
  // Fixed, spread starts (deterministic): every coefficient a little, in different sign patterns.
  for (let j = 0; j < k; j++) for (let p = 0; p < d; p++) v[p * k + j] = ((p * (7919 + 104 * j)) % 13) - 6 + 0.5;
  orthonormalise(v, d, k);
  let w = new Float64Array(d * k);
  const c = new Float64Array(k);
  const muv = new Float64Array(k);
  const total = new Float64Array(k);
  for (let round = 0; round < POWER_ROUNDS; round++) {
    muv.fill(0);
    for (let p = 0; p < d; p++) for (let j = 0; j < k; j++) muv[j] += mu[p]! * v[p * k + j]!;
    w.fill(0);
    total.fill(0);
    for (let t = 0; t < m; t++) {
      const o = members[t]! * d, q = inv[t]!;
      if (k === 4) {
        if (t + 1 < m) {
          fourDirectionsTwoRows(x, o, members[t + 1]! * d, d, q, inv[t + 1]!, v, muv, total, w);
          t++;
        } else fourDirections(x, o, d, q, v, muv, total, w);
        continue;
      }
      c.fill(0);
      for (let p = 0, b = 0; p < d; p++, b += k) {
        const xp = x[o + p]!;
        for (let j = 0; j < k; j++) c[j] += xp * v[b + j]!;
      }
      for (let j = 0; j < k; j++) {
        c[j] = c[j]! * q - muv[j]!;
        total[j] += c[j]!;
        c[j] *= q;
      }
      for (let p = 0, b = 0; p < d; p++, b += k) {
        const xp = x[o + p]!;
        for (let j = 0; j < k; j++) w[b + j] += c[j]! * xp;
      }
    }
    for (let p = 0; p < d; p++) for (let j = 0; j < k; j++) w[p * k + j] -= total[j]! * mu[p]!;
    orthonormalise(w, d, k);
    let settled = true;
    for (let j = 0; j < k; j++) {
      let agree = 0;
      for (let p = 0; p < d; p++) agree += w[p * k + j]! * v[p * k + j]!;
      if (Math.abs(agree) < 1 - 1e-4) settled = false;
    }
    [v, w] = [w, v];
    if (settled) break;
  }
  return Array.from({ length: k }, (_, j) => Float64Array.from({ length: d }, (_, p) => v[p * k + j]!));
}

/** One row's step of leadingDirections for four directions, written out (the search's number of them). */
function fourDirections(x: Int16Array, o: number, d: number, q: number, v: Float64Array, muv: Float64Array, total: Float64Array, w: Float64Array): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let p = 0, b = 0; p < d; p++, b += 4) {
    const xp = x[o + p]!;
    c0 += xp * v[b]!;
    c1 += xp * v[b + 1]!;
    c2 += xp * v[b + 2]!;
    c3 += xp * v[b + 3]!;
  }
  c0 = c0 * q - muv[0]!;
  c1 = c1 * q - muv[1]!;
  c2 = c2 * q - muv[2]!;
  c3 = c3 * q - muv[3]!;
  total[0] += c0;
  total[1] += c1;
  total[2] += c2;
  total[3] += c3;
  c0 *= q;
  c1 *= q;
  c2 *= q;
  c3 *= q;
  for (let p = 0, b = 0; p < d; p++, b += 4) {
    const xp = x[o + p]!;
    w[b] += c0 * xp;
    w[b + 1] += c1 * xp;
    w[b + 2] += c2 * xp;
    w[b + 3] += c3 * xp;
  }
}

/**
 * fourDirections for two rows, one after the other, in one pass: each row's products with the directions, then
 * the first row's share and the second's added to w in that order (the same sums as two calls).
 */
function fourDirectionsTwoRows(x: Int16Array, o: number, o2: number, d: number, q: number, q2: number, v: Float64Array, muv: Float64Array, total: Float64Array, w: Float64Array): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
  for (let p = 0, b = 0; p < d; p++, b += 4) {
    const xp = x[o + p]!, yp = x[o2 + p]!;
    const v0 = v[b]!, v1 = v[b + 1]!, v2 = v[b + 2]!, v3 = v[b + 3]!;
    c0 += xp * v0;
    c1 += xp * v1;
    c2 += xp * v2;
    c3 += xp * v3;
    e0 += yp * v0;
    e1 += yp * v1;
    e2 += yp * v2;
    e3 += yp * v3;
  }
  c0 = c0 * q - muv[0]!;
  c1 = c1 * q - muv[1]!;
  c2 = c2 * q - muv[2]!;
  c3 = c3 * q - muv[3]!;
  e0 = e0 * q2 - muv[0]!;
  e1 = e1 * q2 - muv[1]!;
  e2 = e2 * q2 - muv[2]!;
  e3 = e3 * q2 - muv[3]!;
  total[0] = total[0]! + c0 + e0;
  total[1] = total[1]! + c1 + e1;
  total[2] = total[2]! + c2 + e2;
  total[3] = total[3]! + c3 + e3;
  c0 *= q;
  c1 *= q;
  c2 *= q;
  c3 *= q;
  e0 *= q2;
  e1 *= q2;
  e2 *= q2;
  e3 *= q2;
  for (let p = 0, b = 0; p < d; p++, b += 4) {
    const xp = x[o + p]!, yp = x[o2 + p]!;
    w[b] = w[b]! + c0 * xp + e0 * yp;
    w[b + 1] = w[b + 1]! + c1 * xp + e1 * yp;
    w[b + 2] = w[b + 2]! + c2 * xp + e2 * yp;
    w[b + 3] = w[b + 3]! + c3 * xp + e3 * yp;
  }
}

/** Gram-Schmidt of the k interleaved directions of v (v[p * k + j]), in place, in order. */
function orthonormalise(v: Float64Array, d: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dd = 0;
      for (let p = 0; p < d; p++) dd += v[p * k + j]! * v[p * k + i]!;
      for (let p = 0; p < d; p++) v[p * k + j] -= dd * v[p * k + i]!;
    }
    let e = 0;
    for (let p = 0; p < d; p++) e += v[p * k + j]! ** 2;
    const q = 1 / (Math.sqrt(e) || 1);
    for (let p = 0; p < d; p++) v[p * k + j] *= q;
  }
}

export function refineTemplate(s: Spectra, members: number[], start: Float64Array): Template {
  return refineTemplates(s, members, [start])[0]!;
}

/**
 * refineTemplate from several starts on the same members, in step: each round's templates are made, and projected,
 * in one pass over the members' rows for all the starts still refining. Each start's result is refineTemplate's.
 */
export function refineTemplates(s: Spectra, members: number[], starts: Float64Array[]): Template[] {
  const { x, d } = s;
  const m = members.length;
  const template = starts.slice();
  const previous = starts.map(() => new Uint8Array(m));
  const z = robustProjections(s, members, template);
  let refining = starts.map((_, j) => j);
  for (let round = 0; round < REFINE && refining.length; round++) {
    const next: number[] = [], weights: Float64Array[] = [];
    for (const j of refining) {
      // Mean of the top tail (at least the top 1%) minus the mean of the rest.
      const zj = z[j]!;
      let tail = 0;
      for (let t = 0; t < m; t++) if (zj[t]! >= TAIL_Z) tail++;
      const top = Math.max(tail, Math.ceil(0.01 * m));
      const inTop = new Uint8Array(m);
      markTop(zj, top, inTop);
      const prev = previous[j]!;
      if (round > 0 && inTop.every((v, t) => v === prev[t])) continue;
      previous[j] = inTop;
      next.push(j);
      weights.push(Float64Array.from(inTop, (v) => (v ? 1 / top : -1 / (m - top))));
    }
    const made = next.map(() => new Float64Array(d));
    addRowsMany(made, weights, x, members, d);
    const zs = robustProjections(s, members, made);
    next.forEach((j, q) => {
      template[j] = made[q]!;
      z[j] = zs[q]!;
    });
    refining = next;
  }
  return template.map((t, j) => ({ template: t, significance: oneSidedTail(z[j]!).significance }));
}

/**
 * Members at or beyond TAIL_Z on each side, and the one-sided surplus, (tail - opposite) / sqrt(tail + opposite + 1):
 * natural projections have heavy tails on both sides, a pattern shifts its carriers to one side only.
 */
export function oneSidedTail(z: ArrayLike<number>): { tail: number; opposite: number; significance: number } {
  let tail = 0, opposite = 0;
  for (let t = 0; t < z.length; t++) {
    if (z[t]! >= TAIL_Z) tail++;
    else if (z[t]! <= -TAIL_Z) opposite++;
  }
  return { tail, opposite, significance: (tail - opposite) / Math.sqrt(tail + opposite + 1) };
}

/** Robust z (median, MAD) of each member's cosine with the template. */
export function robustProjection(s: Spectra, members: number[], template: Float64Array): Float32Array {
  const dots = new Float64Array(members.length);
  dotRows(s.x, members, template, s.d, dots);
  return robustZ(s, members, template, dots);
}

/** robustProjection for several templates over the same members, the rows read once for all of them. */
export function robustProjections(s: Spectra, members: number[], templates: Float64Array[]): Float32Array[] {
  const dots = templates.map(() => new Float64Array(members.length));
  dotRowsMany(s.x, members, templates, s.d, dots);
  return templates.map((t, j) => robustZ(s, members, t, dots[j]!));
}

/** The robust z of the members' cosines with a template, from their rows' dot products with it. */
function robustZ({ d, norm: length }: Spectra, members: number[], template: Float64Array, dots: Float64Array): Float32Array {
  let norm = 0;
  for (let p = 0; p < d; p++) norm += template[p]! * template[p]!;
  norm = Math.sqrt(norm) || 1;
  const s = new Float32Array(members.length);
  // Cosine, not a raw projection: textured images have large spectra in every direction.
  for (let t = 0; t < members.length; t++) s[t] = dots[t]! / (norm * (length[members[t]!]! || 1));
  const { med, mad: dev } = middleAndSpread(s);
  const mad = dev * 1.4826 || 1;
  for (let t = 0; t < s.length; t++) s[t] = (s[t]! - med) / mad;
  return s;
}
