// p-stable (E2LSH) hashing of vectors into buckets: h(v) = floor((a.v + b) / W), k hashes per table.
// Unlike sign-of-projection hashes, small noise only moves a vector across a bucket edge with probability
// ~ noise / W, so near-identical windows land together in most tables.
import { createRng, randNormal, type Rng } from '../../util/rng.js';

export interface LshTables {
  tables: number;
  k: number;
  width: number;
  dim: number;
  a: Float32Array; // tables*k*dim
  b: Float32Array; // tables*k
}

export function createLsh(dim: number, tables: number, k: number, width: number, seed: number): LshTables {
  const rng: Rng = createRng(seed);
  const a = new Float32Array(tables * k * dim);
  for (let i = 0; i < a.length; i++) a[i] = randNormal(rng);
  const b = new Float32Array(tables * k);
  for (let i = 0; i < b.length; i++) b[i] = rng() * width;
  return { tables, k, width, dim, a, b };
}

/**
 * For one table: the vector indices sorted by bucket, and run boundaries.
 * Returns `order` (indices grouped by bucket) and `starts` (bucket start offsets, with a final sentinel).
 * With `indices`, hashes the vectors they name (count of them), and `order` indexes into `indices`.
 */
export function bucketize(lsh: LshTables, t: number, vectors: Float32Array, count: number, indices?: Int32Array): { order: Int32Array; starts: Int32Array } {
  const { k, dim, a, b, width } = lsh;
  const keys = new Int32Array(count);
  const inv = 1 / width;
  // The projections are the scan's costliest loop: four running sums (independent additions) take ~35% less time.
  const d4 = dim & ~3;
  for (let i = 0; i < count; i++) {
    let h = 0x811c9dc5 | 0;
    const v = (indices ? indices[i]! : i) * dim;
    for (let j = 0; j < k; j++) {
      const row = (t * k + j) * dim;
      let s0 = b[t * k + j]!, s1 = 0, s2 = 0, s3 = 0, d = 0;
      for (; d < d4; d += 4) {
        s0 += a[row + d]! * vectors[v + d]!;
        s1 += a[row + d + 1]! * vectors[v + d + 1]!;
        s2 += a[row + d + 2]! * vectors[v + d + 2]!;
        s3 += a[row + d + 3]! * vectors[v + d + 3]!;
      }
      for (; d < dim; d++) s0 += a[row + d]! * vectors[v + d]!;
      const q = Math.floor((s0 + s1 + s2 + s3) * inv) | 0;
      h = Math.imul(h ^ q, 0x01000193);
      h ^= h >>> 15;
    }
    keys[i] = h;
  }
  const order = orderByKey(keys, count < 1 << 21 ? 0 : 0x80000000);
  const starts: number[] = [];
  for (let i = 0; i < count; i++) if (i === 0 || keys[order[i]!] !== keys[order[i - 1]!]) starts.push(i);
  starts.push(count);
  return { order, starts: Int32Array.from(starts) };
}

/**
 * Indices 0..n-1 ordered by key, then by index. A key is read unsigned after XOR with `flip` (0: unsigned order;
 * 0x80000000: signed order, which bucketize uses from 2^21 keys on). Any order that keeps equal keys together
 * makes the same buckets; the order of the buckets decides the order in which pairs are listed.
 * Small sets sort (key, index) packed in one double; large ones go through a stable radix sort, three passes of
 * 11 bits, which gives the same order in time linear in n (on the dataset-wide windows a comparison sort took
 * a sixth to a half of the bucketing time).
 */
export function orderByKey(keys: Int32Array, flip: number): Int32Array {
  const n = keys.length;
  const order = new Int32Array(n);
  if (n < RADIX_FROM) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = ((keys[i]! ^ flip) >>> 0) * 2097152 + i;
    packed.sort();
    for (let i = 0; i < n; i++) order[i] = packed[i]! % 2097152;
    return order;
  }
  // Keys travel with their indices (no gather); the three passes' counts are taken in one read.
  let ku = new Uint32Array(n), kv = new Uint32Array(n);
  let src = order, dst = new Int32Array(n);
  const count = new Int32Array(3 * 2048);
  for (let i = 0; i < n; i++) {
    const u = (keys[i]! ^ flip) >>> 0;
    ku[i] = u;
    src[i] = i;
    count[u & 2047]!++;
    count[2048 + ((u >>> 11) & 2047)]!++;
    count[4096 + (u >>> 22)]!++;
  }
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048, shift = pass * 11;
    for (let b = 0, sum = 0; b < 2048; b++) {
      const c = count[base + b]!;
      count[base + b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const u = ku[i]!;
      const at = count[base + ((u >>> shift) & 2047)]!++;
      kv[at] = u;
      dst[at] = src[i]!;
    }
    [src, dst] = [dst, src];
    [ku, kv] = [kv, ku];
  }
  return src;
}

/** From this many keys the radix sort is the faster (measured: the packed sort wins on small buckets). */
const RADIX_FROM = 2048;
