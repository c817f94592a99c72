// Finds, for every window, the windows of other images within a small relative distance (LSH buckets, then
// an exact distance check).
import { bucketize, createLsh } from './lsh.js';
import type { WindowSet } from './windows.js';

export interface MatchOptions {
  /** Relative distance (distance / contrast) under which two windows count as the same pattern. */
  tight: number;
  fineTables: number;
  fineK: number;
  fineWidth: number;
  /** Buckets larger than this are a common pattern: their pairs are not enumerated (unless `split`). */
  maxBucket: number;
  /**
   * Split an over-full bucket by `k` more hashes, again on each part still over-full, up to `levels` times, and
   * enumerate the parts that fit maxBucket. Buckets fill as the set grows, so without a split the pairs found
   * at a given distance become fewer with every image added; with it, only parts still over-full after `levels`
   * splits go unlisted. Absent: an over-full bucket is not enumerated.
   */
  split?: { k: number; levels: number };
  seed: number;
  /** Hash large windows through a 2x2-pooled sketch (cheaper; loses high-frequency patterns). */
  sketch?: boolean;
  /** Pairs of images never matched (near-duplicate images agree everywhere, not on one pattern). */
  skipPair?: (imgA: number, imgB: number) => boolean;
}

export interface Matches {
  /** CSR adjacency: neighbours of window w are nbr[off[w]..off[w+1]) with relative distances dist[...]. */
  off: Int32Array;
  nbr: Int32Array;
  dist: Float32Array;
  /**
   * In how many tables each window sat in an over-full bucket (a common pattern: neighbours not listed); with
   * `split`, in a part still over-full after the last split. A tight core's members (see tightCore) are not counted.
   */
  crowded: Uint8Array;
  /** Pairs whose distance was computed (cost diagnostics). */
  candidates: number;
}

export function findMatches(ws: WindowSet, o: MatchOptions): Matches {
  const m = ws.count;
  const DIM = ws.dim;
  const L = o.fineTables;
  // Large windows are hashed through a 2x2-pooled sketch (a quarter of the dimensions, a quarter of the
  // hashing cost); distances are still exact on the full vectors.
  const sketch = o.sketch && ws.size >= 6 ? pooledSketch(ws) : { vectors: ws.vectors, dim: DIM, scale: 1 };
  const lsh = createLsh(sketch.dim, L, o.fineK, o.fineWidth * sketch.scale, o.seed ^ 0xf1e);
  const crowded = new Uint8Array(m);
  // Per window and table: the id of the bucket (or part of a split bucket) it sat in, and whether that one was
  // enumerated (it fit maxBucket). Ids are counted, not hashed, so two windows share one only if they shared it.
  const group = new Int32Array(m * L);
  const open = new Uint8Array(m * L);
  let ids = 0;
  let pa: Int32Array = new Int32Array(1 << 16), pb: Int32Array = new Int32Array(1 << 16), pd: Float32Array = new Float32Array(1 << 16);
  let np = 0;
  const tight2 = o.tight * o.tight;
  const v = ws.vectors;
  let candidates = 0;
  const split = o.split;
  if (split && !(split.k >= 1 && split.levels >= 1)) throw new Error(`findMatches: split needs k and levels of 1 or more (got ${split.k}, ${split.levels})`);
  const splitLsh = split ? createLsh(sketch.dim, L * split.levels, split.k, o.fineWidth * sketch.scale, o.seed ^ 0x5b1) : null;
  const push = (a: number, b: number, d: number) => {
    if (np === pa.length) ({ pa, pb, pd } = growPairs(pa, pb, pd));
    pa[np] = a;
    pb[np] = b;
    pd[np++] = d;
  };
  /** The pairs of one bucket (or part), each examined once: at the first table where both shared an enumerated one. */
  const enumerate = (members: Int32Array, t: number) => {
    for (let p = 0; p < members.length; p++) {
      const a = members[p]!;
      const ia = ws.image[a]!;
      for (let q = p + 1; q < members.length; q++) {
        const b = members[q]!;
        const ib = ws.image[b]!;
        if (ia === ib) continue;
        let before = false;
        for (let u = 0; u < t; u++) {
          if (group[a * L + u] === group[b * L + u] && open[a * L + u]) {
            before = true;
            break;
          }
        }
        if (before) continue;
        candidates++;
        const d2 = squaredDistance(v, a * DIM, b * DIM, DIM);
        if (d2 > tight2 || (o.skipPair && o.skipPair(ia, ib))) continue;
        push(a, b, Math.sqrt(d2));
      }
    }
  };
  /**
   * An over-full bucket of table t split by the next level's hashes. A part that fits is enumerated; one still
   * over-full is split again, or after the last level left as it is (its windows crowded, but for `core`).
   */
  const splitBucket = (members: Int32Array, t: number, level: number, core: Set<number> | null) => {
    const { order, starts } = bucketize(splitLsh!, t * split!.levels + level, sketch.vectors, members.length, members);
    for (let r = 0; r + 1 < starts.length; r++) {
      const part = new Int32Array(starts[r + 1]! - starts[r]!);
      for (let q = 0; q < part.length; q++) part[q] = members[order[starts[r]! + q]!]!;
      const fits = part.length <= o.maxBucket;
      if (!fits && level + 1 < split!.levels) {
        splitBucket(part, t, level + 1, core);
        continue;
      }
      const id = ids++;
      for (const w of part) {
        group[w * L + t] = id;
        if (fits) open[w * L + t] = 1;
        else if (!(core && core.has(w))) crowded[w]!++;
      }
      if (fits && part.length > 1) enumerate(part, t);
    }
  };
  for (let t = 0; t < L; t++) {
    const { order, starts } = bucketize(lsh, t, sketch.vectors, m);
    for (let s = 0; s + 1 < starts.length; s++) {
      const lo = starts[s]!, hi = starts[s + 1]!;
      const full = hi - lo > o.maxBucket;
      // An over-full bucket is usually a common pattern, but it may also be one pattern repeated many times
      // (hundreds of poisoned copies): if most members sit tightly around the first one, link them to it.
      const cluster = full ? tightCore(order, lo, hi, v, DIM, ws.image, o.tight * 0.5) : null;
      const id = ids++;
      for (let q = lo; q < hi; q++) {
        const w = order[q]!;
        group[w * L + t] = id;
        if (full && !splitLsh && !(cluster && cluster.has(w))) crowded[w]!++;
        else if (!full) open[w * L + t] = 1;
      }
      if (full && splitLsh) splitBucket(order.subarray(lo, hi), t, 0, cluster);
      if (cluster) {
        const a = order[lo]!;
        for (const b of cluster) {
          // A pair the split already enumerated here is not listed twice.
          if (b === a || (open[a * L + t] && group[a * L + t] === group[b * L + t])) continue;
          push(a, b, distance(v, a, b, DIM));
        }
      }
      if (!full && hi - lo >= 2) enumerate(order.subarray(lo, hi), t);
    }
  }
  // CSR, both directions.
  const deg = new Int32Array(m + 1);
  for (let i = 0; i < np; i++) {
    deg[pa[i]!]!++;
    deg[pb[i]!]!++;
  }
  const off = new Int32Array(m + 1);
  for (let w = 0; w < m; w++) off[w + 1] = off[w]! + deg[w]!;
  const fill = off.slice(0, m);
  const nbr = new Int32Array(off[m]!);
  const dist = new Float32Array(off[m]!);
  for (let i = 0; i < np; i++) {
    const a = pa[i]!, b = pb[i]!;
    nbr[fill[a]!] = b;
    dist[fill[a]!++] = pd[i]!;
    nbr[fill[b]!] = a;
    dist[fill[b]!++] = pd[i]!;
  }
  return { off, nbr, dist, crowded, candidates };
}

function growPairs(pa: Int32Array, pb: Int32Array, pd: Float32Array): { pa: Int32Array; pb: Int32Array; pd: Float32Array } {
  const a = new Int32Array(pa.length * 2), b = new Int32Array(pb.length * 2), d = new Float32Array(pd.length * 2);
  a.set(pa);
  b.set(pb);
  d.set(pd);
  return { pa: a, pb: b, pd: d };
}

function distance(v: Float32Array, a: number, b: number, dim: number): number {
  return Math.sqrt(squaredDistance(v, a * dim, b * dim, dim));
}

/** Squared distance between the vectors at offsets va and vb: four running sums (the pairs' hot loop). */
function squaredDistance(v: Float32Array, va: number, vb: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, d = 0;
  for (const d4 = dim & ~3; d < d4; d += 4) {
    const x0 = v[va + d]! - v[vb + d]!, x1 = v[va + d + 1]! - v[vb + d + 1]!, x2 = v[va + d + 2]! - v[vb + d + 2]!, x3 = v[va + d + 3]! - v[vb + d + 3]!;
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (; d < dim; d++) {
    const x = v[va + d]! - v[vb + d]!;
    s0 += x * x;
  }
  return s0 + s1 + s2 + s3;
}

/** Members of a bucket (other images than the first member's) within `radius` of the first, when they are most of it. */
function tightCore(order: Int32Array, lo: number, hi: number, v: Float32Array, dim: number, image: Int32Array, radius: number): Set<number> | null {
  const a = order[lo]!;
  const core = new Set<number>([a]);
  for (let q = lo + 1; q < hi; q++) {
    const b = order[q]!;
    if (image[b] !== image[a] && distance(v, a, b, dim) <= radius) core.add(b);
  }
  return core.size >= (hi - lo) / 2 ? core : null;
}

/** 2x2 average pooling of each window (odd sides keep their last row/column at half weight). */
function pooledSketch(ws: WindowSet): { vectors: Float32Array; dim: number; scale: number } {
  const s = ws.size;
  const h = Math.ceil(s / 2);
  const dim = h * h;
  const out = new Float32Array(ws.count * dim);
  for (let w = 0; w < ws.count; w++) {
    const src = w * ws.dim, dst = w * dim;
    for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) out[dst + (y >> 1) * h + (x >> 1)] += 0.25 * ws.vectors[src + y * s + x]!;
  }
  // Pooling four values halves the norm of a difference that is spread evenly: hash with half the width.
  return { vectors: out, dim, scale: 0.5 };
}
