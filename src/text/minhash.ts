// MinHash signatures of documents' word pairs: Jaccard similarity estimated from K values per document, so that
// grouping and near-duplicate search never compare word sets pairwise.

export const MINHASH_K = 16;

function mix(x: number, seed: number): number {
  let h = Math.imul(x ^ seed, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** K minimum hashes over the document's token bigrams (unigrams for one-token documents), flattened. */
export function minhashSignatures(docs: Int32Array[]): Uint32Array {
  const out = new Uint32Array(docs.length * MINHASH_K).fill(0xffffffff);
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const o = i * MINHASH_K;
    const n = d.length > 1 ? d.length - 1 : d.length;
    for (let t = 0; t < n; t++) {
      const key = d.length > 1 ? Math.imul(d[t]!, 0x9e3779b1) ^ d[t + 1]! : d[t]!;
      for (let k = 0; k < MINHASH_K; k++) {
        const h = mix(key, 0x1234567 * (k + 1));
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
