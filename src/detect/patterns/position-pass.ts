// The per-position pass of trigger-cluster: for a pattern pasted at one fixed place, compare each image's
// window at a place only with the other images' windows at that same place.
//
// Why: the dataset-wide pass can only afford the most structured ~1% of all windows, and it compares each
// window with windows from every place of every image. A pattern of modest luma contrast (cells that differ
// mostly in hue) falls below that cut, and among millions of windows its JPEG-distorted copies meet natural
// look-alikes. At one place there are only n windows (one per image), none selected by gradient energy,
// so the nearest natural window sits much further away than the copies sit from each other (on CIFAR-10,
// 6x6 windows inside an 8x8 random-colour patch: copies 0.11-0.17 from their centre, the nearest of 50,000
// natural windows at that place 0.61 and more).
//
// How: a coarse LSH index finds tight pairs at each place; the windows they join seed a candidate group, whose
// isolation is then measured exactly against every window at that place (no index, so no natural neighbour
// is missed and a missing copy is recovered; at places of many windows, only for the candidates a sampled
// screen keeps). Cost: windows of one size on a stride (a window of side s at
// stride t lies wholly inside any pattern of side >= s + t - 1), streamed one row band at a time, so memory
// holds one band of windows, not all of them.
import { distinctImages, isolateAll, isolationScratch, tightComponents, type Screen } from './isolation.js';
import { findMatches } from './matches.js';
import { nearDuplicatePairs } from './near-duplicate-hashes.js';
import type { SizeGroup, SizeResult } from './size-analysis.js';
import type { WindowSet } from './windows.js';

export interface PositionParams {
  size: number;
  stride: number;
  /** Pairs closer than this (relative to contrast) seed a candidate group. */
  tight: number;
  /** The gap after a group is measured up to this distance from its centre. */
  radius: number;
  lshWidth: number;
  lshK: number;
  lshTables: number;
  /** Hash through a 2x2-pooled sketch (see matches.ts). */
  sketch: boolean;
  /** Window vector floats held at once (default VECTOR_BUDGET); only memory and passes depend on it. */
  vectorBudget?: number;
  /**
   * The sampled screen before the exact isolation (see isolation.ts): at a place with more than 2 x sample
   * windows, a candidate is first measured against `sample` windows drawn at random plus its own seed, and
   * measured in full only when that score reaches `minScore`. null: every candidate is measured in full.
   */
  screen: Screen | null;
  /** Tight components spanning fewer distinct images than this are not isolated (default 2). */
  minSeedImages?: number;
  /**
   * Measure the isolation on the windows' luma itself rather than on their normalised shape (distances still
   * relative to the candidate's contrast): the pasted pixels are the same in every copy, brightness and
   * contrast included, and JPEG's error is the same in absolute terms at any contrast. Candidates still come
   * from the normalised shapes.
   */
  absolute?: boolean;
}

export interface PositionInput {
  kind: 'position';
  pixels: Uint8Array;
  grid: number;
  phash: BigUint64Array;
  params: PositionParams;
  /** Row bands (indices into the stride's y positions) this job covers. */
  bands: number[];
  minStd: number;
  minStructure: number;
  /** Lower structure gate for windows that may join a group or be its next neighbour (not indexed). */
  memberStructure: number;
  /** Share of a window's squared contrast one pixel may hold (its vector's largest squared entry). */
  maxPeakShare: number;
  noiseFloor: number;
  minScore: number;
  seed: number;
}

/** Window vector floats held at once per job (256 MB): bounds the pass's memory at any dataset size. */
const VECTOR_BUDGET = 64 * 2 ** 20;

/** The y (and x) positions of a size/stride on a grid: the last one is flush with the edge. */
export function strideStarts(grid: number, size: number, stride: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + size <= grid; p += stride) out.push(p);
  if (out.length && out[out.length - 1]! !== grid - size) out.push(grid - size);
  return out;
}

export function analysePositions(inp: PositionInput): SizeResult {
  const { grid: g, pixels, params: pp } = inp;
  const s = pp.size;
  const n = inp.phash.length;
  const dim = s * s;
  const starts = strideStarts(g, s, pp.stride);
  const nx = starts.length;
  const best = new Float32Array(n);
  const groups: SizeGroup[] = [];
  const skipPair = nearDuplicatePairs(inp.phash);
  const minContrast = inp.minStd * s;
  // One band, a chunk of x positions at a time: for each, the windows of the images that pass the gates. The
  // chunk is as many positions as fit VECTOR_BUDGET (all of them up to ~150,000 images at grid 32); more chunks
  // cost another pass over the band's pixels, not other results (every place is analysed on its own).
  const xChunk = Math.max(1, Math.min(nx, Math.floor((pp.vectorBudget ?? VECTOR_BUDGET) / (n * dim))));
  const vectors = Array.from({ length: xChunk }, () => new Float32Array(n * dim));
  const contrast = Array.from({ length: xChunk }, () => new Float32Array(n));
  const means = Array.from({ length: xChunk }, () => new Float32Array(n));
  const image = Array.from({ length: xChunk }, () => new Int32Array(n));
  const indexed = Array.from({ length: xChunk }, () => new Uint8Array(n));
  const subVectors = new Float32Array(n * dim);
  const count = new Int32Array(xChunk);
  const rowLuma = new Float32Array(s * g);
  const col1 = new Float64Array(g), col2 = new Float64Array(g), colE = new Float64Array(g);
  let windows = 0;
  const claimed = new Uint8Array(n);
  const scratch = isolationScratch(inp.phash);
  for (const band of inp.bands) {
    const y0 = starts[band]!;
    for (let xa = 0; xa < nx; xa += xChunk) {
      const xb = Math.min(nx, xa + xChunk);
      count.fill(0);
      for (let i = 0; i < n; i++) {
        const base = (i * g + y0) * g * 3;
        for (let k = 0, o = base; k < s * g; k++, o += 3) rowLuma[k] = 0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]!;
        // Column sums over the band (luma, its square, gradient energy of the inner rows): each window's gates
        // then cost a few additions, and only the windows that pass are copied.
        for (let x = 0; x < g; x++) {
          let a = 0, b = 0, e = 0;
          for (let dy = 0; dy < s; dy++) {
            const v = rowLuma[dy * g + x]!;
            a += v;
            b += v * v;
            if (dy < s - 1 && x < g - 1) {
              const h = rowLuma[dy * g + x + 1]! - v, u = rowLuma[(dy + 1) * g + x]! - v;
              e += h * h + u * u;
            }
          }
          col1[x] = a;
          col2[x] = b;
          colE[x] = e;
        }
        for (let xi = xa; xi < xb; xi++) {
          const x0 = starts[xi]!;
          let sum = 0, sq = 0, grad = 0;
          for (let dx = 0; dx < s; dx++) {
            sum += col1[x0 + dx]!;
            sq += col2[x0 + dx]!;
            if (dx < s - 1) grad += colE[x0 + dx]!;
          }
          const c = Math.sqrt(Math.max(0, sq - (sum * sum) / dim));
          // Flatness and structure gates (gradient energy over squared contrast) as for the dataset-wide windows,
          // with hysteresis: windows above the lower structure gate are kept as members and neighbours, only
          // those above the full gate are indexed. A copy whose JPEG noise takes it just under the gate still
          // joins its group, and plain edges (structure ~0.55) stay out.
          if (c < minContrast || grad < inp.memberStructure * c * c) continue;
          const slot = xi - xa;
          const m = count[slot]!;
          indexed[slot]![m] = grad >= inp.minStructure * c * c ? 1 : 0;
          const mean = sum / dim, inv = 1 / c;
          const vec = vectors[slot]!;
          let at = m * dim, peak = 0;
          for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) {
            const v = (rowLuma[dy * g + x0 + dx]! - mean) * inv;
            vec[at++] = v;
            if (v * v > peak) peak = v * v;
          }
          // A window whose contrast sits in one pixel (a stroke or a speck touching its corner) is not a pattern:
          // in lossless data such windows repeat exactly at a place.
          if (peak > inp.maxPeakShare) continue;
          contrast[slot]![m] = c;
          means[slot]![m] = mean;
          image[slot]![m] = i;
          count[slot] = m + 1;
        }
      }
      for (let xi = xa; xi < xb; xi++) {
        const slot = xi - xa;
        const m = count[slot]!;
        if (m < 3) continue;
        windows += m;
        const ws: WindowSet = {
          size: s, dim, count: m,
          vectors: vectors[slot]!.subarray(0, m * dim), contrast: contrast[slot]!.subarray(0, m), image: image[slot]!.subarray(0, m),
          x: new Uint16Array(m).fill(starts[xi]!), y: new Uint16Array(m).fill(y0),
        };
        const sub = indexedSubset(ws, indexed[slot]!, subVectors);
        const mt = findMatches(sub.ws, {
          tight: pp.tight, fineTables: pp.lshTables, fineK: pp.lshK, fineWidth: pp.lshWidth, maxBucket: 64,
          seed: inp.seed + 1000 + band * nx + xi, sketch: pp.sketch, skipPair,
        });
        claimed.fill(0, 0, m);
        const minImages = pp.minSeedImages ?? 2;
        const seeds = tightComponents(sub.ws, mt).filter((c) => minImages <= 2 || distinctImages(sub.ws, c) >= minImages).map((c) => c.map((w) => sub.full[w]!));
        if (pp.absolute) toLuma(ws, means[slot]!);
        const isolated = isolateAll(ws, seeds, pp.radius, inp.noiseFloor, scratch, pp.screen, inp.seed + band * nx + xi, true, !!pp.absolute);
        for (let c = 0; c < seeds.length; c++) {
          // A component inside a group already verified here adds nothing.
          if (seeds[c]!.every((w) => claimed[w])) continue;
          const found = isolated[c];
          if (!found) continue;
          const grp = found.group;
          for (let j = 0; j < grp.images.length; j++) if (grp.score[j]! > best[grp.images[j]!]!) best[grp.images[j]!] = grp.score[j]!;
          for (const w of found.windows) claimed[w] = 1;
          if (grp.score[0]! >= inp.minScore) groups.push(grp);
        }
      }
    }
  }
  return { size: s, windows, best, groups };
}

/**
 * The windows' luma itself in place of their normalised vectors (vector * contrast + mean), once the shapes have
 * proposed the candidates.
 */
function toLuma(ws: WindowSet, mean: Float32Array): void {
  const dim = ws.dim, v = ws.vectors;
  for (let w = 0, o = 0; w < ws.count; w++) {
    const c = ws.contrast[w]!, m = mean[w]!;
    for (let d = 0; d < dim; d++, o++) v[o] = v[o]! * c + m;
  }
}

/** The indexed windows as a window set of their own, and each one's index in the full set. */
function indexedSubset(ws: WindowSet, flag: Uint8Array, buf: Float32Array): { ws: WindowSet; full: Int32Array } {
  const full: number[] = [];
  for (let w = 0; w < ws.count; w++) if (flag[w]) full.push(w);
  const k = full.length, dim = ws.dim;
  for (let j = 0; j < k; j++) buf.set(ws.vectors.subarray(full[j]! * dim, (full[j]! + 1) * dim), j * dim);
  const pick = <T extends Float32Array | Int32Array | Uint16Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(k);
    for (let j = 0; j < k; j++) b[j] = a[full[j]!]!;
    return b;
  };
  return {
    ws: { size: ws.size, dim, count: k, vectors: buf.subarray(0, k * dim), contrast: pick(ws.contrast), image: pick(ws.image), x: pick(ws.x), y: pick(ws.y) },
    full: Int32Array.from(full),
  };
}
