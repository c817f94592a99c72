// Documents that share most of their words (phrases cut from one sentence, one template filled twice, copied
// boilerplate) are one piece of evidence, not several: union-find over word-pair overlap.

/** Two documents whose unmasked bigrams overlap this much (of the smaller one) come from one source. */
const SAME_SOURCE = 0.5;

/** Rows up to which the pairwise pass is run as it is. */
const PAIRWISE_ROWS = 24;

/** Scratch reused across calls (grown as needed): the rows' bigram keys and their ids, and a hash of the keys. */
let keyBuf = new Float64Array(1024);
let idBuf = new Int32Array(1024);
let slotKeys = new Float64Array(2048);
let slotIds = new Int32Array(2048).fill(-1);
let usedSlots = new Int32Array(1024);

/** The id of each key in keys[0..n) (distinct keys numbered in order of first appearance); returns how many. */
function keyIds(keys: Float64Array, n: number, ids: Int32Array): number {
  let size = 2048;
  while (size < 2 * n) size *= 2;
  if (slotKeys.length < size) {
    slotKeys = new Float64Array(size);
    slotIds = new Int32Array(size).fill(-1);
  }
  if (usedSlots.length < n) usedSlots = new Int32Array(n);
  const mask = size - 1;
  let distinct = 0;
  for (let j = 0; j < n; j++) {
    const key = keys[j]!;
    let h = Math.imul((key >>> 0) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b1), 0x85ebca6b);
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const id = slotIds[h]!;
      if (id < 0) {
        slotIds[h] = distinct;
        slotKeys[h] = key;
        usedSlots[distinct] = h;
        ids[j] = distinct++;
        break;
      }
      if (slotKeys[h] === key) {
        ids[j] = id;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  for (let k = 0; k < distinct; k++) slotIds[usedSlots[k]!] = -1;
  return distinct;
}

/**
 * Union-find over the judged documents: two are one source when their unmasked bigrams overlap a lot. The groups and
 * each group's representative (its root) are those of a full pairwise pass in order (for each row, the rows after
 * it in ascending order, joined when they overlap enough and are not yet one group); that pass is run through
 * the rows that share a bigram, or row by row where most of the rows after one hold its bigrams (near copies).
 */
export function groupBySource(judged: number[], masks: Uint8Array[], docs: Int32Array[]): Int32Array {
  const m = judged.length;
  const parent = new Int32Array(m);
  for (let k = 0; k < m; k++) parent[k] = k;
  const find = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]!]!;
    return k;
  };
  // Each document's distinct bigrams over the masked text, sorted, in one flat array (row k: off[k]..off[k+1]).
  let total = 0;
  for (const i of judged) total += docs[i]!.length;
  if (keyBuf.length < total) keyBuf = new Float64Array(Math.max(total, 2 * keyBuf.length));
  const keys = keyBuf;
  const off = new Int32Array(m + 1);
  let at = 0;
  for (let k = 0; k < m; k++) {
    const d = docs[judged[k]!]!;
    const mask = masks[k]!;
    const from = at;
    let prev = -1;
    for (let t = 0; t < d.length; t++) {
      if (mask[t]) continue;
      // Bigrams over the masked text: the trigger's removal must not make two copies look different.
      if (prev >= 0) keys[at++] = prev * 1_000_003 + d[t]!;
      prev = d[t]!;
    }
    if (at - from > 1) {
      keys.subarray(from, at).sort();
      let distinct = from + 1;
      for (let j = from + 1; j < at; j++) if (keys[j] !== keys[distinct - 1]) keys[distinct++] = keys[j]!;
      at = distinct;
    }
    off[k + 1] = at;
  }
  if (m <= PAIRWISE_ROWS) {
    // A few rows: the pairwise pass itself.
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
      const lenA = off[a + 1]! - off[a]!;
      const lenB = off[b + 1]! - off[b]!;
      if (lenA === 0 || lenB === 0 || find(a) === find(b)) continue;
      if (sharedKeys(keys, off[a]!, off[a + 1]!, off[b]!, off[b + 1]!) >= SAME_SOURCE * Math.min(lenA, lenB)) parent[find(a)] = find(b);
    }
    return joinSingles(judged, masks, docs, off, parent, find);
  }
  if (idBuf.length < at) idBuf = new Int32Array(Math.max(at, 2 * idBuf.length));
  const ids = idBuf;
  const K = keyIds(keys, at, ids);
  // The rows holding each key, ascending (CSR), and per key how many of its rows have been passed.
  const start = new Int32Array(K + 1);
  for (let j = 0; j < at; j++) start[ids[j]! + 1]!++;
  for (let x = 0; x < K; x++) start[x + 1]! += start[x]!;
  const holders = new Int32Array(at);
  const passed = new Int32Array(K);
  for (let k = 0; k < m; k++) for (let j = off[k]!; j < off[k + 1]!; j++) holders[start[ids[j]!]! + passed[ids[j]!]!++] = k;
  passed.fill(0);
  const shared = new Int32Array(m);
  const touched: number[] = [];
  for (let a = 0; a < m; a++) {
    const lenA = off[a + 1]! - off[a]!;
    // The rows after a that hold its bigrams, counted with repeats (the cost of reading them through the keys).
    let visits = 0;
    for (let j = off[a]!; j < off[a + 1]!; j++) {
      const x = ids[j]!;
      visits += start[x + 1]! - start[x]! - passed[x]! - 1;
      passed[x]!++;
    }
    if (visits === 0) continue;
    const after = m - a - 1;
    if (visits > 2 * after) {
      // Most rows after a share its bigrams: row by row, as the pairwise pass (rows already one group skipped).
      for (let b = a + 1; b < m; b++) {
        const lenB = off[b + 1]! - off[b]!;
        if (lenB === 0 || find(a) === find(b)) continue;
        if (sharedKeys(keys, off[a]!, off[a + 1]!, off[b]!, off[b + 1]!) >= SAME_SOURCE * Math.min(lenA, lenB)) parent[find(a)] = find(b);
      }
      continue;
    }
    for (let j = off[a]!; j < off[a + 1]!; j++) {
      const x = ids[j]!;
      // a's own place among the key's holders is passed[x] - 1: those after it follow.
      for (let h = start[x]! + passed[x]!; h < start[x + 1]!; h++) {
        const b = holders[h]!;
        if (shared[b]!++ === 0) touched.push(b);
      }
    }
    if (touched.length > 1) touched.sort((x, y) => x - y);
    for (const b of touched) {
      // Two already in one group gain nothing from a comparison.
      if (shared[b]! >= SAME_SOURCE * Math.min(lenA, off[b + 1]! - off[b]!) && find(a) !== find(b)) parent[find(a)] = find(b);
      shared[b] = 0;
    }
    touched.length = 0;
  }
  return joinSingles(judged, masks, docs, off, parent, find);
}

/**
 * A row with a single word left has no pair: it is one source with a row holding that word next to the unit
 * (phrases cut from one sentence: "W ." within "about W ."). Returns each row's root.
 */
function joinSingles(judged: number[], masks: Uint8Array[], docs: Int32Array[], off: Int32Array, parent: Int32Array, find: (k: number) => number): Int32Array {
  const m = judged.length;
  const single: number[] = [];
  for (let a = 0; a < m; a++) if (off[a + 1] === off[a]) single.push(a);
  if (single.length > 0) {
    // Rows by the words next to their unit, so that a row is compared only with those it shares one with.
    const edgeKeys = judged.map((i, k) => unitEdgeKeys(docs[i]!, masks[k]!));
    const holders = new Map<number, number[]>();
    for (let b = 0; b < m; b++) for (const key of edgeKeys[b]!) {
      const list = holders.get(key);
      if (list) list.push(b);
      else holders.set(key, [b]);
    }
    // Keys whose rows are all one group already (groups only ever merge): a row holding only such keys is in that
    // group too, and joins nothing.
    const joined = new Set<number>();
    for (const a of single) {
      const keys = edgeKeys[a]!;
      if (keys.length === 0) continue;
      let all = true;
      for (const key of keys) if (!joined.has(key)) all = false;
      if (all) continue;
      const near = keys.length === 1 ? holders.get(keys[0]!)! : [...new Set(Array.from(keys, (key) => holders.get(key)!).flat())].sort((x, y) => x - y);
      for (const b of near) {
        if (b === a || find(a) === find(b)) continue;
        parent[find(a)] = find(b);
      }
      for (const key of keys) joined.add(key);
    }
  }
  for (let k = 0; k < m; k++) parent[k] = find(k);
  return parent;
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

/** Elements two sorted runs of distinct values, A[a0..a1) and B[b0..b1), have in common. */
function sharedInRuns(A: Float64Array, a0: number, a1: number, B: Float64Array, b0: number, b1: number): number {
  let i = a0;
  let j = b0;
  let shared = 0;
  while (i < a1 && j < b1) {
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

/** Elements two sorted runs of distinct values in one array, keys[a0..a1) and keys[b0..b1), have in common. */
function sharedKeys(keys: Float64Array, a0: number, a1: number, b0: number, b1: number): number {
  return sharedInRuns(keys, a0, a1, keys, b0, b1);
}

/** Elements two sorted arrays of distinct values have in common. */
export function sharedCount(A: Float64Array, B: Float64Array): number {
  return sharedInRuns(A, 0, A.length, B, 0, B.length);
}
