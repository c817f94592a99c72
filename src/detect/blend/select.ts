// Order statistics of the blend search without sorting: a projection's median and spread, and the set of its top
// values. Each refinement round needs only these, not a full order; a sort costs tens of times more.
//
// The results are those of sorting (Float32Array.prototype.sort for the middle element, a stable sort by value,
// largest first, for the top set): a value's rank is taken with < and ==, as the sorts compare. Values holding NaN
// are sorted instead (a sort places NaN where a comparison cannot).

import { selectKth } from '../../util/select.js';

/** Scratch that grows to the largest set it is asked about (one per thread). */
let scratch = new Float32Array(0);

function buffer(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

function hasNaN(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return true;
  return false;
}


/**
 * The middle element of v (Float32Array.from(v).sort()[v.length >> 1]) and that of the distances to it, as Float32
 * values: the median and the median absolute deviation.
 */
export function middleAndSpread(v: Float32Array): { med: number; mad: number } {
  const n = v.length;
  if (hasNaN(v)) {
    const sorted = Float32Array.from(v).sort();
    const med = sorted[n >> 1]!;
    const dev = Float32Array.from(v, (x) => Math.abs(x - med)).sort();
    return { med, mad: dev[n >> 1]! };
  }
  const a = buffer(n);
  for (let i = 0; i < n; i++) a[i] = v[i]!;
  const med = selectKth(a, n >> 1);
  for (let i = 0; i < n; i++) a[i] = Math.abs(v[i]! - med);
  return { med, mad: selectKth(a, n >> 1) };
}

/**
 * Marks in `out` (length z.length, cleared here) the first `top` indices of the order of z by value, largest first,
 * ties in index order (a stable sort): every index above the top-th largest value, then the first indices holding
 * that value.
 */
export function markTop(z: Float32Array, top: number, out: Uint8Array): void {
  const n = z.length;
  out.fill(0);
  if (top <= 0) return;
  if (top >= n) {
    out.fill(1);
    return;
  }
  if (hasNaN(z)) {
    const order = Array.from({ length: n }, (_, t) => t).sort((a, b) => z[b]! - z[a]!);
    for (let q = 0; q < top; q++) out[order[q]!] = 1;
    return;
  }
  const a = buffer(n);
  for (let i = 0; i < n; i++) a[i] = z[i]!;
  const line = selectKth(a, n - top);
  let above = 0;
  for (let i = 0; i < n; i++) if (z[i]! > line) {
    out[i] = 1;
    above++;
  }
  for (let i = 0, left = top - above; i < n && left > 0; i++) if (z[i] === line) {
    out[i] = 1;
    left--;
  }
}
