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
import { bestBox, boxContext, type BoxSearch } from './place-box.js';
import { UNDER_SHARE, type SizeGroup, type SizeResult } from './size-analysis.js';
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
  /** Split over-full buckets (see MatchOptions.split): at a place there is one window per image, so buckets fill as the set grows. */
  split?: { k: number; levels: number };
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
  /**
   * Weight of colour in the windows (0 or absent: luma only). The windows then also hold Cb and Cr averaged
   * over 2x2 pixels (JPEG's 4:2:0 chroma grid, on which a re-encode keeps colour), scaled by this weight; the
   * flatness and structure gates take the colour channels into account, so that a pattern whose cells differ
   * in hue rather than brightness is a window like any other. Needs an even size.
   */
  chroma?: number;
  /**
   * Search, for each group scoring at least `box.from`, the box around its window at which its images are best
   * isolated (see place-box.ts); the group is replaced when the exact score there is higher. Absent: off.
   */
  box?: BoxSearch;
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
  /** Structure gate for windows that may join a group or be its next neighbour (indexed only from minStructure). */
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
  // Colour: Cb and Cr averaged over cells of 2x2 pixels, each cell's value standing for its 4 pixels.
  const cw = pp.chroma && s % 2 === 0 ? pp.chroma : 0;
  const half = s >> 1, cells = cw ? half * half : 0;
  const px = s * s;
  const dim = px + 2 * cells;
  const channels = cw ? [px, cells, cells] : [px];
  const starts = strideStarts(g, s, pp.stride);
  const nx = starts.length;
  const best = new Float32Array(n);
  const groups: SizeGroup[] = [], under: SizeGroup[] = [];
  const skipPair = nearDuplicatePairs(inp.phash);
  const minContrast = inp.minStd * s;
  // One band, a chunk of x positions at a time: for each, the windows of the images that pass the gates. The
  // chunk is as many positions as fit VECTOR_BUDGET (all of them up to ~150,000 images at grid 32); more chunks
  // cost another pass over the band's pixels, not other results (every place is analysed on its own).
  const xChunk = Math.max(1, Math.min(nx, Math.floor((pp.vectorBudget ?? VECTOR_BUDGET) / (n * dim))));
  const vectors = Array.from({ length: xChunk }, () => new Float32Array(n * dim));
  const contrast = Array.from({ length: xChunk }, () => new Float32Array(n));
  const means = Array.from({ length: xChunk }, () => new Float32Array(n * channels.length));
  const image = Array.from({ length: xChunk }, () => new Int32Array(n));
  const indexed = Array.from({ length: xChunk }, () => new Uint8Array(n));
  const subVectors = new Float32Array(n * dim);
  const count = new Int32Array(xChunk);
  const rowLuma = new Float32Array(s * g);
  const rowCb = new Float32Array(cw ? s * g : 0), rowCr = new Float32Array(cw ? s * g : 0);
  const col1 = new Float64Array(g), col2 = new Float64Array(g), colE = new Float64Array(g);
  // With colour: per column, Cb and Cr summed over each cell row (2 pixel rows) of the band, and each window's cells.
  const cellB = new Float64Array(cw ? half * g : 0), cellR = new Float64Array(cw ? half * g : 0);
  const cellVals = new Float64Array(2 * cells);
  const cw2 = cw * cw;
  let windows = 0;
  const claimed = new Uint8Array(n);
  const scratch = isolationScratch(inp.phash);
  const box = pp.box ? boxContext(pixels, g, n, pp.radius, inp.noiseFloor, inp.minStd, scratch, pp.box, inp.seed) : null;
  for (const band of inp.bands) {
    const y0 = starts[band]!;
    for (let xa = 0; xa < nx; xa += xChunk) {
      const xb = Math.min(nx, xa + xChunk);
      count.fill(0);
      for (let i = 0; i < n; i++) {
        const base = (i * g + y0) * g * 3;
        if (cw) {
          for (let k = 0, o = base; k < s * g; k++, o += 3) {
            const r = pixels[o]!, gr = pixels[o + 1]!, b = pixels[o + 2]!;
            rowLuma[k] = 0.299 * r + 0.587 * gr + 0.114 * b;
            rowCb[k] = -0.168736 * r - 0.331264 * gr + 0.5 * b;
            rowCr[k] = 0.5 * r - 0.418688 * gr - 0.081312 * b;
          }
        } else {
          for (let k = 0, o = base; k < s * g; k++, o += 3) rowLuma[k] = 0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]!;
        }
        // Column sums over the band (luma, its square, gradient energy of the inner rows; with colour, the same
        // for Cb and Cr): each window's gates then cost a few additions, and only the windows that pass are copied.
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
          if (cw) {
            for (let cy = 0; cy < half; cy++) {
              const k = 2 * cy * g + x;
              cellB[cy * g + x] = rowCb[k]! + rowCb[k + g]!;
              cellR[cy * g + x] = rowCr[k]! + rowCr[k + g]!;
            }
          }
        }
        for (let xi = xa; xi < xb; xi++) {
          const x0 = starts[xi]!;
          let sum = 0, sq = 0, grad = 0, meanB = 0, meanR = 0;
          for (let dx = 0; dx < s; dx++) {
            sum += col1[x0 + dx]!;
            sq += col2[x0 + dx]!;
            if (dx < s - 1) grad += colE[x0 + dx]!;
          }
          let c2 = sq - (sum * sum) / px;
          if (cw) {
            // The colour cells (mean Cb, Cr over 2x2 pixels): their spread, times 4 pixels a cell stands for, is
            // colour's share of the contrast; the differences between neighbouring cells its share of the gradient
            // energy, scaled so that a plain colour edge has the structure of a plain luma edge. (The decoded
            // colour is interpolated between JPEG's cells, so pixel gradients would call every colour pattern smooth.)
            let mb = 0, mr = 0;
            for (let cy = 0, j = 0; cy < half; cy++) for (let cx = 0; cx < half; cx++, j++) {
              const o = cy * g + x0 + 2 * cx;
              const b = 0.25 * (cellB[o]! + cellB[o + 1]!), r = 0.25 * (cellR[o]! + cellR[o + 1]!);
              cellVals[j] = b;
              cellVals[cells + j] = r;
              mb += b;
              mr += r;
            }
            mb /= cells;
            mr /= cells;
            let dev = 0, cg = 0;
            for (let j = 0; j < cells; j++) {
              const b = cellVals[j]! - mb, r = cellVals[cells + j]! - mr;
              dev += b * b + r * r;
              if ((j + 1) % half !== 0) {
                const db = cellVals[j + 1]! - cellVals[j]!, dr = cellVals[cells + j + 1]! - cellVals[cells + j]!;
                cg += db * db + dr * dr;
              }
              if (j + half < cells) {
                const db = cellVals[j + half]! - cellVals[j]!, dr = cellVals[cells + j + half]! - cellVals[cells + j]!;
                cg += db * db + dr * dr;
              }
            }
            c2 += 4 * cw2 * dev;
            grad += ((s - 1) / (2 * s)) * 4 * cw2 * cg;
            meanB = mb;
            meanR = mr;
          }
          const c = Math.sqrt(Math.max(0, c2));
          // Flatness and structure gates (gradient energy over squared contrast) as for the dataset-wide windows,
          // with hysteresis when the index gate is the higher: windows above the member gate are kept as members
          // and neighbours, only those above the index gate are indexed (by default the two are equal: every
          // member is indexed). Plain edges (structure ~0.55) stay out.
          if (c < minContrast || grad < inp.memberStructure * c * c) continue;
          const slot = xi - xa;
          const m = count[slot]!;
          const mean = sum / px, vec = vectors[slot]!;
          let at = m * dim, norm = 0;
          for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) {
            const v = rowLuma[dy * g + x0 + dx]! - mean;
            vec[at++] = v;
            norm += v * v;
          }
          if (cw) {
            // Each cell's mean colour, times 2 (a cell stands for 4 pixels) and the colour weight.
            const k = 2 * cw;
            for (let j = 0; j < cells; j++) {
              const b = k * (cellVals[j]! - meanB), r = k * (cellVals[cells + j]! - meanR);
              vec[at + j] = b;
              vec[at + cells + j] = r;
              norm += b * b + r * r;
            }
            means[slot]![m * 3 + 1] = k * meanB;
            means[slot]![m * 3 + 2] = k * meanR;
          }
          // The vector's own norm (with colour, close to the gates' contrast: the cells average within-cell colour).
          const inv = 1 / Math.sqrt(Math.max(norm, 1e-12));
          let peak = 0;
          at = m * dim;
          for (let d = 0; d < dim; d++, at++) {
            const v = (vec[at] = vec[at]! * inv);
            // A colour cell's share counts per pixel (it stands for 4).
            const share = d < px ? v * v : 0.25 * v * v;
            if (share > peak) peak = share;
          }
          // A window whose contrast sits in one pixel (a stroke or a speck touching its corner) is not a pattern:
          // in lossless data such windows repeat exactly at a place.
          if (peak > inp.maxPeakShare) continue;
          indexed[slot]![m] = grad >= inp.minStructure * c * c ? 1 : 0;
          contrast[slot]![m] = Math.sqrt(norm);
          means[slot]![m * channels.length] = mean;
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
          size: s, dim, count: m, ...(cw ? { channels } : {}),
          vectors: vectors[slot]!.subarray(0, m * dim), contrast: contrast[slot]!.subarray(0, m), image: image[slot]!.subarray(0, m),
          x: new Uint16Array(m).fill(starts[xi]!), y: new Uint16Array(m).fill(y0),
        };
        const sub = indexedSubset(ws, indexed[slot]!, subVectors);
        const mt = findMatches(sub.ws, {
          tight: pp.tight, fineTables: pp.lshTables, fineK: pp.lshK, fineWidth: pp.lshWidth, maxBucket: 64, ...(pp.split ? { split: pp.split } : {}),
          seed: inp.seed + 1000 + band * nx + xi, sketch: pp.sketch, skipPair,
        });
        claimed.fill(0, 0, m);
        const minImages = pp.minSeedImages ?? 2;
        const seeds = tightComponents(sub.ws, mt).filter((c) => minImages <= 2 || distinctImages(sub.ws, c) >= minImages).map((c) => c.map((w) => sub.full[w]!));
        if (!seeds.length) continue;
        if (pp.absolute) toAbsolute(ws, means[slot]!);
        const isolated = isolateAll(ws, seeds, pp.radius, inp.noiseFloor, scratch, pp.screen, inp.seed + band * nx + xi, true, !!pp.absolute);
        for (let c = 0; c < seeds.length; c++) {
          // A component inside a group already verified here adds nothing.
          if (seeds[c]!.every((w) => claimed[w])) continue;
          const found = isolated[c];
          if (!found) continue;
          const grp = (box && found.group.score[0]! >= pp.box!.from && bestBox(box, found.group, pp.box!)) || found.group;
          for (let j = 0; j < grp.images.length; j++) if (grp.score[j]! > best[grp.images[j]!]!) best[grp.images[j]!] = grp.score[j]!;
          for (const w of found.windows) claimed[w] = 1;
          if (grp.score[0]! >= inp.minScore) groups.push(grp);
          else if (grp.images.length >= 2 && grp.score[0]! >= UNDER_SHARE * inp.minScore) under.push(grp);
        }
      }
    }
  }
  return { size: s, windows, best, groups, under };
}

/**
 * The windows' values themselves in place of their normalised vectors (vector * contrast + each channel's
 * mean), once the shapes have proposed the candidates.
 */
function toAbsolute(ws: WindowSet, mean: Float32Array): void {
  const dim = ws.dim, v = ws.vectors, channels = ws.channels ?? [dim];
  for (let w = 0, o = 0; w < ws.count; w++) {
    const c = ws.contrast[w]!;
    for (let ch = 0; ch < channels.length; ch++) {
      const m = mean[w * channels.length + ch]!;
      for (let d = 0; d < channels[ch]!; d++, o++) v[o] = v[o]! * c + m;
    }
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
    ws: { size: ws.size, dim, count: k, ...(ws.channels ? { channels: ws.channels } : {}), vectors: buf.subarray(0, k * dim), contrast: pick(ws.contrast), image: pick(ws.image), x: pick(ws.x), y: pick(ws.y) },
    full: Int32Array.from(full),
  };
}
