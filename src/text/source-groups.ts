// Documents that share most of their words (SST-2's phrases of one sentence, one template filled twice, copied
// boilerplate) are one piece of evidence, not several: union-find over word-pair overlap.

/** Two documents whose unmasked bigrams overlap this much (of the smaller one) come from one source. */
const SAME_SOURCE = 0.5;

/** Union-find over the judged documents: two are one source when their unmasked bigrams overlap a lot. */
export function groupBySource(judged: number[], masks: Uint8Array[], docs: Int32Array[]): Int32Array {
  const m = judged.length;
  const parent = Int32Array.from({ length: m }, (_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]!]!;
    return k;
  };
  // Each document's distinct bigrams over the masked text.
  const sets = judged.map((i, k) => {
    const d = docs[i]!;
    const mask = masks[k]!;
    const keys = new Float64Array(d.length);
    let size = 0;
    let prev = -1;
    for (let t = 0; t < d.length; t++) {
      if (mask[t]) continue;
      // Bigrams over the masked text: the trigger's removal must not make two copies look different.
      if (prev >= 0) keys[size++] = prev * 1_000_003 + d[t]!;
      prev = d[t]!;
    }
    const sorted = keys.subarray(0, size).sort();
    let distinct = 0;
    for (let j = 0; j < size; j++) if (j === 0 || sorted[j] !== sorted[j - 1]) sorted[distinct++] = sorted[j]!;
    return sorted.subarray(0, distinct);
  });
  // Each pair that shares a bigram, found from the bigrams' holders, in the order of a full pairwise pass (a
  // pair sharing none is never joined, so the groups are the same).
  const holders = new Map<number, number[]>();
  for (let b = 0; b < m; b++) for (const key of sets[b]!) {
    const list = holders.get(key);
    if (list) list.push(b);
    else holders.set(key, [b]);
  }
  const shared = new Int32Array(m);
  const touched: number[] = [];
  for (let a = 0; a < m; a++) {
    const A = sets[a]!;
    for (const key of A) for (const b of holders.get(key)!) if (b > a && shared[b]++ === 0) touched.push(b);
    touched.sort((x, y) => x - y);
    for (const b of touched) {
      // Two already in one group gain nothing from a comparison.
      if (shared[b]! >= SAME_SOURCE * Math.min(A.length, sets[b]!.length) && find(a) !== find(b)) parent[find(a)] = find(b);
      shared[b] = 0;
    }
    touched.length = 0;
  }
  // A row with a single word left has no pair: it is one source with a row holding that word next to the unit
  // (SST-2's phrases cut from one sentence: "eisenhower ." within "about eisenhower .").
  const single: number[] = [];
  for (let a = 0; a < m; a++) if (sets[a]!.length === 0) single.push(a);
  if (single.length > 0) {
    // Rows by the words next to their unit, so that a row is compared only with those it shares one with.
    const edgeKeys = judged.map((i, k) => unitEdgeKeys(docs[i]!, masks[k]!));
    const holders = new Map<number, number[]>();
    for (let b = 0; b < m; b++) for (const key of edgeKeys[b]!) {
      const list = holders.get(key);
      if (list) list.push(b);
      else holders.set(key, [b]);
    }
    for (const a of single) {
      const keys = edgeKeys[a]!;
      if (keys.length === 0) continue;
      const near = keys.length === 1 ? holders.get(keys[0]!)! : [...new Set(Array.from(keys, (key) => holders.get(key)!).flat())].sort((x, y) => x - y);
      for (const b of near) {
        if (b === a || find(a) === find(b)) continue;
        parent[find(a)] = find(b);
      }
    }
  }
  const out = new Int32Array(m);
  for (let k = 0; k < m; k++) out[k] = find(k);
  return out;
}

/** The words next to the masked unit, as sorted distinct keys (before it and after it apart). */
function unitEdgeKeys(d: Int32Array, mask: Uint8Array): Float64Array {
  const keys: number[] = [];
  for (let t = 0; t < d.length; t++) {
    if (mask[t]) continue;
    if (t + 1 < d.length && mask[t + 1]) keys.push(2 * d[t]!);
    if (t > 0 && mask[t - 1]) keys.push(2 * d[t]! + 1);
  }
  return Float64Array.from(new Set(keys)).sort();
}


/** Elements two sorted arrays of distinct values have in common. */
export function sharedCount(A: Float64Array, B: Float64Array): number {
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < A.length && j < B.length) {
    const x = A[i]!;
    const y = B[j]!;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared;
}
