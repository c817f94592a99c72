// One window size of the trigger-cluster analysis, as a pure function on plain data so that it can run in
// a worker thread: extract the windows, find near-identical ones across images, score each window by the
// gap after its nearest neighbours, and join strong windows into groups.
import { popcount } from '../near-duplicate.js';
import { findMatches, type Matches } from './matches.js';
import { extractWindows, type WindowSet } from './windows.js';
import { unionFind } from '../../util/union-find.js';

/** Per window size: how far the gap is measured, and the LSH that finds neighbours within that radius. */
export interface SizeParams {
  size: number;
  /** Neighbour radius, relative to window contrast: the gap is measured up to here. */
  radius: number;
  lshWidth: number;
  lshK: number;
  lshTables: number;
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
  seed: number;
}

/** A group of windows (one per image) that agree on one pattern. Arrays are parallel, one entry per image. */
export interface SizeGroup {
  size: number;
  /** Found by the per-position pass (windows compared at one place only). */
  atPlace?: boolean;
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
}

export function analyseSize(inp: SizeInput): SizeResult {
  const sp = inp.size;
  const n = inp.phash.length;
  const [ws] = extractWindows(
    { grid: inp.grid, pixels: inp.pixels },
    { sizes: [sp.size], keepFraction: inp.keepFraction, maxPerImage: inp.maxPerImage, minStd: inp.minStd, minStructure: inp.minStructure },
  );
  const best = new Float32Array(n);
  if (!ws) return { size: sp.size, windows: 0, best, groups: [] };
  const mt = findMatches(ws, {
    tight: sp.radius, fineTables: sp.lshTables, fineK: sp.lshK, fineWidth: sp.lshWidth, maxBucket: 64,
    seed: inp.seed + sp.size, skipPair: nearDuplicatePairs(inp.phash),
  });
  const wsc = scoreWindows(ws, mt, sp.radius, inp.noiseFloor, Math.floor(sp.lshTables / 3));
  for (let w = 0; w < ws.count; w++) {
    const i = ws.image[w]!;
    if (wsc.score[w]! > best[i]!) best[i] = wsc.score[w]!;
  }
  const groups = groupWindows(ws, mt, wsc, inp.minScore).map((windowOf) => toSizeGroup(ws, wsc, windowOf));
  return { size: sp.size, windows: ws.count, best, groups };
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

/** The 64-bit hashes as two 32-bit halves (BigInt arithmetic is slow in hot loops). */
function hashHalves(phash: BigUint64Array): { hi: Uint32Array; lo: Uint32Array } {
  const n = phash.length;
  const hi = new Uint32Array(n), lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = Number(phash[i]! >> 32n);
    lo[i] = Number(phash[i]! & 0xffffffffn);
  }
  return { hi, lo };
}

/** Perceptual hashes 8 or fewer bits apart: the same picture. */
function hashesClose(hi: Uint32Array, lo: Uint32Array, a: number, b: number): boolean {
  return popcount(hi[a]! ^ hi[b]!) + popcount(lo[a]! ^ lo[b]!) <= 8;
}

/** Pairs of images whose perceptual hashes are close are the same picture, not a shared pattern. */
export function nearDuplicatePairs(phash: BigUint64Array): (a: number, b: number) => boolean {
  const { hi, lo } = hashHalves(phash);
  return (a, b) => hashesClose(hi, lo, a, b);
}

/** A set of images that answers whether an image is, or is a near-duplicate of, one already added. */
export interface NearDuplicateSet {
  has(image: number): boolean;
  add(image: number): void;
  clear(): void;
}

/**
 * nearDuplicatePairs' relation (perceptual hashes within 8 bits) against a growing set, without testing every
 * member: the 64 bits are cut into 9 chunks, and two hashes 8 or fewer bits apart agree on at least one chunk
 * (pigeonhole), so only the members sharing a chunk value with the image are tested. Exact; at 200k images it
 * cut the per-position isolation's cut step from 19.1 to 6.7 s (BENCHMARKS.md).
 */
export function nearDuplicateSet(phash: BigUint64Array): NearDuplicateSet {
  const { hi, lo } = hashHalves(phash);
  const CHUNKS = 9, SLOTS = 256;
  // Bucket heads, valid only when stamped with the current generation (clearing is then O(1)).
  const head = new Int32Array(CHUNKS * SLOTS), stamp = new Int32Array(CHUNKS * SLOTS);
  let gen = 1, size = 0;
  let entryImage = new Int32Array(1024), entryNext = new Int32Array(1024);
  const slot = (i: number, c: number): number => {
    const b = 7 * c;
    const v = c === 8 ? hi[i]! >>> 24 : b + 7 <= 32 ? (lo[i]! >>> b) & 0x7f : b >= 32 ? (hi[i]! >>> (b - 32)) & 0x7f : ((lo[i]! >>> b) | (hi[i]! << (32 - b))) & 0x7f;
    return c * SLOTS + v;
  };
  return {
    has(image) {
      for (let c = 0; c < CHUNKS; c++) {
        const s = slot(image, c);
        if (stamp[s] !== gen) continue;
        for (let e = head[s]!; e >= 0; e = entryNext[e]!) {
          const u = entryImage[e]!;
          if (u === image || hashesClose(hi, lo, u, image)) return true;
        }
      }
      return false;
    },
    add(image) {
      if (size + CHUNKS > entryImage.length) {
        const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
        entryImage = grow(entryImage);
        entryNext = grow(entryNext);
      }
      for (let c = 0; c < CHUNKS; c++) {
        const s = slot(image, c);
        entryImage[size] = image;
        entryNext[size] = stamp[s] === gen ? head[s]! : -1;
        stamp[s] = gen;
        head[s] = size++;
      }
    },
    clear() {
      gen++;
      size = 0;
    },
  };
}
