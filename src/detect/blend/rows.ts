// Row kernels over int16 spectra rows, four rows at a time: each row's sum runs in order of the coefficient and each
// output coefficient takes the rows in their order, so the results are exactly those of one row at a time; four
// independent sums keep the processor busy where one sum waits on its previous step, and an output coefficient is
// loaded and stored once per four rows.

/** out[t] = sum over p < d of x[rows[t] * d + p] * v[p], in order of p, for every t. */
export function dotRows(x: Int16Array, rows: ArrayLike<number>, v: Float64Array, d: number, out: Float64Array): void {
  const m = rows.length;
  let t = 0;
  for (; t + 4 <= m; t += 4) {
    dot4(x, d, v, rows[t]! * d, rows[t + 1]! * d, rows[t + 2]! * d, rows[t + 3]! * d, out, t);
  }
  for (; t < m; t++) out[t] = dotRow(x, rows[t]! * d, v, d);
}

/** out[at + j] = sum over p < d of x[oj + p] * v[p], in order of p, for the rows at o0 .. o3. */
export function dot4(x: Int16Array, d: number, v: Float64Array, o0: number, o1: number, o2: number, o3: number, out: Float64Array, at: number): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let p = 0; p < d; p++) {
    const vp = v[p]!;
    s0 += x[o0 + p]! * vp;
    s1 += x[o1 + p]! * vp;
    s2 += x[o2 + p]! * vp;
    s3 += x[o3 + p]! * vp;
  }
  out[at] = s0;
  out[at + 1] = s1;
  out[at + 2] = s2;
  out[at + 3] = s3;
}

/** w[p] += k[t] * x[rows[t] * d + p] for p < d, the rows in order of t. */
export function addRows(w: Float64Array, k: Float64Array, x: Int16Array, rows: ArrayLike<number>, d: number): void {
  const m = rows.length;
  let t = 0;
  for (; t + 4 <= m; t += 4) add4(w, x, d, k[t]!, rows[t]! * d, k[t + 1]!, rows[t + 1]! * d, k[t + 2]!, rows[t + 2]! * d, k[t + 3]!, rows[t + 3]! * d);
  for (; t < m; t++) addRow(w, k[t]!, x, rows[t]! * d, d);
}

/** w[p] += k0 * x[o0 + p], then k1 * x[o1 + p], k2 * x[o2 + p], k3 * x[o3 + p], for p < d. */
export function add4(w: Float64Array, x: Int16Array, d: number, k0: number, o0: number, k1: number, o1: number, k2: number, o2: number, k3: number, o3: number): void {
  for (let p = 0; p < d; p++) w[p] = w[p]! + k0 * x[o0 + p]! + k1 * x[o1 + p]! + k2 * x[o2 + p]! + k3 * x[o3 + p]!;
}

/** Sum over p < d of x[o + p] * v[p], in order of p. */
export function dotRow(x: Int16Array, o: number, v: Float64Array, d: number): number {
  let s = 0;
  for (let p = 0; p < d; p++) s += x[o + p]! * v[p]!;
  return s;
}

/** w[p] += k * x[o + p] for p < d. */
export function addRow(w: Float64Array, k: number, x: Int16Array, o: number, d: number): void {
  for (let p = 0; p < d; p++) w[p] += k * x[o + p]!;
}
