// Whitened spectra for the blend detector: each image's luma (32x32) and chroma (two 16x16 planes, the resolution
// JPEG keeps) as 2-D DCT coefficients, each coefficient centred on the dataset mean and divided by its dataset
// standard deviation. Natural images put nearly all their variance in low frequencies; an added pattern may sit at
// any frequency. Whitened, every coefficient counts by how far it stands above natural variation there, so one
// cosine weighs a fine noise, a colour noise and a mid-frequency sinusoid alike (a matched filter for a stationary
// background). The DCT is orthonormal: cosines between whitened spectra are cosines between images filtered by the
// inverse natural spectrum. The lowest frequencies (an image's layout) are dropped; memory is 3 KB per image.
import type { ImageFeatures } from '../../model/image-features.js';
import { CHROMA_B, CHROMA_R, LUMA, planeOnGrid, type PlaneWeights } from './luma.js';

export const LUMA_SIDE = 32;
const CHROMA_SIDE = 16;
const PLANES: readonly { w: PlaneWeights; side: number }[] = [
  { w: LUMA, side: LUMA_SIDE },
  { w: CHROMA_B, side: CHROMA_SIDE },
  { w: CHROMA_R, side: CHROMA_SIDE },
];
/** Cycles per image below which (in both directions) a coefficient is layout; DCT index k is k/2 cycles. */
const LAYOUT_CYCLES = 2;
/** Coefficients per image. */
export const SPECTRUM_DIM = PLANES.reduce((s, p) => s + p.side * p.side, 0);
/**
 * Variance (in squared pixel steps) added to every coefficient's before dividing: structure below one step is
 * rounding, and coefficients JPEG nearly always zeroes must not be blown up.
 */
const VARIANCE_FLOOR = 1;
/** Whitened values are stored as 16-bit integers in 1/SPECTRUM_SCALE standard deviations (clamped at about 128 sd). */
const SPECTRUM_SCALE = 256;
/** Images the coefficient means and variances are estimated from at most (evenly spaced). */
const MAX_SAMPLE = 2048;

export interface Spectra {
  /** n x SPECTRUM_DIM whitened coefficients, row-major. */
  x: Int16Array;
  d: number;
  /** Each image's spectrum length (stored units). */
  norm: Float32Array;
  /** Per coefficient: pixel-step units per stored unit (to turn a template back into an image). */
  unit: Float64Array;
}

const cosTables = new Map<number, Float64Array>();
/** Orthonormal DCT-II matrix, side x side, row k = frequency k. */
function dctTable(side: number): Float64Array {
  let t = cosTables.get(side);
  if (t) return t;
  t = new Float64Array(side * side);
  for (let k = 0; k < side; k++) {
    const a = Math.sqrt((k === 0 ? 1 : 2) / side);
    for (let j = 0; j < side; j++) t[k * side + j] = a * Math.cos((Math.PI * (2 * j + 1) * k) / (2 * side));
  }
  cosTables.set(side, t);
  return t;
}

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

/** Orthonormal 2-D DCT of a side x side plane (src) into out[at ..]; work holds side*side + 3*side values. */
function dct2(src: Float32Array, side: number, work: Float64Array, out: Float64Array, at: number): void {
  const line = side * side;
  const scratch = line + side;
  for (let p = 0; p < line; p++) work[p] = src[p]!;
  for (let r = 0; r < side; r++) fastDct(work, r * side, side, work, scratch);
  for (let c = 0; c < side; c++) {
    for (let r = 0; r < side; r++) work[line + r] = work[r * side + c]!;
    fastDct(work, line, side, work, scratch);
    for (let k = 0; k < side; k++) work[k * side + c] = work[line + k]!;
  }
  const a0 = Math.sqrt(1 / side), a1 = Math.sqrt(2 / side);
  for (let k = 0; k < side; k++) for (let l = 0; l < side; l++) {
    out[at + k * side + l] = work[k * side + l]! * (k === 0 ? a0 : a1) * (l === 0 ? a0 : a1);
  }
}

/** Raw (unwhitened) coefficients of image i into out[0 .. SPECTRUM_DIM); layout coefficients are left at 0. */
function spectrum(f: GridPixels, i: number, plane: Float32Array, tmp: Float64Array, out: Float64Array): void {
  let at = 0;
  for (const p of PLANES) {
    planeOnGrid(f, i, p.side, p.w, plane, 0);
    dct2(plane, p.side, tmp, out, at);
    // Below LAYOUT_CYCLES in both directions (the mean included) is an image's layout: exposure, colour cast,
    // where the object and its colour are. Images of one kind share it; it is content, not a pattern.
    for (let k = 0; k < 2 * LAYOUT_CYCLES; k++) for (let l = 0; l < 2 * LAYOUT_CYCLES; l++) out[at + k * p.side + l] = 0;
    at += p.side * p.side;
  }
}

/** The pixels spectra are made from: the working grid and its n x grid x grid x 3 RGB bytes. */
export type GridPixels = Pick<ImageFeatures, 'grid' | 'pixels'>;

/** Per coefficient: the dataset mean it is centred on and the gain that whitens it (stored units per pixel step). */
export interface Whitening {
  mean: Float64Array;
  gain: Float64Array;
  unit: Float64Array;
}

/** Buffers one thread reuses for every image's spectrum. */
class SpectrumWork {
  readonly plane = new Float32Array(LUMA_SIDE * LUMA_SIDE);
  readonly tmp = new Float64Array(LUMA_SIDE * LUMA_SIDE + 3 * LUMA_SIDE);
  readonly raw = new Float64Array(SPECTRUM_DIM);
}

export function imageCount(f: GridPixels): number {
  return f.pixels.length / (f.grid * f.grid * 3);
}

/** Coefficient means and spreads, estimated from at most MAX_SAMPLE evenly spaced images. */
export function whitening(f: GridPixels): Whitening {
  const n = imageCount(f);
  const d = SPECTRUM_DIM;
  const work = new SpectrumWork();
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  const step = Math.max(1, n / MAX_SAMPLE);
  let m = 0;
  for (let s = 0; s < n; s += step) {
    const k = work.raw;
    spectrum(f, Math.floor(s), work.plane, work.tmp, k);
    for (let p = 0; p < d; p++) {
      mean[p] += k[p]!;
      sq[p] += k[p]! * k[p]!;
    }
    m++;
  }
  const gain = new Float64Array(d);
  const unit = new Float64Array(d);
  for (let p = 0; p < d; p++) {
    mean[p] /= m || 1;
    const v = Math.max(0, sq[p]! / (m || 1) - mean[p]! * mean[p]!);
    const sd = Math.sqrt(v + VARIANCE_FLOOR);
    gain[p] = SPECTRUM_SCALE / sd;
    unit[p] = sd / SPECTRUM_SCALE;
  }
  return { mean, gain, unit };
}

/** Whitened spectra of images lo .. hi into their rows of x, and their lengths into norm. */
export function whitenRange(f: GridPixels, w: Whitening, x: Int16Array, norm: Float32Array, lo: number, hi: number): void {
  const d = SPECTRUM_DIM;
  const { mean, gain } = w;
  const work = new SpectrumWork();
  const raw = work.raw;
  for (let i = lo; i < hi; i++) {
    spectrum(f, i, work.plane, work.tmp, raw);
    const o = i * d;
    let e = 0;
    for (let p = 0; p < d; p++) {
      const r = Math.round((raw[p]! - mean[p]!) * gain[p]!);
      const v = r > 32767 ? 32767 : r < -32767 ? -32767 : r;
      x[o + p] = v;
      e += v * v;
    }
    norm[i] = Math.sqrt(e);
  }
}

/** Storage for n images' spectra, in shared memory (worker threads fill and read it in place). */
export function allocateSpectra(n: number, w: Whitening): Spectra {
  const x = new Int16Array(new SharedArrayBuffer(n * SPECTRUM_DIM * 2));
  const norm = new Float32Array(new SharedArrayBuffer(n * 4));
  return { x, d: SPECTRUM_DIM, norm, unit: w.unit };
}

/** Every image's whitened spectrum, on the calling thread. */
export function whitenedSpectra(f: GridPixels): Spectra {
  const w = whitening(f);
  const n = imageCount(f);
  const s = allocateSpectra(n, w);
  whitenRange(f, w, s.x, s.norm, 0, n);
  return s;
}

/** A template over whitened spectra as a luma pattern on the 32x32 grid, in pixel steps (inverse DCT of its luma part). */
export function lumaPattern(s: Spectra, template: Float64Array): Float64Array {
  const side = LUMA_SIDE;
  const c = dctTable(side);
  const coef = new Float64Array(side * side);
  for (let p = 0; p < side * side; p++) coef[p] = template[p]! * s.unit[p]!;
  const tmp = new Float64Array(side * side);
  const out = new Float64Array(side * side);
  // X = C^T Y C
  for (let r = 0; r < side; r++) for (let l = 0; l < side; l++) {
    let acc = 0;
    for (let k = 0; k < side; k++) acc += c[k * side + r]! * coef[k * side + l]!;
    tmp[r * side + l] = acc;
  }
  for (let r = 0; r < side; r++) for (let j = 0; j < side; j++) {
    let acc = 0;
    for (let l = 0; l < side; l++) acc += tmp[r * side + l]! * c[l * side + j]!;
    out[r * side + j] = acc;
  }
  return out;
}
