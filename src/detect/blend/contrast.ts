// Where a class varies more than the other classes do, at low frequencies. Per-coefficient whitening counts each
// frequency against its natural spread over whole images; a pattern whose energy sits where natural images vary
// most (a smooth pattern of a few cycles per image) stays within that spread coefficient by coefficient. But a pattern added
// to some of a class's images is one shift, the same in every carrier: the class varies along it more than the
// other classes do. On the low-frequency luma coefficients, fully whitened by the covariance the classes share (each
// image centred on its class's mean), a class's leading directions of spread are the directions where it varies
// beyond the shared covariance (the generalised eigenproblem of its covariance against the shared one). Each
// direction, either sign, is refined from the images that stand out on it, on one half of the class, in that
// whitened space, and scores the other half (cross-fitting, as for the other starts); its template in the spectra,
// the tail's mean minus the rest's, is made only for a tail that is tested.
import { spaced } from '../../util/stats.js';
import { LAYOUT_INDEX, LUMA_SIDE, type Spectra } from './spectra.js';
import { addRows } from './rows.js';
import { middleAndSpread } from './select.js';
import { TAIL_Z, oneSidedTail } from './template.js';
import { refineTail } from './refine.js';
import type { ClassTail } from './class-tail.js';

/**
 * Cycles per image below which a luma coefficient is used (DCT index k is k/2 cycles). Luma only: a class's own
 * colours (a class of cars in every paint) spread it beyond the others at low frequencies in chroma, and the look
 * test, in luma, does not see them.
 */
const LUMA_CYCLES = 6;
/**
 * Members per coefficient a class needs for its covariance to be contrasted (fewer, and its leading directions
 * describe its own few images rather than a shift they share).
 */
const MEMBERS_PER_COEFFICIENT = 2;
/** Directions of a class's excess spread the search starts from. */
export const CONTRAST_LEADS = 4;
/** Images the shared covariance is estimated from at most (evenly spaced over the searched classes). */
const MAX_SHARED_SAMPLE = 4096;
/** Members a class's covariance is estimated from at most (evenly spaced). */
const MAX_CLASS_SAMPLE = 1024;
/** Subspace iterations for the leading directions; vectors iterated (more than kept, so the kept ones settle). */
const ITERATIONS = 60;
const ITERATED = 2 * CONTRAST_LEADS;
/** Rows of a half-class a direction is refined on at most (evenly spaced): a pattern's share is the same in a sample. */
const MAX_REFINE_ROWS = 1024;
/** Added to the shared covariance's diagonal, relative to its mean variance: keeps the factorisation stable. */
const RIDGE = 1e-3;

/** The coefficients used, as indices into a spectrum row. */
export function contrastCoefficients(): Int32Array {
  const out: number[] = [];
  const lim = 2 * LUMA_CYCLES;
  // Luma comes first in a spectrum row.
  for (let k = 0; k < lim; k++) for (let l = 0; l < lim; l++) if (k >= LAYOUT_INDEX || l >= LAYOUT_INDEX) out.push(k * LUMA_SIDE + l);
  return Int32Array.from(out);
}

/** The shared whitening: the coefficients used and the Cholesky factor (lower, row-major) of the shared covariance. */
export interface SharedWhitening {
  coefs: Int32Array;
  chol: Float64Array;
}

/** Image i's used coefficients, scaled to unit length, into out. */
function unitRow(s: Spectra, coefs: Int32Array, i: number, out: Float64Array): void {
  const o = i * s.d;
  let e = 0;
  for (let c = 0; c < coefs.length; c++) {
    const v = s.x[o + coefs[c]!]!;
    out[c] = v;
    e += v * v;
  }
  const q = 1 / (Math.sqrt(e) || 1);
  for (let c = 0; c < coefs.length; c++) out[c] = out[c]! * q;
}

/**
 * The covariance the classes share, each image centred on its class's mean, from an evenly spaced sample; undefined
 * for fewer than two classes (then there is nothing to contrast a class with).
 */
export function sharedWhitening(s: Spectra, classes: number[][]): SharedWhitening | undefined {
  if (classes.length < 2) return undefined;
  const coefs = contrastCoefficients();
  const m = coefs.length;
  const total = classes.reduce((a, c) => a + c.length, 0);
  const cov = new Float64Array(m * m);
  const row = new Float64Array(m);
  let count = 0;
  for (const members of classes) {
    const sample = spaced(members, Math.max(2, Math.round((MAX_SHARED_SAMPLE * members.length) / total)));
    const rows = new Float64Array(sample.length * m);
    const mu = new Float64Array(m);
    sample.forEach((i, t) => {
      unitRow(s, coefs, i, row);
      rows.set(row, t * m);
      for (let c = 0; c < m; c++) mu[c] += row[c]! / sample.length;
    });
    const next = new Float64Array(m);
    for (let t = 0; t < sample.length; t++) {
      const o = t * m;
      for (let c = 0; c < m; c++) row[c] = rows[o + c]! - mu[c]!;
      if (t + 1 < sample.length) {
        for (let c = 0; c < m; c++) next[c] = rows[o + m + c]! - mu[c]!;
        accumulateTwo(cov, row, next, m);
        t++;
      } else accumulate(cov, row, m);
    }
    count += sample.length;
  }
  symmetrise(cov, m, count);
  let trace = 0;
  for (let c = 0; c < m; c++) trace += cov[c * m + c]!;
  for (let c = 0; c < m; c++) cov[c * m + c] += (RIDGE * trace) / m;
  return { coefs, chol: cholesky(cov, m) };
}

/** Lower half of cov += row row^T. */
function accumulate(cov: Float64Array, row: Float64Array, m: number): void {
  for (let a = 0; a < m; a++) {
    const ra = row[a]!;
    if (ra === 0) continue;
    const o = a * m;
    for (let b = 0; b <= a; b++) cov[o + b] += ra * row[b]!;
  }
}

/** accumulate(cov, a, m) then accumulate(cov, b, m), in one pass (the same sums; a zero term adds nothing either way). */
function accumulateTwo(cov: Float64Array, a: Float64Array, b: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) {
    const ai = a[i]!, bi = b[i]!;
    const o = i * m;
    for (let j = 0; j <= i; j++) cov[o + j] = cov[o + j]! + ai * a[j]! + bi * b[j]!;
  }
}

/** Divides the lower half by count and mirrors it. */
function symmetrise(cov: Float64Array, m: number, count: number): void {
  const q = 1 / (count || 1);
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) {
    cov[a * m + b] *= q;
    cov[b * m + a] = cov[a * m + b]!;
  }
}

function cholesky(a: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) {
    let v = a[i * m + j]!;
    for (let k = 0; k < j; k++) v -= l[i * m + k]! * l[j * m + k]!;
    l[i * m + j] = i === j ? Math.sqrt(Math.max(v, 1e-12)) : v / l[j * m + j]!;
  }
  return l;
}

/** forward for the four rows at o0 .. o3 at once (each row's steps unchanged). */
function forwardFour(l: Float64Array, m: number, y: Float64Array, o0: number, o1: number, o2: number, o3: number): void {
  for (let i = 0; i < m; i++) {
    let v0 = y[o0 + i]!, v1 = y[o1 + i]!, v2 = y[o2 + i]!, v3 = y[o3 + i]!;
    const r = i * m;
    for (let k = 0; k < i; k++) {
      const lk = l[r + k]!;
      v0 -= lk * y[o0 + k]!;
      v1 -= lk * y[o1 + k]!;
      v2 -= lk * y[o2 + k]!;
      v3 -= lk * y[o3 + k]!;
    }
    const d = l[r + i]!;
    y[o0 + i] = v0 / d;
    y[o1 + i] = v1 / d;
    y[o2 + i] = v2 / d;
    y[o3 + i] = v3 / d;
  }
}

/** Solves l y = b (l lower triangular) in place. */
function forward(l: Float64Array, m: number, y: Float64Array, o: number): void {
  for (let i = 0; i < m; i++) {
    let v = y[o + i]!;
    const r = i * m;
    for (let k = 0; k < i; k++) v -= l[r + k]! * y[o + k]!;
    y[o + i] = v / l[r + i]!;
  }
}

/** Every start's cross-fitted tail from the class's directions of excess spread; none for a class too small. */
export function contrastTails(s: Spectra, members: number[], w: SharedWhitening): ClassTail[] {
  const { coefs, chol } = w;
  const m = coefs.length;
  const n = members.length;
  if (n < MEMBERS_PER_COEFFICIENT * m) return [];
  // Each member's used coefficients, unit length, whitened by the shared covariance.
  const y = new Float64Array(n * m);
  const row = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    unitRow(s, coefs, members[t]!, row);
    y.set(row, t * m);
  }
  let t = 0;
  for (; t + 4 <= n; t += 4) forwardFour(chol, m, y, t * m, (t + 1) * m, (t + 2) * m, (t + 3) * m);
  for (; t < n; t++) forward(chol, m, y, t * m);
  const leads = leadingDirections(y, m, spacedIndices(n, MAX_CLASS_SAMPLE));
  const halves: number[][] = [[], []];
  for (let t = 0; t < n; t++) halves[t & 1]!.push(t);
  const out: ClassTail[] = [];
  for (const lead of leads) {
    for (const sign of [1, -1]) {
      const start = lead.map((v) => sign * v);
      const z = new Float32Array(n);
      for (let h = 0; h < 2; h++) {
        const dir = refineTail(y, m, spaced(halves[h]!, MAX_REFINE_ROWS), start, robustZ);
        const other = halves[1 - h]!;
        const zo = robustZ(y, m, other, dir);
        other.forEach((t, q) => (z[t] = zo[q]!));
      }
      out.push({ z, significance: oneSidedTail(z).significance, contrast: true });
    }
  }
  return out;
}

function spacedIndices(n: number, max: number): number[] {
  return spaced(Array.from({ length: n }, (_, t) => t), max);
}

/** The CONTRAST_LEADS leading directions of the covariance of rows `sample` of y (orthogonal iteration). */
function leadingDirections(y: Float64Array, m: number, sample: number[]): Float64Array[] {
  const cov = new Float64Array(m * m);
  const mu = new Float64Array(m);
  for (const t of sample) for (let c = 0; c < m; c++) mu[c] += y[t * m + c]! / sample.length;
  const row = new Float64Array(m), next = new Float64Array(m);
  for (let q = 0; q < sample.length; q++) {
    const t = sample[q]!;
    for (let c = 0; c < m; c++) row[c] = y[t * m + c]! - mu[c]!;
    if (q + 1 < sample.length) {
      const u = sample[++q]!;
      for (let c = 0; c < m; c++) next[c] = y[u * m + c]! - mu[c]!;
      accumulateTwo(cov, row, next, m);
    } else accumulate(cov, row, m);
  }
  symmetrise(cov, m, sample.length);
  // Fixed starts (deterministic), a different spread pattern per vector.
  let v: Float64Array[] = Array.from({ length: ITERATED }, (_, j) => {
    let state = 2654435761 * (j + 1);
    return Float64Array.from({ length: m }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296 - 0.5;
    });
  });
  orthonormalise(v, m);
  for (let it = 0; it < ITERATIONS; it++) {
    v = v.map((u) => {
      const out = new Float64Array(m);
      for (let a = 0; a < m; a++) {
        let acc = 0;
        const o = a * m;
        for (let b = 0; b < m; b++) acc += cov[o + b]! * u[b]!;
        out[a] = acc;
      }
      return out;
    });
    orthonormalise(v, m);
  }
  return v.slice(0, CONTRAST_LEADS);
}

function orthonormalise(v: Float64Array[], m: number): void {
  for (let j = 0; j < v.length; j++) {
    const u = v[j]!;
    for (let i = 0; i < j; i++) {
      let dd = 0;
      for (let c = 0; c < m; c++) dd += u[c]! * v[i]![c]!;
      for (let c = 0; c < m; c++) u[c] -= dd * v[i]![c]!;
    }
    let e = 0;
    for (let c = 0; c < m; c++) e += u[c]! * u[c]!;
    const q = 1 / (Math.sqrt(e) || 1);
    for (let c = 0; c < m; c++) u[c] *= q;
  }
}

/** Robust z (median, MAD) of rows `rows` of y projected on dir. */
function robustZ(y: Float64Array, m: number, rows: number[], dir: Float64Array): Float32Array {
  const z = new Float32Array(rows.length);
  rows.forEach((t, q) => {
    let acc = 0;
    const o = t * m;
    for (let c = 0; c < m; c++) acc += y[o + c]! * dir[c]!;
    z[q] = acc;
  });
  const { med, mad: dev } = middleAndSpread(z);
  const mad = dev * 1.4826 || 1;
  for (let q = 0; q < z.length; q++) z[q] = (z[q]! - med) / mad;
  return z;
}


/** The tail's mean spectrum minus the rest's (the spectra's template of a pattern found in the whitened coefficients). */
export function tailTemplate(s: Spectra, members: number[], z: Float32Array): Float64Array {
  const n = members.length;
  let tail = 0;
  for (let t = 0; t < n; t++) if (z[t]! >= TAIL_Z) tail++;
  const template = new Float64Array(s.d);
  if (tail === 0 || tail === n) return template;
  const k = Float64Array.from(z, (v) => (v >= TAIL_Z ? 1 / tail : -1 / (n - tail)));
  addRows(template, k, s.x, members, s.d);
  return template;
}
