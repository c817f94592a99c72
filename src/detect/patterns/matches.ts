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
  /** Buckets larger than this are a common pattern: their pairs are not enumerated. */
  maxBucket: number;
  seed: number;
  /** Pairs of images never matched (near-duplicate images agree everywhere, not on one pattern). */
  skipPair?: (imgA: number, imgB: number) => boolean;
}

export interface Matches {
  /** CSR adjacency: neighbours of window w are nbr[off[w]..off[w+1]) with relative distances dist[...]. */
  off: Int32Array;
  nbr: Int32Array;
  dist: Float32Array;
  /** Windows that sat in an over-full fine bucket in some table. */
  crowded: Uint8Array;
  /** Pairs whose distance was computed (cost diagnostics). */
  candidates: number;
}

export function findMatches(ws: WindowSet, o: MatchOptions): Matches {
  const m = ws.count;
  const DIM = ws.dim;
  const fine = createLsh(DIM, o.fineTables, o.fineK, o.fineWidth, o.seed ^ 0xf1e);
  const crowded = new Uint8Array(m);
  const seen = new Set<number>();
  const pa: number[] = [];
  const pb: number[] = [];
  const pd: number[] = [];
  const tight2 = o.tight * o.tight;
  const v = ws.vectors;
  let candidates = 0;
  for (let t = 0; t < o.fineTables; t++) {
    const { order, starts } = bucketize(fine, t, v, m);
    for (let s = 0; s + 1 < starts.length; s++) {
      const lo = starts[s]!, hi = starts[s + 1]!;
      if (hi - lo < 2) continue;
      if (hi - lo > o.maxBucket) {
        for (let q = lo; q < hi; q++) crowded[order[q]!] = 1;
        continue;
      }
      for (let p = lo; p < hi; p++) {
        const a = order[p]!;
        const ia = ws.image[a]!;
        for (let q = p + 1; q < hi; q++) {
          const b = order[q]!;
          const ib = ws.image[b]!;
          if (ia === ib) continue;
          candidates++;
          let d2 = 0;
          const va = a * DIM, vb = b * DIM;
          for (let d = 0; d < DIM; d++) {
            const x = v[va + d]! - v[vb + d]!;
            d2 += x * x;
          }
          if (d2 <= tight2) {
            const lo2 = a < b ? a : b, hi2 = a < b ? b : a;
            const key = lo2 * m + hi2;
            if (seen.has(key)) continue;
            seen.add(key);
            if (o.skipPair && o.skipPair(ia, ib)) continue;
            pa.push(lo2);
            pb.push(hi2);
            pd.push(Math.sqrt(d2));
          }
        }
      }
    }
  }
  // CSR, both directions.
  const deg = new Int32Array(m + 1);
  for (let i = 0; i < pa.length; i++) {
    deg[pa[i]!]!++;
    deg[pb[i]!]!++;
  }
  const off = new Int32Array(m + 1);
  for (let w = 0; w < m; w++) off[w + 1] = off[w]! + deg[w]!;
  const fill = off.slice(0, m);
  const nbr = new Int32Array(off[m]!);
  const dist = new Float32Array(off[m]!);
  for (let i = 0; i < pa.length; i++) {
    const a = pa[i]!, b = pb[i]!;
    nbr[fill[a]!] = b;
    dist[fill[a]!++] = pd[i]!;
    nbr[fill[b]!] = a;
    dist[fill[b]!++] = pd[i]!;
  }
  return { off, nbr, dist, crowded, candidates };
}
