// Local-pattern signatures: square windows of a few sizes (3, 5, 8 pixels on the working grid) that are not
// flat, not a plain edge, and whose gradient energy is in the dataset's top share, as vectors a detector can
// compare across images.
//
// - Selection depends on the window alone (a dataset-wide cut, not a per-image ranking, except for a cap on
//   very busy images), so the same pattern is selected in every image it was pasted into.
// - Vectors are luma only, mean-removed and divided by their contrast: JPEG's 4:2:0 subsampling smears
//   colour across small patterns (the colours of a pasted 3x3 patch take the background's hue), luma keeps
//   the pattern; distances are then relative to contrast, comparable across windows.
// - Several sizes because a window only matches across images when it lies inside the shared pattern, and
//   a window as large as the pattern separates it from natural content far better than a small one.
/** The part of the image fingerprints windows need: RGB pixels on a grid x grid working grid. */
export interface PixelGrid {
  grid: number;
  pixels: Uint8Array;
}

export interface WindowSet {
  /** Window side in grid pixels; vectors have size*size dimensions, plus any colour dimensions (channels). */
  size: number;
  dim: number;
  /**
   * How the vector's dimensions split into channels (luma first, then colour), each with its own mean. Absent:
   * one channel, the window's luma.
   */
  channels?: number[];
  count: number;
  /** count x dim. */
  vectors: Float32Array;
  contrast: Float32Array;
  /** Each window's mean luma (absent for window sets that do not keep it). */
  mean?: Float32Array;
  image: Int32Array;
  /** Top-left corner on the working grid. */
  x: Uint16Array;
  y: Uint16Array;
  /** 1 for a window kept only for its structure (WindowOptions.structureShare); absent when none was. */
  byStructure?: Uint8Array;
}

export interface WindowOptions {
  sizes: number[];
  /** Share of all windows of a size kept: the contrast cut is this upper quantile. */
  keepFraction: number;
  /** At most this many windows per image and size (the most contrasted), bounding very busy images. */
  maxPerImage: number;
  /** Per-pixel luma standard deviation below which a window is never kept (flat areas). */
  minStd: number;
  /**
   * Gradient energy over squared contrast below which a window is a single edge or ramp, never kept: such
   * windows are the commonest content of any image set, so their repeats are no evidence of a shared pattern.
   */
  minStructure: number;
  /**
   * Also keep the windows whose structure is in this upper share of all windows that pass the flatness gate,
   * whatever their gradient energy (marked in `byStructure`). Absent: none.
   */
  structureShare?: number;
}

/**
 * The luma of image i into `out` (grid x grid). Computed per image when needed rather than for the whole set at
 * once: a float plane per image is 4 KB at grid 32, 4 GB per worker for a million images.
 */
export function imageLuma(f: PixelGrid, i: number, out: Float32Array): Float32Array {
  const px = f.pixels;
  const len = f.grid * f.grid;
  for (let p = 0, o = i * len * 3; p < len; p++, o += 3) out[p] = 0.299 * px[o]! + 0.587 * px[o + 1]! + 0.114 * px[o + 2]!;
  return out;
}

export function extractWindows(f: PixelGrid, opts: WindowOptions): WindowSet[] {
  const g = f.grid;
  const n = f.pixels.length / (g * g * 3);
  const luma = new Float32Array(g * g);
  const sizes = opts.sizes.filter((s) => s <= g);
  const integral = new Float64Array((g + 1) * (g + 1));
  const integral2 = new Float64Array((g + 1) * (g + 1));
  const gradIntegral = new Float64Array((g + 1) * (g + 1));
  const grad = new Float32Array(g * g);
  const cmap = new Float32Array(g * g);
  const smap = new Float32Array(g * g);
  const out: WindowSet[] = [];
  for (const size of sizes) {
    const npos = g - size + 1;
    const cut = selectionCut(f, luma, g, n, size, opts.keepFraction, opts.minStd * size, opts.minStructure, integral, integral2, cmap, gradIntegral, grad, smap);
    const sCut = opts.structureShare ? structureCut(f, luma, g, n, size, opts.structureShare, opts.minStd * size, integral, integral2, cmap, gradIntegral, grad, smap) : Infinity;
    let by = sCut < Infinity ? new Uint8Array(16) : null;
    const dim = size * size;
    let cap = Math.max(16, Math.ceil(1.5 * opts.keepFraction * n * npos * npos));
    let vectors = new Float32Array(cap * dim);
    let contrast = new Float32Array(cap);
    let means = new Float32Array(cap);
    let image = new Int32Array(cap);
    let xs = new Uint16Array(cap);
    let ys = new Uint16Array(cap);
    let m = 0;
    const cand: number[] = [];
    for (let i = 0; i < n; i++) {
      imageLuma(f, i, luma);
      buildIntegral(luma, g, integral, integral2);
      contrastMap(g, size, integral, integral2, cmap);
      selectionMap(luma, g, size, gradIntegral, grad, smap);
      cand.length = 0;
      const minContrast = opts.minStd * size;
      for (let p = 0; p < npos * npos; p++) {
        const c = cmap[p]!;
        if (smap[p]! >= cut && c >= minContrast && smap[p]! >= opts.minStructure * c * c) cand.push(p);
        else if (c >= minContrast && smap[p]! >= sCut * c * c) cand.push(-1 - p);
      }
      if (cand.length > opts.maxPerImage) {
        const at = (q: number) => (q < 0 ? -1 - q : q);
        cand.sort((a, b) => smap[at(b)]! - smap[at(a)]! || at(a) - at(b));
        cand.length = opts.maxPerImage;
      }
      if (m + cand.length > cap) {
        cap = Math.max(cap * 2, m + cand.length);
        vectors = grow(vectors, cap * dim);
        contrast = grow(contrast, cap);
        means = grow(means, cap);
        image = grow(image, cap);
        xs = grow(xs, cap);
        ys = grow(ys, cap);
      }
      if (by && by.length < cap) {
        const b = new Uint8Array(cap);
        b.set(by);
        by = b;
      }
      for (const q of cand) {
        const p = q < 0 ? -1 - q : q;
        if (by) by[m] = q < 0 ? 1 : 0;
        const x = p % npos, y = (p / npos) | 0;
        const c = cmap[p]!;
        // Mean-removed luma over contrast.
        const at = m * dim;
        let sum = 0;
        for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) sum += luma[(y + dy) * g + x + dx]!;
        const mean = sum / dim;
        const inv = 1 / c;
        let k = at;
        for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) vectors[k++] = (luma[(y + dy) * g + x + dx]! - mean) * inv;
        contrast[m] = c;
        means[m] = mean;
        image[m] = i;
        xs[m] = x;
        ys[m] = y;
        m++;
      }
    }
    out.push({
      size, dim, count: m,
      vectors: vectors.subarray(0, m * dim), contrast: contrast.subarray(0, m), mean: means.subarray(0, m), image: image.subarray(0, m),
      x: xs.subarray(0, m), y: ys.subarray(0, m), ...(by ? { byStructure: by.subarray(0, m) } : {}),
    });
  }
  return out;
}

/**
 * The windows' luma itself (vector x contrast + mean) in place of their normalised shapes, as a window set of its
 * own: what a pasted pattern repeats is its pixels, brightness and contrast included, while natural windows of one
 * shape come at every brightness and contrast. Needs the windows' means.
 */
export function absoluteWindows(ws: WindowSet): WindowSet {
  const dim = ws.dim, v = ws.vectors, mean = ws.mean!;
  const out = new Float32Array(ws.count * dim);
  for (let w = 0, o = 0; w < ws.count; w++) {
    const c = ws.contrast[w]!, m = mean[w]!;
    for (let d = 0; d < dim; d++, o++) out[o] = v[o]! * c + m;
  }
  return { ...ws, vectors: out };
}

function grow<T extends Float32Array | Int32Array | Uint16Array>(a: T, len: number): T {
  const b = new (a.constructor as new (n: number) => T)(len);
  b.set(a as never);
  return b;
}

function buildIntegral(luma: Float32Array, g: number, s1: Float64Array, s2: Float64Array): void {
  const w = g + 1;
  for (let y = 0; y < g; y++) {
    let r1 = 0, r2 = 0;
    for (let x = 0; x < g; x++) {
      const v = luma[y * g + x]!;
      r1 += v;
      r2 += v * v;
      s1[(y + 1) * w + x + 1] = s1[y * w + x + 1]! + r1;
      s2[(y + 1) * w + x + 1] = s2[y * w + x + 1]! + r2;
    }
  }
}

/** Contrast of every size x size window: root of the summed squared deviations from its mean. */
function contrastMap(g: number, size: number, s1: Float64Array, s2: Float64Array, out: Float32Array): void {
  const w = g + 1;
  const npos = g - size + 1;
  const inv = 1 / (size * size);
  for (let y = 0; y < npos; y++) for (let x = 0; x < npos; x++) {
    const a = y * w + x, b = y * w + x + size, c = (y + size) * w + x, d = (y + size) * w + x + size;
    const sum = s1[d]! - s1[b]! - s1[c]! + s1[a]!;
    const sq = s2[d]! - s2[b]! - s2[c]! + s2[a]!;
    out[y * npos + x] = Math.sqrt(Math.max(0, sq - sum * sum * inv));
  }
}

/**
 * Selection strength of every window: its gradient energy (squared differences between neighbouring pixels
 * inside it). Unlike plain contrast it favours patterned windows over single edges, which are everywhere.
 */
function selectionMap(luma: Float32Array, g: number, size: number, gi: Float64Array, grad: Float32Array, out: Float32Array): void {
  for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) {
    const v = luma[y * g + x]!;
    const dx = x + 1 < g ? luma[y * g + x + 1]! - v : 0;
    const dy = y + 1 < g ? luma[(y + 1) * g + x]! - v : 0;
    grad[y * g + x] = dx * dx + dy * dy;
  }
  const w = g + 1;
  for (let y = 0; y < g; y++) {
    let r = 0;
    for (let x = 0; x < g; x++) {
      r += grad[y * g + x]!;
      gi[(y + 1) * w + x + 1] = gi[y * w + x + 1]! + r;
    }
  }
  // The differences on the window's last row and column reach outside it: use size-1.
  const inner = size - 1;
  const npos = g - size + 1;
  for (let y = 0; y < npos; y++) for (let x = 0; x < npos; x++) {
    const a = y * w + x, b = y * w + x + inner, c = (y + inner) * w + x, d = (y + inner) * w + x + inner;
    out[y * npos + x] = gi[d]! - gi[b]! - gi[c]! + gi[a]!;
  }
}

/**
 * Each window's value (from its contrast c and selection strength s; NaN leaves it out) over an evenly spaced
 * sample of images, sorted.
 */
function sampleWindows(
  f: PixelGrid, luma: Float32Array, g: number, n: number, size: number, value: (c: number, s: number) => number,
  s1: Float64Array, s2: Float64Array, cmap: Float32Array, gi: Float64Array, grad: Float32Array, smap: Float32Array,
): Float32Array {
  const npos = g - size + 1;
  const sample = Math.min(n, 2000);
  const values = new Float32Array(sample * npos * npos);
  let m = 0;
  for (let k = 0; k < sample; k++) {
    const i = Math.floor((k * n) / sample);
    imageLuma(f, i, luma);
    buildIntegral(luma, g, s1, s2);
    contrastMap(g, size, s1, s2, cmap);
    selectionMap(luma, g, size, gi, grad, smap);
    for (let p = 0; p < npos * npos; p++) {
      const v = value(cmap[p]!, smap[p]!);
      if (v === v) values[m++] = v;
    }
  }
  return values.subarray(0, m).sort();
}

/** The selection strength above which keepFraction of windows lie, on an evenly spaced sample of images. */
function selectionCut(
  f: PixelGrid, luma: Float32Array, g: number, n: number, size: number, keep: number, minContrast: number, minStructure: number,
  s1: Float64Array, s2: Float64Array, cmap: Float32Array, gi: Float64Array, grad: Float32Array, smap: Float32Array,
): number {
  if (keep >= 1) return -Infinity;
  const npos = g - size + 1;
  const sample = Math.min(n, 2000);
  // The share applies to windows that pass the flatness and structure gates.
  const eligible = sampleWindows(f, luma, g, n, size, (c, s) => (c >= minContrast && s >= minStructure * c * c ? s : NaN), s1, s2, cmap, gi, grad, smap);
  const m = eligible.length;
  if (m === 0) return Infinity;
  const wanted = keep * sample * npos * npos;
  return wanted >= m ? 0 : eligible[Math.floor(m - wanted)]!;
}

/** The structure (gradient energy over squared contrast) above which `share` of the windows past the flatness gate lie, on a sample. */
function structureCut(
  f: PixelGrid, luma: Float32Array, g: number, n: number, size: number, share: number, minContrast: number,
  s1: Float64Array, s2: Float64Array, cmap: Float32Array, gi: Float64Array, grad: Float32Array, smap: Float32Array,
): number {
  const sorted = sampleWindows(f, luma, g, n, size, (c, s) => (c >= minContrast ? s / (c * c) : NaN), s1, s2, cmap, gi, grad, smap);
  const m = sorted.length;
  if (m === 0) return Infinity;
  return sorted[Math.min(m - 1, Math.floor(m * (1 - share)))]!;
}
