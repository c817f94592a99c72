// The fast DCT-II of the blend spectra, and the same transform written out as straight-line code for one length.
//
// Why: the recursive form passes every value through a scratch array at each level and calls itself n - 1 times per
// line; the spectra of a large dataset take tens of thousands of 2-D transforms. Written out, each value lives in a
// local and a line costs its arithmetic alone.
//
// How: the straight-line code is produced by running the recursion on names instead of numbers, so it performs the
// very operations of fastDct, operand for operand and in the same order (its results are equal to the last bit),
// and is compiled once per length.

const secantTables: Float64Array[] = [];
/** 1 / (2 cos((i + 1/2) pi / n)), i < n/2: the butterfly factors of a fast n-point DCT. */
function secants(n: number): Float64Array {
  return (secantTables[n] ??= Float64Array.from({ length: n >> 1 }, (_, i) => 1 / (2 * Math.cos(((i + 0.5) * Math.PI) / n))));
}

const SEC2 = secants(2)[0]!;
const SEC4 = secants(4);

/**
 * Unnormalised DCT-II (X_k = sum_j x_j cos(pi (j + 1/2) k / n)) of a[off .. off + n), n a power of two, in place
 * (Lee's recursive factorisation: n/2 log2 n multiplications); s[soff ..] is scratch of at least 2n.
 */
export function fastDct(a: Float64Array, off: number, n: number, s: Float64Array, soff: number): void {
  if (n <= 4) {
    dct4(a, off, n);
    return;
  }
  const h = n >> 1;
  const sec = secants(n);
  for (let i = 0; i < h; i++) {
    const x = a[off + i]!, y = a[off + n - 1 - i]!;
    s[soff + i] = x + y;
    s[soff + h + i] = (x - y) * sec[i]!;
  }
  fastDct(s, soff, h, s, soff + n);
  fastDct(s, soff + h, h, s, soff + n);
  for (let k = 0; k < h - 1; k++) {
    a[off + 2 * k] = s[soff + k]!;
    a[off + 2 * k + 1] = s[soff + h + k]! + s[soff + h + k + 1]!;
  }
  a[off + n - 2] = s[soff + h - 1]!;
  a[off + n - 1] = s[soff + n - 1]!;
}

/** fastDct's last levels (n = 1, 2, 4) written out: the same operations without the calls. */
function dct4(a: Float64Array, off: number, n: number): void {
  if (n === 1) return;
  if (n === 2) {
    const x = a[off]!, y = a[off + 1]!;
    a[off] = x + y;
    a[off + 1] = (x - y) * SEC2;
    return;
  }
  const a0 = a[off]!, a1 = a[off + 1]!, a2 = a[off + 2]!, a3 = a[off + 3]!;
  const s0 = a0 + a3, s1 = a1 + a2;
  const s2 = (a0 - a3) * SEC4[0]!, s3 = (a1 - a2) * SEC4[1]!;
  const o1 = (s2 - s3) * SEC2;
  a[off] = s0 + s1;
  a[off + 1] = s2 + s3 + o1;
  a[off + 2] = (s0 - s1) * SEC2;
  a[off + 3] = o1;
}

/** fastDct of the n values a[off], a[off + stride], ..., a[off + (n - 1) stride], in place. */
export type LineDct = (a: Float64Array, off: number, stride: number) => void;

const lineDcts = new Map<number, LineDct>();

/** fastDct of one length (a power of two) as straight-line code over a strided line; compiled once per length. */
export function lineDct(n: number): LineDct {
  let f = lineDcts.get(n);
  if (f) return f;
  if (n < 1 || (n & (n - 1)) !== 0) throw new Error(`lineDct: ${n} is not a power of two`);
  const body: string[] = [];
  let names = 0;
  const local = (expr: string): string => {
    const v = `t${names++}`;
    body.push(`const ${v} = ${expr};`);
    return v;
  };
  // Constants as their shortest round-tripping decimal: the same doubles fastDct multiplies by.
  const c = (x: number) => `(${String(x)})`;
  // fastDct and dct4, step for step, on names.
  const dct = (a: string[]): string[] => {
    const m = a.length;
    if (m === 1) return a;
    if (m === 2) return [local(`${a[0]} + ${a[1]}`), local(`(${a[0]} - ${a[1]}) * ${c(SEC2)}`)];
    if (m === 4) {
      const s0 = local(`${a[0]} + ${a[3]}`), s1 = local(`${a[1]} + ${a[2]}`);
      const s2 = local(`(${a[0]} - ${a[3]}) * ${c(SEC4[0]!)}`), s3 = local(`(${a[1]} - ${a[2]}) * ${c(SEC4[1]!)}`);
      const o1 = local(`(${s2} - ${s3}) * ${c(SEC2)}`);
      return [local(`${s0} + ${s1}`), local(`${s2} + ${s3} + ${o1}`), local(`(${s0} - ${s1}) * ${c(SEC2)}`), o1];
    }
    const h = m >> 1;
    const sec = secants(m);
    const lo: string[] = [], hi: string[] = [];
    for (let i = 0; i < h; i++) {
      lo.push(local(`${a[i]} + ${a[m - 1 - i]}`));
      hi.push(local(`(${a[i]} - ${a[m - 1 - i]}) * ${c(sec[i]!)}`));
    }
    const l = dct(lo), r = dct(hi);
    const out: string[] = new Array(m);
    for (let k = 0; k < h - 1; k++) {
      out[2 * k] = l[k]!;
      out[2 * k + 1] = local(`${r[k]} + ${r[k + 1]}`);
    }
    out[m - 2] = l[h - 1]!;
    out[m - 1] = r[h - 1]!;
    return out;
  };
  const inputs: string[] = [];
  for (let j = 0; j < n; j++) inputs.push(local(`a[off + ${j} * stride]`));
  const out = dct(inputs);
  for (let k = 0; k < n; k++) body.push(`a[off + ${k} * stride] = ${out[k]};`);
  try {
    f = new Function('a', 'off', 'stride', body.join('\n')) as LineDct;
  } catch {
    // A runtime that forbids code from strings: fastDct itself over a copy of the line (the same results).
    f = stridedDct(n);
  }
  lineDcts.set(n, f);
  return f;
}

/** fastDct over a strided line through a contiguous copy. */
function stridedDct(n: number): LineDct {
  const line = new Float64Array(n), scratch = new Float64Array(2 * n);
  return (a, off, stride) => {
    for (let j = 0; j < n; j++) line[j] = a[off + j * stride]!;
    fastDct(line, 0, n, scratch, 0);
    for (let k = 0; k < n; k++) a[off + k * stride] = line[k]!;
  };
}
