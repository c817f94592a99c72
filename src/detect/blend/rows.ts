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

/**
 * dotRows for several vectors over the same rows in one pass (each row read once for all of them): outs[j][t] is
 * exactly dotRows(x, rows, vs[j], d)[t]. Vectors go four at a time over two rows at a time.
 */
export function dotRowsMany(x: Int16Array, rows: ArrayLike<number>, vs: Float64Array[], d: number, outs: Float64Array[]): void {
  let j = 0;
  for (; j + 4 <= vs.length; j += 4) {
    const v0 = vs[j]!, v1 = vs[j + 1]!, v2 = vs[j + 2]!, v3 = vs[j + 3]!;
    const r0 = outs[j]!, r1 = outs[j + 1]!, r2 = outs[j + 2]!, r3 = outs[j + 3]!;
    const m = rows.length;
    let t = 0;
    for (; t + 2 <= m; t += 2) {
      const o = rows[t]! * d, o2 = rows[t + 1]! * d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let p = 0; p < d; p++) {
        const xp = x[o + p]!, yp = x[o2 + p]!;
        const q0 = v0[p]!, q1 = v1[p]!, q2 = v2[p]!, q3 = v3[p]!;
        a0 += xp * q0;
        a1 += xp * q1;
        a2 += xp * q2;
        a3 += xp * q3;
        b0 += yp * q0;
        b1 += yp * q1;
        b2 += yp * q2;
        b3 += yp * q3;
      }
      r0[t] = a0;
      r1[t] = a1;
      r2[t] = a2;
      r3[t] = a3;
      r0[t + 1] = b0;
      r1[t + 1] = b1;
      r2[t + 1] = b2;
      r3[t + 1] = b3;
    }
    for (; t < m; t++) {
      const o = rows[t]! * d;
      r0[t] = dotRow(x, o, v0, d);
      r1[t] = dotRow(x, o, v1, d);
      r2[t] = dotRow(x, o, v2, d);
      r3[t] = dotRow(x, o, v3, d);
    }
  }
  for (; j < vs.length; j++) dotRows(x, rows, vs[j]!, d, outs[j]!);
}

/**
 * addRows for several outputs over the same rows in one pass: ws[j] ends exactly as addRows(ws[j], ks[j], x, rows, d)
 * leaves it (four rows at a time, each output's terms in the same order). Outputs go four at a time.
 */
export function addRowsMany(ws: Float64Array[], ks: Float64Array[], x: Int16Array, rows: ArrayLike<number>, d: number): void {
  let j = 0;
  for (; j + 4 <= ws.length; j += 4) {
    const w0 = ws[j]!, w1 = ws[j + 1]!, w2 = ws[j + 2]!, w3 = ws[j + 3]!;
    const k0 = ks[j]!, k1 = ks[j + 1]!, k2 = ks[j + 2]!, k3 = ks[j + 3]!;
    const m = rows.length;
    let t = 0;
    for (; t + 4 <= m; t += 4) {
      const o0 = rows[t]! * d, o1 = rows[t + 1]! * d, o2 = rows[t + 2]! * d, o3 = rows[t + 3]! * d;
      const a0 = k0[t]!, a1 = k0[t + 1]!, a2 = k0[t + 2]!, a3 = k0[t + 3]!;
      const b0 = k1[t]!, b1 = k1[t + 1]!, b2 = k1[t + 2]!, b3 = k1[t + 3]!;
      const c0 = k2[t]!, c1 = k2[t + 1]!, c2 = k2[t + 2]!, c3 = k2[t + 3]!;
      const e0 = k3[t]!, e1 = k3[t + 1]!, e2 = k3[t + 2]!, e3 = k3[t + 3]!;
      for (let p = 0; p < d; p++) {
        const x0 = x[o0 + p]!, x1 = x[o1 + p]!, x2 = x[o2 + p]!, x3 = x[o3 + p]!;
        w0[p] = w0[p]! + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
        w1[p] = w1[p]! + b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
        w2[p] = w2[p]! + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
        w3[p] = w3[p]! + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
      }
    }
    for (; t < m; t++) {
      const o = rows[t]! * d;
      addRow(w0, k0[t]!, x, o, d);
      addRow(w1, k1[t]!, x, o, d);
      addRow(w2, k2[t]!, x, o, d);
      addRow(w3, k3[t]!, x, o, d);
    }
  }
  for (; j < ws.length; j++) addRows(ws[j]!, ks[j]!, x, rows, d);
}
