// MinHash signatures of documents' word pairs: Jaccard similarity estimated from K values per document, so that
// grouping and near-duplicate search never compare word sets pairwise.
import { PairIndex } from './key-index.js';

export const MINHASH_K = 16;
/** Most entries of the per-word hash table (words times hashes). */
const WORD_TABLE = 1 << 23;

function mix(x: number, seed: number): number {
  let h = Math.imul(x ^ seed, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * K minimum hashes over the document's token bigrams (unigrams for one-token documents), flattened. With
 * `words`, over its distinct tokens: one inserted word moves a short text's word set far less than its pairs.
 */
export function minhashSignatures(docs: Int32Array[], shingles: 'pairs' | 'words' = 'pairs', K = MINHASH_K): Uint32Array {
  const out = new Uint32Array(docs.length * K).fill(0xffffffff);
  const seeds = Int32Array.from({ length: K }, (_, k) => 0x1234567 * (k + 1));
  // A word's K hashes are the same in every document: computed once per word, where the table stays small.
  let maxWord = -1;
  for (const d of docs) if (shingles === 'words' || d.length <= 1) for (let t = 0; t < d.length; t++) if (d[t]! > maxWord) maxWord = d[t]!;
  const table = (maxWord + 1) * K <= WORD_TABLE ? new Uint32Array((maxWord + 1) * K) : null;
  const filled = table ? new Uint8Array(maxWord + 1) : null;
  // A document's pair keys, hashed K times each with the running minimum held per hash.
  let keys = new Int32Array(1024);
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const o = i * K;
    const pairs = shingles === 'pairs' && d.length > 1;
    const n = pairs ? d.length - 1 : d.length;
    if (pairs) {
      if (keys.length < n) keys = new Int32Array(Math.max(n, keys.length * 2));
      for (let t = 0; t < n; t++) keys[t] = Math.imul(d[t]!, 0x9e3779b1) ^ d[t + 1]!;
      for (let k = 0; k < K; k++) {
        const seed = seeds[k]!;
        let min = out[o + k]!;
        for (let t = 0; t < n; t++) {
          const h = mix(keys[t]!, seed);
          if (h < min) min = h;
        }
        out[o + k] = min;
      }
      continue;
    }
    for (let t = 0; t < n; t++) {
      if (table && d[t]! >= 0) {
        const w = d[t]!;
        const at = w * K;
        if (!filled![w]) {
          for (let k = 0; k < K; k++) table[at + k] = mix(w, seeds[k]!);
          filled![w] = 1;
        }
        for (let k = 0; k < K; k++) {
          const h = table[at + k]!;
          if (h < out[o + k]!) out[o + k] = h;
        }
        continue;
      }
      const key = d[t]!;
      for (let k = 0; k < K; k++) {
        const h = mix(key, seeds[k]!);
        if (h < out[o + k]!) out[o + k] = h;
      }
    }
  }
  return out;
}

/** Estimated Jaccard similarity of documents a and b. */
export function similarity(sig: Uint32Array, a: number, b: number): number {
  let same = 0;
  for (let k = 0; k < MINHASH_K; k++) if (sig[a * MINHASH_K + k] === sig[b * MINHASH_K + k]) same++;
  return same / MINHASH_K;
}

/** Union-find over the given documents: one group where estimated similarity reaches `threshold`. */
export function groupBySignature(ids: number[], sig: Uint32Array, threshold: number): Int32Array {
  const m = ids.length;
  const parent = Int32Array.from({ length: m }, (_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]!]!;
    return k;
  };
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
    if (find(a) === find(b)) continue;
    if (similarity(sig, ids[a]!, ids[b]!) >= threshold) parent[find(a)] = find(b);
  }
  const out = new Int32Array(m);
  for (let k = 0; k < m; k++) out[k] = find(k);
  return out;
}

/**
 * Candidate pairs by locality-sensitive hashing: documents that agree on all `rows` values of any of the
 * K / rows bands share a bucket. Buckets above maxBucket (one text repeated thousands of times) are skipped:
 * exact copies are found before this.
 */
export function lshCandidatePairs(ids: number[], sig: Uint32Array, rows: number, maxBucket: number, K = MINHASH_K): [number, number][] {
  const out: [number, number][] = [];
  forEachCandidatePair(ids, sig, rows, maxBucket, K, (a, b) => out.push([a, b]));
  return out;
}

/**
 * lshCandidatePairs one pair at a time, in the same order, without holding them. A pair is given once, in the first
 * band where the two share a bucket of at most maxBucket documents: a later band checks the earlier ones' values.
 */
export function forEachCandidatePair(ids: number[], sig: Uint32Array, rows: number, maxBucket: number, K: number, f: (a: number, b: number) => void): void {
  const N = sig.length / K;
  // Per band, whether each document's bucket was read (2 to maxBucket documents).
  const read: Uint8Array[] = [];
  const metBefore = (a: number, b: number, bands: number): boolean => {
    for (let e = 0; e < bands; e++) {
      if (!read[e]![a]) continue;
      let same = true;
      for (let r = 0; r < rows && same; r++) same = sig[a * K + e * rows + r] === sig[b * K + e * rows + r];
      if (same) return true;
    }
    return false;
  };
  // A bucket is the chain of its band's values through one pair table per value (exact: no two bands' values
  // share a bucket by a hash collision); buckets are read in the order their first document was met.
  const m = ids.length;
  // Each document's bucket so far (chained through the band's values), and the next value's, swapped per value.
  let bucketOf = new Int32Array(m);
  let next = new Int32Array(m);
  // One table for every value of every band, emptied in between.
  const table = new PairIndex(m);
  for (let band = 0, index = 0; band + rows <= K; band += rows, index++) {
    bucketOf.fill(-1);
    for (let r = 0; r < rows; r++) {
      table.clear();
      for (let x = 0; x < m; x++) next[x] = table.getOrAdd(bucketOf[x]! + 1, sig[ids[x]! * K + band + r]! | 0);
      [bucketOf, next] = [next, bucketOf];
    }
    let buckets = 0;
    for (let x = 0; x < m; x++) if (bucketOf[x]! >= buckets) buckets = bucketOf[x]! + 1;
    // Each bucket's documents in the order given, in one flat list.
    const start = new Int32Array(buckets + 1);
    for (let x = 0; x < m; x++) start[bucketOf[x]! + 1]!++;
    for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
    const members = new Int32Array(m);
    const fill = start.slice(0, buckets);
    for (let x = 0; x < m; x++) members[fill[bucketOf[x]!]!++] = ids[x]!;
    const readHere = new Uint8Array(N);
    for (let b = 0; b < buckets; b++) {
      const from = start[b]!;
      const size = start[b + 1]! - from;
      if (size < 2 || size > maxBucket) continue;
      for (let x = from; x < from + size; x++) readHere[members[x]!] = 1;
      for (let x = from; x < from + size; x++) for (let y = x + 1; y < from + size; y++) {
        if (metBefore(members[x]!, members[y]!, index)) continue;
        f(members[x]!, members[y]!);
      }
    }
    read.push(readHere);
  }
}
