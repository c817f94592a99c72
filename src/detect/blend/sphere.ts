// Where a pattern shared by some of a class's images points when its energy is where the class's own images vary
// most. Whitened coefficient by coefficient, a pattern with a natural spectrum (content rather than noise) carries
// about as much of each carrier's energy at every frequency as the carrier's own content, so it draws the class's
// spread about as much as the class's own kinds do: its direction is mixed into the class's first few dozen directions of
// spread rather than being one of them. Sphered within that span (each leading direction of the class's luma spread
// scaled to unit variance), those directions count alike, and a group that shares one shift stands out on the
// direction of that shift, whatever its spectrum. Each axis of the sphered span, either sign, is refined from the
// images that stand out on it, on one half of the class, and scores the other half (cross-fitting, as for the other
// starts); its template in the spectra, the tail's mean minus the rest's, is made only for a tail that is tested.
// Luma only: a class's own colours spread it in chroma, and JPEG keeps little of an added pattern there.
import { spaced } from '../../util/stats.js';
import { LUMA_SIDE, type Spectra } from './spectra.js';
import { middleAndSpread } from './select.js';
import { TAIL_Z, oneSidedTail } from './template.js';
import { refineTail } from './refine.js';
import type { ClassTail } from './class-tail.js';

/** Leading directions of a class's luma spread that are sphered and searched. */
export const SPHERED = 24;
/** Width of a block of the Krylov span the directions are found in, and the blocks (more kept than used). */
const BLOCK = 12;
const BLOCKS = 4;
/** Members the directions are estimated from at most (evenly spaced): a pattern's share is the same in a sample. */
const MAX_SAMPLE = 1024;
/** Members per sphered direction a class needs (fewer, and its leading directions describe its own few images). */
const MEMBERS_PER_DIRECTION = 8;
/** Luma coefficients per spectrum row (luma comes first). */
const LUMA_DIM = LUMA_SIDE * LUMA_SIDE;

/** Every sphered axis's cross-fitted tail (tails with the same members kept once); none for a class too small. */
export function spheredTails(s: Spectra, members: number[]): ClassTail[] {
  const n = members.length;
  if (n < MEMBERS_PER_DIRECTION * SPHERED) return [];
  const y = spheredCoordinates(s, members);
  if (!y) return [];
  const k = SPHERED;
  const halves: number[][] = [[], []];
  for (let t = 0; t < n; t++) halves[t & 1]!.push(t);
  const out: ClassTail[] = [];
  const seen = new Set<string>();
  for (let j = 0; j < k; j++) {
    for (const sign of [1, -1]) {
      const start = new Float64Array(k);
      start[j] = sign;
      const z = new Float32Array(n);
      for (let h = 0; h < 2; h++) {
        const dir = refineTail(y, k, halves[h]!, start, cosineZ);
        const other = halves[1 - h]!;
        const zo = cosineZ(y, k, other, dir);
        other.forEach((t, q) => (z[t] = zo[q]!));
      }
      const key = tailKey(z);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ z, significance: oneSidedTail(z).significance, sphered: true });
    }
  }
  return out;
}

/** The members at or beyond the tail line, as a key (an empty tail is one key). */
function tailKey(z: Float32Array): string {
  const at: number[] = [];
  for (let t = 0; t < z.length; t++) if (z[t]! >= TAIL_Z) at.push(t);
  return at.join(',');
}

/**
 * Each member's luma spectrum at unit length, centred on the class sample's mean, in the span of the class's SPHERED
 * leading directions of spread, each scaled to unit variance: n x SPHERED, row-major. Undefined when the class has
 * no spread.
 */
export function spheredCoordinates(s: Spectra, members: number[]): Float64Array | undefined {
  const d = LUMA_DIM;
  const sample = spaced(members, MAX_SAMPLE);
  const m = sample.length;
  const a = new Float64Array(m * d);
  const mu = new Float64Array(d);
  sample.forEach((i, t) => {
    unitLuma(s, i, a, t * d);
    for (let p = 0; p < d; p++) mu[p] += a[t * d + p]! / m;
  });
  for (let t = 0; t < m; t++) for (let p = 0; p < d; p++) a[t * d + p] -= mu[p]!;
  // Block Krylov span of the sample's covariance: a fixed spread block (deterministic), then each block the
  // covariance times the one before, orthonormalised against all before it. Far fewer passes over the sample than
  // subspace iteration for the same accuracy of the leading directions. Vectors are stored one after another.
  const b = BLOCK;
  const r = b * BLOCKS;
  const w = new Float64Array(r * d);
  let state = 2654435761;
  const start = new Float64Array(b * d);
  for (let q = 0; q < b * d; q++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    start[q] = state / 4294967296 - 0.5;
  }
  covarianceTimes(a, m, d, start, b, w.subarray(0, b * d));
  for (let j = 0; j < BLOCKS; j++) {
    orthonormalise(w, d, j * b, (j + 1) * b);
    if (j + 1 < BLOCKS) covarianceTimes(a, m, d, w.subarray(j * b * d, (j + 1) * b * d), b, w.subarray((j + 1) * b * d, (j + 2) * b * d));
  }
  // The sample's covariance within the span, and its eigenvectors (Jacobi): the leading directions and variances.
  const p = new Float64Array(m * r);
  for (let t = 0; t < m; t++) dotsInto(a, t * d, w, r, d, p, t * r);
  const cov = new Float64Array(r * r);
  for (let t = 0; t < m; t++) {
    const o = t * r;
    for (let u = 0; u < r; u++) {
      const pu = p[o + u]!;
      for (let c = 0; c <= u; c++) cov[u * r + c] += pu * p[o + c]!;
    }
  }
  for (let u = 0; u < r; u++) for (let c = 0; c <= u; c++) cov[c * r + u] = cov[u * r + c] = cov[u * r + c]! / m;
  const { values, vectors } = symmetricEigen(cov, r);
  const order = Array.from({ length: r }, (_, j) => j).sort((x, z) => values[z]! - values[x]! || x - z);
  const k = SPHERED;
  // Direction j, divided by its spread, at dirs[j * d ..].
  const dirs = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    const e = order[j]!;
    const sd = Math.sqrt(values[e]!);
    if (!(sd > 0)) return undefined;
    const o = j * d;
    for (let u = 0; u < r; u++) {
      const c = vectors[u * r + e]! / sd;
      const wo = u * d;
      for (let q = 0; q < d; q++) dirs[o + q] += c * w[wo + q]!;
    }
  }
  const muDir = new Float64Array(k);
  dotsInto(mu, 0, dirs, k, d, muDir, 0);
  const n = members.length;
  const y = new Float64Array(n * k);
  const row = new Float64Array(d);
  members.forEach((i, t) => {
    unitLuma(s, i, row, 0);
    dotsInto(row, 0, dirs, k, d, y, t * k);
    for (let j = 0; j < k; j++) y[t * k + j] -= muDir[j]!;
  });
  return y;
}

/** Image i's luma coefficients at unit length into out[at ..]. */
function unitLuma(s: Spectra, i: number, out: Float64Array, at: number): void {
  const o = i * s.d;
  let e = 0;
  for (let p = 0; p < LUMA_DIM; p++) {
    const v = s.x[o + p]!;
    out[at + p] = v;
    e += v * v;
  }
  const q = 1 / (Math.sqrt(e) || 1);
  for (let p = 0; p < LUMA_DIM; p++) out[at + p] = out[at + p]! * q;
}

/** The dot products of x[o .. o + d) with the r vectors of v (one after another) into out[at ..], four at a time. */
function dotsInto(x: Float64Array, o: number, v: Float64Array, r: number, d: number, out: Float64Array, at: number): void {
  let j = 0;
  for (; j + 4 <= r; j += 4) {
    const v0 = j * d, v1 = v0 + d, v2 = v1 + d, v3 = v2 + d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < d; p++) {
      const xp = x[o + p]!;
      s0 += xp * v[v0 + p]!;
      s1 += xp * v[v1 + p]!;
      s2 += xp * v[v2 + p]!;
      s3 += xp * v[v3 + p]!;
    }
    out[at + j] = s0;
    out[at + j + 1] = s1;
    out[at + j + 2] = s2;
    out[at + j + 3] = s3;
  }
  for (; j < r; j++) {
    let s0 = 0;
    const v0 = j * d;
    for (let p = 0; p < d; p++) s0 += x[o + p]! * v[v0 + p]!;
    out[at + j] = s0;
  }
}

/** out = a^T a v for the b vectors of v (one after another), one pass over a's rows: a row's products, then its share. */
function covarianceTimes(a: Float64Array, m: number, d: number, v: Float64Array, b: number, out: Float64Array): void {
  out.fill(0);
  const c = new Float64Array(b);
  for (let t = 0; t < m; t++) {
    const o = t * d;
    dotsInto(a, o, v, b, d, c, 0);
    for (let j = 0; j < b; j++) {
      const cj = c[j]!;
      const oj = j * d;
      for (let p = 0; p < d; p++) out[oj + p] += cj * a[o + p]!;
    }
  }
}

/**
 * Gram-Schmidt (twice, for accuracy) of vectors from .. to of v (each d long, one after another) against all vectors
 * before them (orthonormal already) and each other, in place, in order.
 */
function orthonormalise(v: Float64Array, d: number, from: number, to: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = from; j < to; j++) {
      const oj = j * d;
      for (let i = 0; i < j; i++) {
        const oi = i * d;
        let dd = 0;
        for (let q = 0; q < d; q++) dd += v[oj + q]! * v[oi + q]!;
        for (let q = 0; q < d; q++) v[oj + q] -= dd * v[oi + q]!;
      }
      let e = 0;
      for (let q = 0; q < d; q++) e += v[oj + q]! ** 2;
      const k = 1 / (Math.sqrt(e) || 1);
      for (let q = 0; q < d; q++) v[oj + q] *= k;
    }
  }
}

/** Eigenvalues and eigenvectors (columns of vectors, row-major r x r) of a symmetric r x r matrix, by cyclic Jacobi. */
export function symmetricEigen(matrix: Float64Array, r: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(r * r);
  for (let j = 0; j < r; j++) v[j * r + j] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0, diag = 0;
    for (let p = 0; p < r; p++) {
      diag += a[p * r + p]! ** 2;
      for (let q = p + 1; q < r; q++) off += a[p * r + q]! ** 2;
    }
    if (off <= 1e-24 * diag || off === 0) break;
    for (let p = 0; p < r; p++) for (let q = p + 1; q < r; q++) {
      const apq = a[p * r + q]!;
      if (apq === 0) continue;
      const theta = (a[q * r + q]! - a[p * r + p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
      for (let k = 0; k < r; k++) {
        const akp = a[k * r + p]!, akq = a[k * r + q]!;
        a[k * r + p] = c * akp - sn * akq;
        a[k * r + q] = sn * akp + c * akq;
      }
      for (let k = 0; k < r; k++) {
        const apk = a[p * r + k]!, aqk = a[q * r + k]!;
        a[p * r + k] = c * apk - sn * aqk;
        a[q * r + k] = sn * apk + c * aqk;
      }
      for (let k = 0; k < r; k++) {
        const vkp = v[k * r + p]!, vkq = v[k * r + q]!;
        v[k * r + p] = c * vkp - sn * vkq;
        v[k * r + q] = sn * vkp + c * vkq;
      }
    }
  }
  return { values: Float64Array.from({ length: r }, (_, j) => a[j * r + j]!), vectors: v };
}

/** Robust z (median, MAD) of the cosines of rows `rows` of y with dir. */
function cosineZ(y: Float64Array, k: number, rows: number[], dir: Float64Array): Float32Array {
  let nd = 0;
  for (let j = 0; j < k; j++) nd += dir[j]! * dir[j]!;
  nd = Math.sqrt(nd) || 1;
  const z = new Float32Array(rows.length);
  rows.forEach((t, q) => {
    let acc = 0, e = 0;
    const o = t * k;
    for (let j = 0; j < k; j++) {
      acc += y[o + j]! * dir[j]!;
      e += y[o + j]! * y[o + j]!;
    }
    z[q] = acc / (nd * (Math.sqrt(e) || 1));
  });
  const { med, mad: dev } = middleAndSpread(z);
  const mad = dev * 1.4826 || 1;
  for (let q = 0; q < z.length; q++) z[q] = (z[q]! - med) / mad;
  return z;
}

