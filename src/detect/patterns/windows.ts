// Local-pattern signatures: every small window (3x3 on the working grid and 3x3 on a 2x-pooled grid, i.e.
// 6x6 pixels) whose contrast is in the dataset's top few percent, as vectors a detector can compare across
// images. Selection depends on the window alone (a global contrast cut, not a per-image ranking or local
// maxima), so the same pattern is selected in every image it was pasted into, whatever surrounds it.
// Windows are stored contrast-normalised, so distances between them are relative to their contrast.
import type { ImageFeatures } from '../../fingerprint/image-features.js';
import { imagePixels } from '../../fingerprint/image-features.js';

export const WINDOW = 3;
/** Y x 9, Cb x 9, Cr x 9. */
export const DIM = 27;
/** Chroma weight: JPEG's 4:2:0 subsampling smears colour edges, luma keeps the pattern. */
const CHROMA_WEIGHT = 0.5;

export interface WindowSet {
  count: number;
  /** count x DIM, each row = window / contrast. */
  vectors: Float32Array;
  contrast: Float32Array;
  image: Int32Array;
  /** Top-left corner on the working grid and the side of the covered square, in grid pixels. */
  x: Uint16Array;
  y: Uint16Array;
  side: Uint8Array;
}

export interface WindowOptions {
  /** Share of all windows (per scale) kept: the contrast cut is this upper quantile. */
  keepFraction: number;
  /** At most this many windows per image and scale (the most contrasted), bounding very busy images. */
  maxPerImage: number;
  /** Windows whose contrast is below this are never kept (flat areas). */
  minContrast: number;
}

interface Scale {
  factor: number;
  side: number;
}

/** Picks, per image and scale, the windows above the dataset-wide contrast cut. */
export function extractWindows(f: ImageFeatures, opts: WindowOptions): WindowSet {
  const g = f.grid;
  const n = f.pixels.length / (g * g * 3);
  const scales: Scale[] = [{ factor: 1, side: g }];
  if (g >= 16) scales.push({ factor: 2, side: Math.floor(g / 2) });
  // Scratch planes, reused for every image.
  const planes = new Float32Array(3 * g * g);
  const pooled = new Float32Array(3 * g * g);
  const cmap = new Float32Array(g * g);
  const cuts = scales.map((sc) => contrastCut(f, sc, opts, planes, pooled, cmap));
  let cap = 0;
  for (const sc of scales) cap += n * Math.min(opts.maxPerImage, (sc.side - WINDOW + 1) ** 2);
  // Grows on demand: the expected count is keepFraction of all windows, far below the cap.
  let size = Math.min(cap, Math.ceil(n * 8 + 1.5 * opts.keepFraction * cap));
  let vectors = new Float32Array(size * DIM);
  let meta = { contrast: new Float32Array(size), image: new Int32Array(size), x: new Uint16Array(size), y: new Uint16Array(size), side: new Uint8Array(size) };
  const grow = () => {
    size = Math.min(cap, size * 2);
    const v2 = new Float32Array(size * DIM);
    v2.set(vectors);
    vectors = v2;
    meta = {
      contrast: copyInto(new Float32Array(size), meta.contrast), image: copyInto(new Int32Array(size), meta.image),
      x: copyInto(new Uint16Array(size), meta.x), y: copyInto(new Uint16Array(size), meta.y), side: copyInto(new Uint8Array(size), meta.side),
    };
  };
  let m = 0;
  const cand: number[] = [];
  for (let i = 0; i < n; i++) {
    toYCbCr(imagePixels(f, i), g, planes);
    scales.forEach((sc, si) => {
      const s = sc.side;
      const src = sc.factor === 1 ? planes : pool2(planes, g, pooled);
      const npos = s - WINDOW + 1;
      if (npos < 1) return;
      contrastMap(src, s, npos, cmap);
      const cut = cuts[si]!;
      cand.length = 0;
      for (let p = 0; p < npos * npos; p++) if (cmap[p]! >= cut) cand.push(p);
      if (cand.length > opts.maxPerImage) {
        cand.sort((a, b) => cmap[b]! - cmap[a]! || a - b);
        cand.length = opts.maxPerImage;
      }
      for (const p of cand) {
        if (m >= size) grow();
        const x = p % npos, y = (p / npos) | 0;
        const c = cmap[p]!;
        writeWindow(src, s, x, y, 1 / c, vectors, m * DIM);
        meta.contrast[m] = c;
        meta.image[m] = i;
        meta.x[m] = x * sc.factor;
        meta.y[m] = y * sc.factor;
        meta.side[m] = WINDOW * sc.factor;
        m++;
      }
    });
  }
  return {
    count: m,
    vectors: vectors.subarray(0, m * DIM),
    contrast: meta.contrast.subarray(0, m),
    image: meta.image.subarray(0, m),
    x: meta.x.subarray(0, m),
    y: meta.y.subarray(0, m),
    side: meta.side.subarray(0, m),
  };
}

function copyInto<T extends Float32Array | Int32Array | Uint16Array | Uint8Array>(dst: T, src: T): T {
  dst.set(src as never);
  return dst;
}

/** The contrast above which keepFraction of windows lie, estimated on an evenly spaced sample of images. */
function contrastCut(f: ImageFeatures, sc: Scale, opts: WindowOptions, planes: Float32Array, pooled: Float32Array, cmap: Float32Array): number {
  const g = f.grid;
  const n = f.pixels.length / (g * g * 3);
  const npos = sc.side - WINDOW + 1;
  if (npos < 1) return Infinity;
  const sampleCount = Math.min(n, 2000);
  const values = new Float32Array(sampleCount * npos * npos);
  for (let k = 0; k < sampleCount; k++) {
    const i = Math.floor((k * n) / sampleCount);
    toYCbCr(imagePixels(f, i), g, planes);
    const src = sc.factor === 1 ? planes : pool2(planes, g, pooled);
    contrastMap(src, sc.side, npos, cmap);
    values.set(cmap.subarray(0, npos * npos), k * npos * npos);
  }
  values.sort();
  const q = values[Math.min(values.length - 1, Math.floor((1 - opts.keepFraction) * values.length))]!;
  return Math.max(opts.minContrast, q);
}

function toYCbCr(rgb: Uint8Array, g: number, out: Float32Array): void {
  const n = g * g;
  for (let p = 0, o = 0; p < n; p++, o += 3) {
    const r = rgb[o]!, gg = rgb[o + 1]!, b = rgb[o + 2]!;
    out[p] = 0.299 * r + 0.587 * gg + 0.114 * b;
    out[n + p] = CHROMA_WEIGHT * (-0.168736 * r - 0.331264 * gg + 0.5 * b);
    out[2 * n + p] = CHROMA_WEIGHT * (0.5 * r - 0.418688 * gg - 0.081312 * b);
  }
}

/** 2x2 average pooling of three g x g planes into three (g/2) x (g/2) planes. */
function pool2(src: Float32Array, g: number, out: Float32Array): Float32Array {
  const h = Math.floor(g / 2);
  const n = g * g, m = h * h;
  for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < h; x++) {
    const s = c * n + 2 * y * g + 2 * x;
    out[c * m + y * h + x] = 0.25 * (src[s]! + src[s + 1]! + src[s + g]! + src[s + g + 1]!);
  }
  return out;
}

/** Contrast of every 3x3 window: root of the summed squared deviations over the three planes. */
function contrastMap(planes: Float32Array, s: number, npos: number, out: Float32Array): void {
  const n = s * s;
  for (let y = 0; y < npos; y++) for (let x = 0; x < npos; x++) {
    let total = 0;
    for (let c = 0; c < 3; c++) {
      let sum = 0, sq = 0;
      for (let dy = 0; dy < WINDOW; dy++) {
        const row = c * n + (y + dy) * s + x;
        const a = planes[row]!, b = planes[row + 1]!, d = planes[row + 2]!;
        sum += a + b + d;
        sq += a * a + b * b + d * d;
      }
      total += sq - (sum * sum) / 9;
    }
    out[y * npos + x] = Math.sqrt(Math.max(0, total));
  }
}

function writeWindow(planes: Float32Array, s: number, x: number, y: number, scale: number, out: Float32Array, at: number): void {
  const n = s * s;
  let k = at;
  for (let c = 0; c < 3; c++) for (let dy = 0; dy < WINDOW; dy++) for (let dx = 0; dx < WINDOW; dx++) {
    out[k++] = planes[c * n + (y + dy) * s + x + dx]! * scale;
  }
}
