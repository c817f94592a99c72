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
  // Large candidates are topic words (skipped by MAX_SHARE); the pairwise pass stays small.
  const sets = judged.map((i, k) => {
    const d = docs[i]!;
    const mask = masks[k]!;
    const s = new Set<number>();
    let prev = -1;
    for (let t = 0; t < d.length; t++) {
      if (mask[t]) continue;
      // Bigrams over the masked text: the trigger's removal must not make two copies look different.
      if (prev >= 0) s.add(prev * 1_000_003 + d[t]!);
      prev = d[t]!;
    }
    return s;
  });
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
    const A = sets[a]!;
    const B = sets[b]!;
    const small = A.size <= B.size ? A : B;
    const big = small === A ? B : A;
    if (small.size === 0) continue;
    let shared = 0;
    for (const x of small) if (big.has(x)) shared++;
    if (shared >= SAME_SOURCE * small.size) parent[find(a)] = find(b);
  }
  const out = new Int32Array(m);
  for (let k = 0; k < m; k++) out[k] = find(k);
  return out;
}

