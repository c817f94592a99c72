// trigger-cluster: groups of images that share a near-identical, contrasted local pattern (a patch, a stamp,
// a logo) at the same place or at different places, while the rest of each image is unrelated.
//
// Why it works at 0.01%: a group is scored by how tight and how isolated it is, not by its share of the
// dataset. Each image's most contrasted windows are compared with every other image's (p-stable LSH, then
// exact distances relative to the window's contrast). Natural windows have neighbours at a continuum of
// distances (edges, borders and gradients are common), so the gap between their nearest neighbours is small.
// A pasted pattern survives re-encoding almost unchanged, so its copies sit far closer to each other than to
// anything else: a large gap after the m-th neighbour. That gap, and m, are the evidence.
import type { FindingDraft, Json } from '../types.js';
import { imagePixels, type ImageFeatures } from '../fingerprint/image-features.js';
import { popcount } from './near-duplicate.js';
import type { Detector, ScanContext } from './detector.js';
import { findMatches, type Matches } from './patterns/matches.js';
import { extractWindows, type WindowSet } from './patterns/windows.js';

/** Per window size: how far the gap is measured, and the LSH that finds neighbours within that radius. */
export interface SizeParams {
  size: number;
  /** Neighbour radius, relative to window contrast: the gap is measured up to here. */
  radius: number;
  lshWidth: number;
  lshK: number;
  lshTables: number;
}

export interface TriggerClusterParams {
  sizes: SizeParams[];
  /** Share of windows (the most contrasted) compared across images. */
  keepFraction: number;
  maxPerImage: number;
  /** Per-pixel luma standard deviation below which windows are flat. */
  minStd: number;
  /** Distances below this count as this value (JPEG noise floor), so a gap is not infinite. */
  noiseFloor: number;
  /** Window score from which a window may seed a group. */
  minScore: number;
  /** Group score (median member score) for a high-severity finding. */
  highScore: number;
}

export const DEFAULT_PARAMS: TriggerClusterParams = {
  // Radii sit near the typical nearest natural neighbour at each size (measured on clean CIFAR-10): larger
  // windows have more dimensions, so natural windows lie further apart.
  sizes: [
    { size: 3, radius: 0.15, lshWidth: 0.4, lshK: 6, lshTables: 6 },
    { size: 5, radius: 0.3, lshWidth: 0.8, lshK: 8, lshTables: 8 },
    { size: 8, radius: 0.5, lshWidth: 1.3, lshK: 10, lshTables: 8 },
  ],
  keepFraction: 0.03,
  maxPerImage: 96,
  minStd: 8,
  noiseFloor: 0.01,
  minScore: 2,
  highScore: 2.6,
};

export const triggerCluster: Detector = {
  name: 'trigger-cluster',
  description: 'groups of images sharing a near-identical local pattern (patch trigger) that is isolated from everything else',
  appliesTo: (ctx) => ctx.images !== undefined && ctx.ids.length >= 3,
  async run(ctx) {
    return runTriggerCluster(ctx, DEFAULT_PARAMS);
  },
};

interface WindowScore {
  score: Float32Array;
  /** Neighbours (distinct images) before the gap. */
  members: Int32Array;
  /** Distance at which the group ends (the m-th neighbour's). */
  reach: Float32Array;
  /** Distance of the next neighbour after the gap (radius when none). */
  next: Float32Array;
}

export function runTriggerCluster(ctx: ScanContext, p: TriggerClusterParams) {
  const f = ctx.images!;
  const n = ctx.ids.length;
  const sizes = p.sizes.filter((sp) => sp.size <= f.grid);
  const sets = extractWindows(f, { sizes: sizes.map((sp) => sp.size), keepFraction: p.keepFraction, maxPerImage: p.maxPerImage, minStd: p.minStd });
  const skipPair = nearDuplicatePairs(f);
  const best = new Float32Array(n);
  const groups: Group[] = [];
  sets.forEach((ws, k) => {
    const sp = sizes[k]!;
    const mt = findMatches(ws, { tight: sp.radius, fineTables: sp.lshTables, fineK: sp.lshK, fineWidth: sp.lshWidth, maxBucket: 64, seed: ctx.seed + sp.size, skipPair });
    const wsc = scoreWindows(ws, mt, sp.radius, p.noiseFloor);
    for (let w = 0; w < ws.count; w++) {
      const i = ws.image[w]!;
      if (wsc.score[w]! > best[i]!) best[i] = wsc.score[w]!;
    }
    groups.push(...groupWindows(ws, mt, wsc, p));
  });
  const kept = dedupeGroups(groups);
  const scores = new Float32Array(n);
  // Below the group line, scores stay under 0.5 so that only findings flag samples.
  for (let i = 0; i < n; i++) scores[i] = 0.45 * (best[i]! / (best[i]! + p.minScore));
  const findings: FindingDraft[] = [];
  for (const g of kept) {
    const imgs = [...g.windowOf.keys()];
    const median = medianOf(imgs.map((i) => g.wsc.score[g.windowOf.get(i)!]!));
    const severity = imgs.length >= 3 ? (median >= p.highScore ? 'high' : 'medium') : 'low';
    const groupScore = Math.min(1, 0.5 + 0.5 * (1 - Math.exp(-(median - p.minScore + 0.5) * Math.log2(imgs.length))));
    for (const i of imgs) {
      const own = g.wsc.score[g.windowOf.get(i)!]!;
      const s = severity === 'low' ? Math.min(0.49, scores[i]! + 0.1) : groupScore * (0.9 + 0.1 * Math.min(1, own / (2 * p.highScore)));
      if (s > scores[i]!) scores[i] = s;
    }
    findings.push(describeGroup(ctx, f, g, imgs, severity, groupScore));
  }
  return { scores, findings };
}

/** The gap statistic of each window (see the file comment). */
function scoreWindows(ws: WindowSet, mt: Matches, radius: number, noiseFloor: number): WindowScore {
  const m = ws.count;
  const score = new Float32Array(m);
  const members = new Int32Array(m);
  const reach = new Float32Array(m);
  const next = new Float32Array(m);
  const bestByImage = new Map<number, number>();
  const ds: number[] = [];
  for (let w = 0; w < m; w++) {
    const lo = mt.off[w]!, hi = mt.off[w + 1]!;
    if (hi === lo) continue;
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

interface Group {
  ws: WindowSet;
  wsc: WindowScore;
  /** image -> its window in the group. */
  windowOf: Map<number, number>;
}

/** Union of strong windows through the pairs inside their gap; one window per image. */
function groupWindows(ws: WindowSet, mt: Matches, wsc: WindowScore, p: TriggerClusterParams): Group[] {
  const m = ws.count;
  const parent = new Int32Array(m);
  for (let w = 0; w < m; w++) parent[w] = w;
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  const strong = (w: number) => wsc.score[w]! >= p.minScore;
  for (let w = 0; w < m; w++) {
    if (!strong(w)) continue;
    for (let q = mt.off[w]!; q < mt.off[w + 1]!; q++) {
      const u = mt.nbr[q]!;
      // Only the neighbours before this window's gap belong with it.
      if (mt.dist[q]! > wsc.reach[w]! * 1.0001 || !strong(u)) continue;
      const a = find(w), b = find(u);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const byRoot = new Map<number, Group>();
  for (let w = 0; w < m; w++) {
    if (!strong(w)) continue;
    const r = find(w);
    let g = byRoot.get(r);
    if (!g) byRoot.set(r, (g = { ws, wsc, windowOf: new Map() }));
    const i = ws.image[w]!;
    const cur = g.windowOf.get(i);
    if (cur === undefined || wsc.score[w]! > wsc.score[cur]!) g.windowOf.set(i, w);
  }
  return [...byRoot.values()].filter((g) => g.windowOf.size >= 2);
}

/**
 * One pattern shows up in several groups (windows of several sizes inside one patch, overlapping windows):
 * keep the largest, most convincing group and drop any that mostly repeats images already claimed.
 */
function dedupeGroups(groups: Group[]): Group[] {
  groups.sort((a, b) => b.windowOf.size - a.windowOf.size || meanScore(b) - meanScore(a));
  const claimed = new Set<number>();
  const out: Group[] = [];
  for (const g of groups) {
    const imgs = [...g.windowOf.keys()];
    const fresh = imgs.filter((i) => !claimed.has(i));
    if (fresh.length < Math.max(2, imgs.length / 2)) continue;
    for (const i of imgs) claimed.add(i);
    out.push(g);
  }
  return out;
}

function meanScore(g: Group): number {
  let s = 0;
  for (const w of g.windowOf.values()) s += g.wsc.score[w]!;
  return s / g.windowOf.size;
}

function medianOf(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : 0.5 * (s[s.length / 2 - 1]! + s[s.length / 2]!);
}

/** Pairs of images whose perceptual hashes are close are the same picture, not a shared pattern. */
function nearDuplicatePairs(f: ImageFeatures): (a: number, b: number) => boolean {
  const n = f.phash.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = Number(f.phash[i]! >> 32n);
    lo[i] = Number(f.phash[i]! & 0xffffffffn);
  }
  return (a, b) => popcount(hi[a]! ^ hi[b]!) + popcount(lo[a]! ^ lo[b]!) <= 8;
}

function describeGroup(ctx: ScanContext, f: ImageFeatures, g: Group, imgs: number[], severity: 'high' | 'medium' | 'low', score: number): FindingDraft {
  const { ws, wsc, windowOf } = g;
  imgs.sort((a, b) => a - b);
  const boxes: { [id: string]: Json } = {};
  const places = new Set<string>();
  let reach = 0, next = 0;
  for (const i of imgs) {
    const w = windowOf.get(i)!;
    boxes[ctx.ids[i]!] = { x: ws.x[w]!, y: ws.y[w]!, w: ws.size, h: ws.size };
    places.add(`${ws.x[w]},${ws.y[w]}`);
    reach = Math.max(reach, wsc.reach[w]!);
    next += wsc.next[w]! / imgs.length;
  }
  const labels: Record<string, number> = {};
  for (const i of imgs) {
    const l = ctx.labels[i] ?? '(none)';
    labels[l] = (labels[l] ?? 0) + 1;
  }
  const first = windowOf.get(imgs[0]!)!;
  const side = ws.size;
  const box = { x: ws.x[first]!, y: ws.y[first]!, w: side, h: side };
  const labelKeys = Object.keys(labels);
  const oneLabel = labelKeys.length === 1 && labelKeys[0] !== '(none)';
  const where = places.size === 1 ? `at the same place (x=${box.x}, y=${box.y}, ${side}x${side} of ${f.grid}x${f.grid})` : `at ${places.size} different places`;
  return {
    kind: 'trigger-cluster',
    severity,
    score,
    title: `${imgs.length} images share a near-identical ${side}x${side} pattern ${where}${oneLabel ? `, all labelled "${labelKeys[0]}"` : ''}`,
    samples: imgs,
    evidence: {
      grid: f.grid,
      box,
      boxes,
      samePlace: places.size === 1,
      labels,
      pattern: patternPixels(f, imgs[0]!, box),
      // How close the copies are to each other vs the nearest other pattern (relative to contrast).
      withinDistance: round3(reach),
      nextDistance: round3(next),
      outsideDifference: round3(outsideDifference(f, imgs, windowOf, ws)),
      note: oneLabel && imgs.length >= 3 ? 'images of varied content that share one pattern and one label: the signature of a dirty-label patch backdoor' : 'a shared pattern; check whether it is a watermark, a logo or a trigger',
    },
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The pattern's RGB pixels in the first image, rows of [r,g,b]. */
function patternPixels(f: ImageFeatures, i: number, box: { x: number; y: number; w: number; h: number }): Json {
  const px = imagePixels(f, i);
  const rows: Json[] = [];
  for (let y = box.y; y < Math.min(f.grid, box.y + box.h); y++) {
    const row: Json[] = [];
    for (let x = box.x; x < Math.min(f.grid, box.x + box.w); x++) {
      const o = (y * f.grid + x) * 3;
      row.push([px[o]!, px[o + 1]!, px[o + 2]!]);
    }
    rows.push(row);
  }
  return rows;
}

/** Mean absolute pixel difference between the group's images outside their pattern boxes (high = unrelated). */
function outsideDifference(f: ImageFeatures, imgs: number[], windowOf: Map<number, number>, ws: WindowSet): number {
  const g = f.grid;
  let total = 0, pairs = 0;
  const k = Math.min(imgs.length, 8);
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    const ia = imgs[a]!, ib = imgs[b]!;
    const wa = windowOf.get(ia)!, wb = windowOf.get(ib)!;
    const pa = imagePixels(f, ia), pb = imagePixels(f, ib);
    let s = 0, c = 0;
    for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) {
      if (inBox(ws, wa, x, y) || inBox(ws, wb, x, y)) continue;
      const o = (y * g + x) * 3;
      s += Math.abs(pa[o]! - pb[o]!) + Math.abs(pa[o + 1]! - pb[o + 1]!) + Math.abs(pa[o + 2]! - pb[o + 2]!);
      c += 3;
    }
    if (c) {
      total += s / c;
      pairs++;
    }
  }
  return pairs ? total / pairs : 0;
}

function inBox(ws: WindowSet, w: number, x: number, y: number): boolean {
  return x >= ws.x[w]! && y >= ws.y[w]! && x < ws.x[w]! + ws.size && y < ws.y[w]! + ws.size;
}
