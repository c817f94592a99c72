import { describe, expect, it } from 'vitest';
import { groupBySource } from '../src/text/source-groups.js';
import { createRng, randInt } from '../src/util/rng.js';

/** The definition: every pair in order, joined when their masked bigrams overlap by half of the smaller set. */
function pairwise(judged: number[], masks: Uint8Array[], docs: Int32Array[]): Int32Array {
  const m = judged.length;
  const parent = Int32Array.from({ length: m }, (_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]!]!;
    return k;
  };
  const sets = judged.map((i, k) => {
    const d = docs[i]!;
    const keys: number[] = [];
    let prev = -1;
    for (let t = 0; t < d.length; t++) {
      if (masks[k]![t]) continue;
      if (prev >= 0) keys.push(prev * 1_000_003 + d[t]!);
      prev = d[t]!;
    }
    return new Set(keys);
  });
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
    const A = sets[a]!;
    const B = sets[b]!;
    const small = Math.min(A.size, B.size);
    if (small === 0 || find(a) === find(b)) continue;
    let shared = 0;
    for (const x of A) if (B.has(x)) shared++;
    if (shared >= 0.5 * small) parent[find(a)] = find(b);
  }
  // A row left with one word: one source with every row holding that word next to the unit.
  const edges = judged.map((i, k) => {
    const d = docs[i]!;
    const mask = masks[k]!;
    const keys = new Set<number>();
    for (let t = 0; t < d.length; t++) {
      if (mask[t]) continue;
      if (t + 1 < d.length && mask[t + 1]) keys.add(2 * d[t]!);
      if (t > 0 && mask[t - 1]) keys.add(2 * d[t]! + 1);
    }
    return keys;
  });
  for (let a = 0; a < m; a++) {
    if (sets[a]!.size > 0 || edges[a]!.size === 0) continue;
    for (let b = 0; b < m; b++) {
      if (b === a || find(a) === find(b) || ![...edges[a]!].some((x) => edges[b]!.has(x))) continue;
      parent[find(a)] = find(b);
    }
  }
  return Int32Array.from({ length: m }, (_, k) => find(k));
}

describe('groupBySource', () => {
  it('gives the groups and representatives of the pairwise pass, on near copies, unrelated rows and one-word rows', () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 60; trial++) {
      const unit = 1;
      const templates = Array.from({ length: 1 + randInt(rng, 4) }, () => Array.from({ length: 4 + randInt(rng, 10) }, () => 2 + randInt(rng, 30)));
      const docs: Int32Array[] = [];
      const n = 5 + randInt(rng, 120);
      for (let i = 0; i < n; i++) {
        const kind = randInt(rng, 4);
        let words: number[];
        if (kind === 0) words = [2 + randInt(rng, 40)]; // one word besides the unit
        else if (kind === 1) words = Array.from({ length: 3 + randInt(rng, 8) }, () => 2 + randInt(rng, 200));
        else words = templates[randInt(rng, templates.length)]!.map((w) => (randInt(rng, 5) === 0 ? 2 + randInt(rng, 200) : w));
        const at = randInt(rng, words.length + 1);
        docs.push(Int32Array.from([...words.slice(0, at), unit, ...words.slice(at)]));
      }
      const judged = Array.from({ length: n }, (_, i) => i).filter(() => randInt(rng, 6) > 0);
      const masks = judged.map((i) => Uint8Array.from(docs[i]!, (w) => (w === unit ? 1 : 0)));
      expect(Array.from(groupBySource(judged, masks, docs))).toEqual(Array.from(pairwise(judged, masks, docs)));
    }
  });
});
