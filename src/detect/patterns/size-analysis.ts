// One window size of the trigger-cluster analysis, as a pure function on plain data so that it can run in
// a worker thread: extract the windows, find near-identical ones across images, score each window by the
// gap after its nearest neighbours, and join strong windows into groups.
import { distinctImages, isolateAll, isolationScratch, tightComponents, type Screen } from './isolation.js';
import { findMatches, type Matches } from './matches.js';
import { absoluteWindows, extractWindows, type WindowSet } from './windows.js';
import { unionFind } from '../../util/union-find.js';
import { nearDuplicatePairs } from './near-duplicate-hashes.js';

/** Per window size: how far the gap is measured, and the LSH that finds neighbours within that radius. */
export interface SizeParams {
  size: number;
  /** Neighbour radius, relative to window contrast: the gap is measured up to here. */
  radius: number;
  lshWidth: number;
  lshK: number;
  lshTables: number;
  /**
   * Exact isolation of candidate groups, measured out to this distance from their centre (relative to contrast);
   * absent: none. Copies of a pattern at different offsets to the JPEG blocks sit further apart than the radius
   * allows, and the radius caps the gap that can be seen; here the index only proposes candidates.
   */
  horizon?: number;
  /**
   * A second, wider index over the sparse windows only (see WideParams); absent: none. Needs `horizon` and the
   * dataset-wide isolation.
   */
  wide?: WideParams;
  /** A further candidate pass over the most structured windows too (see StructuredParams); absent: none. */
  structured?: StructuredParams;
}

/**
 * The gradient-energy budget keeps a share of windows that shrinks as the dataset grows, and a pattern of modest
 * contrast falls under it; but a pasted pattern's hard edges give its windows more structure (gradient energy
 * over squared contrast) than nearly every natural window. Windows in the top `share` by structure are kept as
 * well, and all are compared after 2x2 averaging on their luma itself (see smoothedWindows), where copies at
 * different offsets to the JPEG blocks sit closer to each other than to natural windows.
 */
export interface StructuredParams {
  share: number;
  /** Pair radius and LSH width, in luma units (the windows' averaged luma, not normalised). */
  radius: number;
  lshWidth: number;
  lshK: number;
  lshTables: number;
  /** Components of more windows than this are a common pattern, not a candidate. */
  maxComponent: number;
  /** Exact isolation out to this share of the candidate's contrast. */
  horizon: number;
}

/**
 * Candidates from the windows that have few look-alikes, paired at a wider radius. At a small size the index's
 * radius is about the distance between natural windows, so its pairs chain natural windows into one component
 * spanning most of the set, and JPEG moves the copies of a pattern as small as the window further apart than
 * that radius. A window with many look-alikes within the radius cannot be isolated at a wider one, so only the
 * others are indexed again at `radius`; there the natural windows are few, and copies pair. Windows are then
 * scored by their gap and grouped as in the main index, and each group is measured exactly, on the windows' luma
 * (`absoluteWindows`), against every selected window of the size, out to `horizon` of its contrast.
 */
export interface WideParams {
  radius: number;
  lshWidth: number;
  /** Windows with more distinct neighbouring images than this in the main index (or an over-full bucket) are left out. */
  maxNeighbours: number;
  /** Gap score (see scoreWindows) from which a window of the sparse set may seed a candidate. */
  seedScore: number;
  horizon: number;
}

/** The dataset-wide exact isolation (see SizeParams.horizon). */
export interface IsolationParams {
  /** Tight components spanning fewer distinct images are not candidates. */
  minImages: number;
  noiseFloor: number;
  screen: Screen;
  /** Isolation score from which a candidate is a group. */
  minScore: number;
}

export interface SizeInput {
  kind?: 'size';
  pixels: Uint8Array;
  grid: number;
  phash: BigUint64Array;
  size: SizeParams;
  keepFraction: number;
  maxPerImage: number;
  minStd: number;
  minStructure: number;
  noiseFloor: number;
  /** Window score from which a window may join a group. */
  minScore: number;
  isolation?: IsolationParams;
  seed: number;
}

/** A group of windows (one per image) that agree on one pattern. Arrays are parallel, one entry per image. */
export interface SizeGroup {
  size: number;
  /** Found by the per-position pass (windows compared at one place only). */
  atPlace?: boolean;
  /** Found by the colour pass (colour cells compared at one place; scored on that pass's own scale). */
  colour?: boolean;
  /** Found by exact isolation across places (scored on the isolation scale, like atPlace groups). */
  isolated?: boolean;
  images: Int32Array;
  x: Uint16Array;
  y: Uint16Array;
  score: Float32Array;
  /** Distance at which each window's group ends, and of its next neighbour after the gap. */
  reach: Float32Array;
  next: Float32Array;
}

export interface SizeResult {
  size: number;
  windows: number;
  /** Best window score per image. */
  best: Float32Array;
  groups: SizeGroup[];
  /**
   * Groups of 2+ images measured exactly that are not findings (under the pass's line from UNDER_SHARE of it; in
   * the keyed pass also groups of two), whose scores went into `best`: the detector applies its cheap checks to
   * them too, for the images' ranks (see imageScores). Windows scored by their gap alone are not among them.
   */
  under: SizeGroup[];
}

/**
 * Groups under their line are returned from this share of it: a weaker group's images rank below those the
 * checks matter for (a backdoor's copies whose group comes close to the line), and there are many more of them.
 */
export const UNDER_SHARE = 0.5;

export function analyseSize(inp: SizeInput): SizeResult {
  const sp = inp.size;
  const n = inp.phash.length;
  const [all] = extractWindows(
    { grid: inp.grid, pixels: inp.pixels },
    {
      sizes: [sp.size], keepFraction: inp.keepFraction, maxPerImage: inp.maxPerImage, minStd: inp.minStd, minStructure: inp.minStructure,
      ...(sp.structured && inp.isolation ? { structureShare: sp.structured.share } : {}),
    },
  );
  const best = new Float32Array(n);
  if (!all) return { size: sp.size, windows: 0, best, groups: [], under: [] };
  const ws = all.byStructure ? withoutStructureOnly(all) : all;
  const skipPair = nearDuplicatePairs(inp.phash);
  const mt = findMatches(ws, {
    tight: sp.radius, fineTables: sp.lshTables, fineK: sp.lshK, fineWidth: sp.lshWidth, maxBucket: 64,
    seed: inp.seed + sp.size, skipPair,
  });
  const wsc = scoreWindows(ws, mt, sp.radius, inp.noiseFloor, Math.floor(sp.lshTables / 3));
  for (let w = 0; w < ws.count; w++) {
    const i = ws.image[w]!;
    if (wsc.score[w]! > best[i]!) best[i] = wsc.score[w]!;
  }
  const groups = groupWindows(ws, mt, wsc, inp.minScore).map((windowOf) => toSizeGroup(ws, wsc, windowOf));
  const under: SizeGroup[] = [];
  if (sp.horizon && inp.isolation) {
    const seeds = tightComponents(ws, mt).filter((c) => distinctImages(ws, c) >= inp.isolation!.minImages);
    groups.push(...isolatedGroups(ws, seeds, sp.horizon, inp.isolation, inp.phash, inp.seed + sp.size, best, inp.minScore, false, under));
    if (sp.wide) {
      const wideSeeds = sparseSeeds(ws, mt, sp, sp.wide, inp.noiseFloor, inp.isolation.minImages, inp.seed + 100 + sp.size, skipPair);
      if (wideSeeds.length) groups.push(...isolatedGroups(absoluteWindows(ws), wideSeeds, sp.wide.horizon, inp.isolation, inp.phash, inp.seed + 100 + sp.size, best, inp.minScore, true, under));
    }
  }
  if (sp.structured && inp.isolation) {
    groups.push(...structuredGroups(all, sp.structured, inp.isolation, inp.phash, inp.seed + 200 + sp.size, best, inp.minScore, skipPair, under));
  }
  return { size: sp.size, windows: ws.count, best, groups, under };
}

/** The windows kept for their gradient energy (those of the main index), without the ones kept only for structure. */
function withoutStructureOnly(ws: WindowSet): WindowSet {
  const by = ws.byStructure!;
  const keep: number[] = [];
  for (let w = 0; w < ws.count; w++) if (!by[w]) keep.push(w);
  return subset(ws, keep);
}

function subset(ws: WindowSet, keep: number[]): WindowSet {
  const dim = ws.dim, k = keep.length;
  const out: WindowSet = {
    size: ws.size, dim, count: k, vectors: new Float32Array(k * dim), contrast: new Float32Array(k), image: new Int32Array(k),
    x: new Uint16Array(k), y: new Uint16Array(k), ...(ws.mean ? { mean: new Float32Array(k) } : {}),
  };
  for (let j = 0; j < k; j++) {
    const w = keep[j]!;
    out.vectors.set(ws.vectors.subarray(w * dim, (w + 1) * dim), j * dim);
    out.contrast[j] = ws.contrast[w]!;
    if (out.mean) out.mean[j] = ws.mean![w]!;
    out.image[j] = ws.image[w]!;
    out.x[j] = ws.x[w]!;
    out.y[j] = ws.y[w]!;
  }
  return out;
}

/**
 * Candidates from every selected window of the size, the most structured included (see StructuredParams),
 * compared after 2x2 averaging on their luma itself: paired by an index in luma units, tight components of 3+
 * images as candidates (a component too large to be one pattern is a common one, and is left out), each measured
 * exactly against every window of the set. Groups keep the size's side.
 */
function structuredGroups(
  all: WindowSet, sp: StructuredParams, ip: IsolationParams, phash: BigUint64Array, seed: number, best: Float32Array, gapLine: number,
  skipPair: (a: number, b: number) => boolean, under: SizeGroup[],
): SizeGroup[] {
  const abs = absoluteWindows(smoothedWindows(all));
  const mt = findMatches(abs, { tight: sp.radius, fineTables: sp.lshTables, fineK: sp.lshK, fineWidth: sp.lshWidth, maxBucket: 64, seed, skipPair });
  const seeds: number[][] = [];
  for (const c of tightComponents(abs, mt)) {
    if (c.length <= sp.maxComponent && distinctImages(abs, c) >= ip.minImages) seeds.push(c);
  }
  const below: SizeGroup[] = [];
  const groups = isolatedGroups(abs, seeds, sp.horizon, ip, phash, seed, best, gapLine, true, below);
  for (const g of groups) g.size = all.size;
  for (const g of below) under.push({ ...g, size: all.size });
  return groups;
}

/**
 * Each window's luma averaged over 2x2 pixels ((size-1)^2 samples), normalised again (mean removed, divided by
 * its contrast). Copies of a pattern at different offsets to the JPEG blocks differ mostly at the pixel scale;
 * the averaged window keeps the pattern and drops most of that difference.
 */
export function smoothedWindows(ws: WindowSet): WindowSet {
  const s = ws.size, h = s - 1, dim = h * h, k = ws.count;
  const vectors = new Float32Array(k * dim), contrast = new Float32Array(k), mean = new Float32Array(k);
  const src = ws.vectors, srcMean = ws.mean;
  for (let w = 0; w < k; w++) {
    const a = w * ws.dim, o = w * dim;
    let m = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < h; x++) {
      const p = a + y * s + x;
      const v = 0.25 * (src[p]! + src[p + 1]! + src[p + s]! + src[p + s + 1]!);
      vectors[o + y * h + x] = v;
      m += v;
    }
    m /= dim;
    let r = 0;
    for (let d = 0; d < dim; d++) {
      const v = vectors[o + d]! - m;
      vectors[o + d] = v;
      r += v * v;
    }
    r = Math.sqrt(r);
    const inv = r > 1e-6 ? 1 / r : 0;
    for (let d = 0; d < dim; d++) vectors[o + d]! *= inv;
    const c = ws.contrast[w]!;
    contrast[w] = c * r;
    mean[w] = (srcMean ? srcMean[w]! : 0) + c * m;
  }
  return { ...ws, size: h, dim, vectors, contrast, mean };
}

/**
 * Candidates from the index's pairs (tight components over enough images), measured exactly against every window
 * of the set. A group's images get its score in `best`, scaled so that its line meets the gap statistic's.
 */
function isolatedGroups(
  ws: WindowSet, seeds: number[][], horizon: number, ip: IsolationParams, phash: BigUint64Array, seed: number, best: Float32Array, gapLine: number,
  absolute: boolean, under: SizeGroup[],
): SizeGroup[] {
  const scale = gapLine / ip.minScore;
  if (!seeds.length) return [];
  const found = isolateAll(ws, seeds, horizon, ip.noiseFloor, isolationScratch(phash, ws.count), ip.screen, seed, false, absolute);
  const claimed = new Uint8Array(ws.count);
  const out: SizeGroup[] = [];
  found.forEach((f, c) => {
    if (!f || seeds[c]!.every((w) => claimed[w])) return;
    for (const w of f.windows) claimed[w] = 1;
    const g = { ...f.group, isolated: true };
    for (let j = 0; j < g.images.length; j++) {
      const s = g.score[j]! * scale;
      if (s > best[g.images[j]!]!) best[g.images[j]!] = s;
    }
    if (g.score[0]! >= ip.minScore) out.push(g);
    else if (g.images.length >= 2 && g.score[0]! >= UNDER_SHARE * ip.minScore) under.push(g);
  });
  return out;
}

/**
 * Candidate groups (window indices, 3+ images) from the sparse windows indexed again at the wider radius (see
 * WideParams).
 */
function sparseSeeds(
  ws: WindowSet, mt: Matches, sp: SizeParams, wp: WideParams, noiseFloor: number, minImages: number, seed: number,
  skipPair: (a: number, b: number) => boolean,
): number[][] {
  const dim = ws.dim;
  const keep: number[] = [];
  const nbrImages: number[] = [];
  for (let w = 0; w < ws.count; w++) {
    if (mt.crowded[w]! > 0) continue;
    nbrImages.length = 0;
    let over = false;
    for (let q = mt.off[w]!; q < mt.off[w + 1]! && !over; q++) {
      const im = ws.image[mt.nbr[q]!]!;
      if (!nbrImages.includes(im)) nbrImages.push(im);
      over = nbrImages.length > wp.maxNeighbours;
    }
    if (!over) keep.push(w);
  }
  const k = keep.length;
  if (k < minImages) return [];
  const sub: WindowSet = {
    size: ws.size, dim, count: k, vectors: new Float32Array(k * dim), contrast: new Float32Array(k), image: new Int32Array(k),
    x: new Uint16Array(k), y: new Uint16Array(k),
  };
  for (let j = 0; j < k; j++) {
    const w = keep[j]!;
    sub.vectors.set(ws.vectors.subarray(w * dim, (w + 1) * dim), j * dim);
    sub.contrast[j] = ws.contrast[w]!;
    sub.image[j] = ws.image[w]!;
    sub.x[j] = ws.x[w]!;
    sub.y[j] = ws.y[w]!;
  }
  const mt2 = findMatches(sub, { tight: wp.radius, fineTables: sp.lshTables, fineK: sp.lshK, fineWidth: wp.lshWidth, maxBucket: 64, seed, skipPair });
  const wsc = scoreWindows(sub, mt2, wp.radius, noiseFloor, Math.floor(sp.lshTables / 3));
  return groupWindows(sub, mt2, wsc, wp.seedScore).filter((g) => g.size >= minImages).map((g) => [...g.values()].map((j) => keep[j]!));
}

/** A group as plain arrays, one entry per image (sorted by image). */
export function toSizeGroup(ws: WindowSet, wsc: WindowScore, windowOf: Map<number, number>): SizeGroup {
  const imgs = [...windowOf.keys()].sort((a, b) => a - b);
  const ws_ = imgs.map((i) => windowOf.get(i)!);
  return {
    size: ws.size,
    images: Int32Array.from(imgs),
    x: Uint16Array.from(ws_, (w) => ws.x[w]!),
    y: Uint16Array.from(ws_, (w) => ws.y[w]!),
    score: Float32Array.from(ws_, (w) => wsc.score[w]!),
    reach: Float32Array.from(ws_, (w) => wsc.reach[w]!),
    next: Float32Array.from(ws_, (w) => wsc.next[w]!),
  };
}

export interface WindowScore {
  score: Float32Array;
  /** Neighbours (distinct images) before the gap. */
  members: Int32Array;
  /** Distance at which the group ends (the m-th neighbour's). */
  reach: Float32Array;
  /** Distance of the next neighbour after the gap (radius when none). */
  next: Float32Array;
}

/** The gap statistic of each window (see the file comment). */
export function scoreWindows(ws: WindowSet, mt: Matches, radius: number, noiseFloor: number, maxCrowded: number): WindowScore {
  const m = ws.count;
  const score = new Float32Array(m);
  const members = new Int32Array(m);
  const reach = new Float32Array(m);
  const next = new Float32Array(m);
  const bestByImage = new Map<number, number>();
  const ds: number[] = [];
  for (let w = 0; w < m; w++) {
    const lo = mt.off[w]!, hi = mt.off[w + 1]!;
    // In an over-full bucket the window's neighbours were not listed: when that happens in many tables it
    // sits among many look-alikes, and any gap seen in the partial list is not real.
    if (hi === lo || mt.crowded[w]! > maxCrowded) continue;
    bestByImage.clear();
    for (let q = lo; q < hi; q++) {
      const im = ws.image[mt.nbr[q]!]!;
      const d = mt.dist[q]!;
      const prev = bestByImage.get(im);
      if (prev === undefined || d < prev) bestByImage.set(im, d);
    }
    ds.length = 0;
    for (const d of bestByImage.values()) ds.push(d);
    ds.sort((a, b) => a - b);
    let bestS = 0, bestM = 0, bestReach = 0, bestNext = 0;
    for (let k = 0; k < ds.length; k++) {
      const nx = k + 1 < ds.length ? ds[k + 1]! : radius;
      const gap = nx / Math.max(ds[k]!, noiseFloor);
      // More members that agree is more evidence: a coincidence among 5 images is rarer than among 2.
      const s = Math.log(gap) * Math.log2(2 + k);
      if (s > bestS) {
        bestS = s;
        bestM = k + 1;
        bestReach = ds[k]!;
        bestNext = nx;
      }
    }
    score[w] = bestS;
    members[w] = bestM;
    reach[w] = bestReach;
    next[w] = bestNext;
  }
  return { score, members, reach, next };
}

/** Union of strong windows through the pairs inside their gap; one window per image. */
export function groupWindows(ws: WindowSet, mt: Matches, wsc: WindowScore, minScore: number): Map<number, number>[] {
  const m = ws.count;
  const uf = unionFind(m);
  const find = uf.find;
  const strong = (w: number) => wsc.score[w]! >= minScore;
  for (let w = 0; w < m; w++) {
    if (!strong(w)) continue;
    for (let q = mt.off[w]!; q < mt.off[w + 1]!; q++) {
      const u = mt.nbr[q]!;
      // Only the neighbours before this window's gap belong with it.
      if (mt.dist[q]! > wsc.reach[w]! * 1.0001 || !strong(u)) continue;
      const a = find(w), b = find(u);
      uf.join(a, b);
    }
  }
  const byRoot = new Map<number, Map<number, number>>();
  for (let w = 0; w < m; w++) {
    if (!strong(w)) continue;
    const r = find(w);
    let g = byRoot.get(r);
    if (!g) byRoot.set(r, (g = new Map()));
    const i = ws.image[w]!;
    const cur = g.get(i);
    if (cur === undefined || wsc.score[w]! > wsc.score[cur]!) g.set(i, w);
  }
  return [...byRoot.values()].filter((g) => g.size >= 2);
}
