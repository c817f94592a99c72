// Small dense linear algebra for the embedding detectors: per-class centring, top eigenvectors by power
// iteration (never forming the d x d covariance), projections, robust z-scores and 2-means.
import type { Rng } from '../util/rng.js';
import type { Embeddings } from './embeddings.js';

/** Sample positions per label (null labels form one group). */
export function byClass(labels: (string | null)[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const k = l ?? '';
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(i);
  });
  return out;
}

/** The rows as an m x d matrix (row-major Float64Array) minus their mean. */
export function centred(e: Embeddings, rows: number[], mean?: Float64Array): Float64Array {
  const d = e.dim;
  const mu = mean ?? new Float64Array(d);
  if (!mean) {
    for (const r of rows) for (let k = 0; k < d; k++) mu[k]! += e.data[r * d + k]!;
    for (let k = 0; k < d; k++) mu[k]! /= rows.length;
  }
  const X = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let k = 0; k < d; k++) X[i * d + k] = e.data[r * d + k]! - mu[k]!;
  });
  return X;
}

/** The k leading eigenvectors of X^T X (m x d), by power iteration with deflation. Rows of the result are vectors. */
export function topEigenvectors(X: Float64Array, m: number, d: number, k: number, rng: Rng, iterations = 60): Float64Array {
  const V = new Float64Array(k * d);
  const Xv = new Float64Array(m);
  const w = new Float64Array(d);
  for (let j = 0; j < k; j++) {
    const v = V.subarray(j * d, (j + 1) * d);
    for (let t = 0; t < d; t++) v[t] = rng() - 0.5;
    for (let it = 0; it < iterations; it++) {
      // w = X^T (X v), then remove the earlier vectors' components and normalise.
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += X[i * d + t]! * v[t]!;
        Xv[i] = s;
      }
      w.fill(0);
      for (let i = 0; i < m; i++) {
        const s = Xv[i]!;
        if (s !== 0) for (let t = 0; t < d; t++) w[t]! += s * X[i * d + t]!;
      }
      for (let p = 0; p < j; p++) {
        const u = V.subarray(p * d, (p + 1) * d);
        let dot = 0;
        for (let t = 0; t < d; t++) dot += w[t]! * u[t]!;
        for (let t = 0; t < d; t++) w[t]! -= dot * u[t]!;
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += w[t]! * w[t]!;
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      for (let t = 0; t < d; t++) v[t] = w[t]! / norm;
    }
  }
  return V;
}

/** X (m x d) projected on the k vectors of V: m x k. */
export function project(X: Float64Array, m: number, d: number, V: Float64Array, k: number): Float64Array {
  const P = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += X[i * d + t]! * V[j * d + t]!;
    P[i * k + j] = s;
  }
  return P;
}

/** (x - median) / (1.4826 MAD), MAD floored so that a constant column does not divide by zero. */
export function robustZ(xs: Float64Array): Float64Array {
  const sorted = Float64Array.from(xs).sort();
  const med = sorted[sorted.length >> 1] ?? 0;
  const dev = Float64Array.from(xs, (x) => Math.abs(x - med)).sort();
  const mad = Math.max(1.4826 * (dev[dev.length >> 1] ?? 0), 1e-9);
  return Float64Array.from(xs, (x) => (x - med) / mad);
}

/**
 * Two-means on m points of dimension k (k-means++ start, Lloyd iterations). Returns the assignment and the
 * simplified silhouette (each point's distance to the other centre against its own), averaged.
 */
export function twoMeans(P: Float64Array, m: number, k: number, rng: Rng, iterations = 50): { assign: Uint8Array; silhouette: number } {
  const c = new Float64Array(2 * k);
  const first = Math.floor(rng() * m);
  for (let t = 0; t < k; t++) c[t] = P[first * k + t]!;
  // Second centre: the point farthest from the first (deterministic k-means++ limit).
  let far = 0;
  let farD = -1;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += (P[i * k + t]! - c[t]!) ** 2;
    if (s > farD) [far, farD] = [i, s];
  }
  for (let t = 0; t < k; t++) c[k + t] = P[far * k + t]!;
  const assign = new Uint8Array(m);
  const dist = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < k; t++) s += (P[i * k + t]! - c[j * k + t]!) ** 2;
    return Math.sqrt(s);
  };
  for (let it = 0; it < iterations; it++) {
    let changed = false;
    for (let i = 0; i < m; i++) {
      const a = dist(i, 0) <= dist(i, 1) ? 0 : 1;
      if (a !== assign[i]) [assign[i], changed] = [a, true];
    }
    const count = [0, 0];
    c.fill(0);
    for (let i = 0; i < m; i++) {
      count[assign[i]!]!++;
      for (let t = 0; t < k; t++) c[assign[i]! * k + t]! += P[i * k + t]!;
    }
    for (let j = 0; j < 2; j++) for (let t = 0; t < k; t++) c[j * k + t]! /= Math.max(1, count[j]!);
    if (!changed && it > 0) break;
  }
  let sil = 0;
  for (let i = 0; i < m; i++) {
    const own = dist(i, assign[i]!);
    const other = dist(i, 1 - assign[i]!);
    sil += (other - own) / Math.max(own, other, 1e-12);
  }
  return { assign, silhouette: sil / m };
}
