// Whitened spectra for the blend detector: each image's luma (32x32) and chroma (two 16x16 planes, the resolution
// JPEG keeps) as 2-D DCT coefficients, each coefficient centred on the dataset mean and divided by its dataset
// standard deviation. Natural images put nearly all their variance in low frequencies; an added pattern may sit at
// any frequency. Whitened, every coefficient counts by how far it stands above natural variation there, so one
// cosine weighs a fine noise, a colour noise and a mid-frequency sinusoid alike (a matched filter for a stationary
// background). The DCT is orthonormal: cosines between whitened spectra are cosines between images filtered by the
// inverse natural spectrum. The lowest frequencies (an image's layout) are dropped; memory is 3 KB per image.
import type { ImageFeatures } from '../../model/image-features.js';
import { CHROMA_B, CHROMA_R, LUMA, planeOnGrid, type PlaneWeights } from './luma.js';
import { lineDct } from './dct.js';

export const LUMA_SIDE = 32;
const CHROMA_SIDE = 16;
const PLANES: readonly { w: PlaneWeights; side: number }[] = [
  { w: LUMA, side: LUMA_SIDE },
  { w: CHROMA_B, side: CHROMA_SIDE },
  { w: CHROMA_R, side: CHROMA_SIDE },
];
/** Cycles per image below which (in both directions) a coefficient is layout; DCT index k is k/2 cycles. */
const LAYOUT_CYCLES = 2;
/** DCT indices below this in both directions are layout, absent from the spectra (index k is k/2 cycles). */
export const LAYOUT_INDEX = 2 * LAYOUT_CYCLES;
/** Coefficients per image. */
export const SPECTRUM_DIM = PLANES.reduce((s, p) => s + p.side * p.side, 0);
/**
 * Variance (in squared steps of the weighed residual) added to every coefficient's before dividing, so that
 * coefficients JPEG nearly always zeroes are not blown up. Where a pixel's weight is large (a flat ground), one step
 * of the source's rounding is many such steps: the floor is a guard against division by near-zero, not a model
 * of rounding.
 */
const VARIANCE_FLOOR = 1;
/** Whitened values are stored as 16-bit integers in 1/SPECTRUM_SCALE standard deviations (clamped at about 128 sd). */
const SPECTRUM_SCALE = 256;
/** Images the coefficient means and variances are estimated from at most (evenly spaced). */
const MAX_SAMPLE = 2048;
/**
 * Spread (pixel steps) added to every pixel's before it is weighed against the plane's typical pixel: a pixel that
 * is the same in every image (a constant ground) varies by rounding at least.
 */
const PIXEL_FLOOR = 1;

export interface Spectra {
  /** n x SPECTRUM_DIM whitened coefficients, row-major. */
  x: Int16Array;
  d: number;
  /** Each image's spectrum length (stored units). */
  norm: Float32Array;
  /** Per coefficient: pixel-step units per stored unit (to turn a template back into an image). */
  unit: Float64Array;
  /** Per pixel of each plane (planes in order, as the coefficients): the weight it was given before the DCT. */
  pixel: Float64Array;
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

/** Orthonormal 2-D DCT of a side x side plane (src) into out[at ..]; work holds side*side + 3*side values. */
function dct2(src: Float32Array, side: number, work: Float64Array, out: Float64Array, at: number): void {
  for (let p = 0; p < side * side; p++) work[p] = src[p]!;
  dctInPlace(work, side, out, at);
}

/** Orthonormal 2-D DCT of the side x side plane in work[0 .. side * side) (overwritten) into out[at ..]. */
function dctInPlace(work: Float64Array, side: number, out: Float64Array, at: number): void {
  const dct = lineDct(side);
  for (let r = 0; r < side; r++) dct(work, r * side, 1);
  for (let c = 0; c < side; c++) dct(work, c, side);
  const a0 = Math.sqrt(1 / side), a1 = Math.sqrt(2 / side);
  for (let k = 0; k < side; k++) {
    const ak = k === 0 ? a0 : a1;
    for (let l = 0; l < side; l++) out[at + k * side + l] = work[k * side + l]! * ak * (l === 0 ? a0 : a1);
  }
}

/**
 * Raw (unwhitened) coefficients of image i into out[0 .. SPECTRUM_DIM), each plane's pixels weighed by `pixel`
 * first; layout coefficients are left at 0.
 */
function spectrum(f: GridPixels, i: number, plane: Float32Array, tmp: Float64Array, out: Float64Array, pixel: Float64Array | undefined): void {
  let at = 0;
  for (const p of PLANES) {
    planeOnGrid(f, i, p.side, p.w, plane, 0);
    weighedResidual(plane, p.side, pixel, at, tmp);
    dctInPlace(tmp, p.side, out, at);
    // Below LAYOUT_CYCLES in both directions (the mean included) is an image's layout: exposure, colour cast,
    // where the object and its colour are. Images of one kind share it; it is content, not a pattern.
    for (let k = 0; k < 2 * LAYOUT_CYCLES; k++) for (let l = 0; l < 2 * LAYOUT_CYCLES; l++) out[at + k * p.side + l] = 0;
    at += p.side * p.side;
  }
}

/**
 * The plane's residual (each pixel minus the mean of its four neighbours, mirrored at the border), weighed by
 * pixel[at ..] when given, into out[0 .. side * side): the values residual() and then weighing leave in a float plane.
 */
function weighedResidual(plane: Float32Array, side: number, pixel: Float64Array | undefined, at: number, out: Float64Array): void {
  for (let r = 0; r < side; r++) {
    const o = r * side;
    for (let c = 0; c < side; c++) {
      const v = plane[o + c]!;
      const up = r > 0 ? plane[o - side + c]! : v;
      const down = r + 1 < side ? plane[o + side + c]! : v;
      const left = c > 0 ? plane[o + c - 1]! : v;
      const right = c + 1 < side ? plane[o + c + 1]! : v;
      const res = Math.fround(v - 0.25 * (up + down + left + right));
      out[o + c] = pixel ? Math.fround(res * pixel[at + o + c]!) : res;
    }
  }
}

/**
 * The residual's gain at DCT frequency (k, l) of a side x side plane: the DCT-II diagonalises the mirrored
 * four-neighbour difference, so a residual's coefficient is this times the plane's.
 */
function residualGain(side: number, k: number, l: number): number {
  return 1 - 0.5 * (Math.cos((Math.PI * k) / side) + Math.cos((Math.PI * l) / side));
}

const residualRows: Float32Array[] = [];
/** Each pixel minus the mean of its four neighbours (mirrored at the border), in place. */
function residual(plane: Float32Array, side: number): void {
  const prev = (residualRows[side] ??= new Float32Array(2 * side));
  // prev holds the original row above (first half) and the current row's originals (second half).
  for (let r = 0; r < side; r++) {
    const o = r * side;
    for (let c = 0; c < side; c++) prev[side + c] = plane[o + c]!;
    if (r === 0) for (let c = 0; c < side; c++) prev[c] = plane[o + c]!;
    for (let c = 0; c < side; c++) {
      const v = prev[side + c]!;
      const up = prev[c]!;
      const down = r + 1 < side ? plane[o + side + c]! : v;
      const left = c > 0 ? prev[side + c - 1]! : v;
      const right = c + 1 < side ? prev[side + c + 1]! : v;
      plane[o + c] = v - 0.25 * (up + down + left + right);
    }
    for (let c = 0; c < side; c++) prev[c] = prev[side + c]!;
  }
}

/** The pixels spectra are made from: the working grid and its n x grid x grid x 3 RGB bytes. */
export type GridPixels = Pick<ImageFeatures, 'grid' | 'pixels'>;

/** Per coefficient: the dataset mean it is centred on and the gain that whitens it (stored units per pixel step). */
export interface Whitening {
  mean: Float64Array;
  gain: Float64Array;
  unit: Float64Array;
  pixel: Float64Array;
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

/**
 * Per pixel of each plane, its weight: the plane's median pixel spread over its own (plus PIXEL_FLOOR), at least 1.
 * The coefficient whitening gives each frequency one spread over whole images; where images differ by place (objects
 * on a ground that is the same in every image), a pattern added where images hardly vary is weighed up by how much
 * less they vary there than at a typical pixel. Where every pixel varies alike (natural photographs), weights are
 * about 1.
 */
function pixelWeights(f: GridPixels, sample: number[], work: SpectrumWork): Float64Array {
  const d = SPECTRUM_DIM;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const i of sample) {
    let at = 0;
    for (const p of PLANES) {
      planeOnGrid(f, i, p.side, p.w, work.plane, 0);
      residual(work.plane, p.side);
      for (let q = 0; q < p.side * p.side; q++) {
        const v = work.plane[q]!;
        mean[at + q] += v;
        sq[at + q] += v * v;
      }
      at += p.side * p.side;
    }
  }
  const m = sample.length || 1;
  const weight = new Float64Array(d);
  let at = 0;
  for (const p of PLANES) {
    const k = p.side * p.side;
    const sd = new Float64Array(k);
    for (let q = 0; q < k; q++) {
      const mu = mean[at + q]! / m;
      sd[q] = Math.sqrt(Math.max(0, sq[at + q]! / m - mu * mu));
    }
    const typical = Float64Array.from(sd).sort()[k >> 1]!;
    for (let q = 0; q < k; q++) weight[at + q] = Math.max(1, typical / Math.sqrt(sd[q]! * sd[q]! + PIXEL_FLOOR * PIXEL_FLOOR));
    at += k;
  }
  return weight;
}

/** Pixel weights, coefficient means and spreads, estimated from at most MAX_SAMPLE evenly spaced images. */
export function whitening(f: GridPixels): Whitening {
  const n = imageCount(f);
  const d = SPECTRUM_DIM;
  const work = new SpectrumWork();
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  const step = Math.max(1, n / MAX_SAMPLE);
  const sample: number[] = [];
  for (let s = 0; s < n; s += step) sample.push(Math.floor(s));
  const pixel = pixelWeights(f, sample, work);
  let m = 0;
  for (const i of sample) {
    const k = work.raw;
    spectrum(f, i, work.plane, work.tmp, k, pixel);
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
  return { mean, gain, unit, pixel };
}

/** Whitened spectra of images lo .. hi into their rows of x, and their lengths into norm. */
export function whitenRange(f: GridPixels, w: Whitening, x: Int16Array, norm: Float32Array, lo: number, hi: number): void {
  const d = SPECTRUM_DIM;
  const { mean, gain } = w;
  const work = new SpectrumWork();
  const raw = work.raw;
  for (let i = lo; i < hi; i++) {
    spectrum(f, i, work.plane, work.tmp, raw, w.pixel);
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
  return { x, d: SPECTRUM_DIM, norm, unit: w.unit, pixel: w.pixel };
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
  const n = side * side;
  const coef = new Float64Array(n);
  for (let p = 0; p < n; p++) coef[p] = template[p]! * s.unit[p]!;
  // Back to the weighed residual, unweighed, then the residual's gain undone frequency by frequency (the layout,
  // where the gain is all but nought, is dropped as in the spectra).
  const residual = inverseDct2(coef, side);
  for (let p = 0; p < n; p++) residual[p] /= s.pixel[p]!;
  const plain = new Float64Array(n);
  dct2(Float32Array.from(residual), side, new Float64Array(n + 3 * side), plain, 0);
  for (let k = 0; k < side; k++) for (let l = 0; l < side; l++) {
    const layout = k < 2 * LAYOUT_CYCLES && l < 2 * LAYOUT_CYCLES;
    plain[k * side + l] = layout ? 0 : plain[k * side + l]! / residualGain(side, k, l);
  }
  return inverseDct2(plain, side);
}

/** Inverse of the orthonormal 2-D DCT of a side x side plane: X = C^T Y C. */
function inverseDct2(coef: Float64Array, side: number): Float64Array {
  const c = dctTable(side);
  const tmp = new Float64Array(side * side);
  const out = new Float64Array(side * side);
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
