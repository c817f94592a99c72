// An n-gram whose every document has the same word next to it is part of a longer unit: "walked the table" in
// forty rows that all read "the old river walked the table on tuesday" is that sentence, cut short by the
// n-gram length. Such n-grams are replaced by the whole run their documents share (of any length), so an
// inserted sentence is judged as one unit, with the words around it (random places) as its neighbours rather
// than its own words.

/** Position of the first occurrence of g in d, or -1. */
export function firstOccurrence(d: Int32Array, g: readonly number[]): number {
  for (let s = 0; s + g.length <= d.length; s++) {
    let hit = true;
    for (let t = 0; t < g.length && hit; t++) hit = d[s + t] === g[t];
    if (hit) return s;
  }
  return -1;
}

/**
 * The tokens of the longest run around g that every one of `docIds` holds at its first occurrence of g (g
 * itself when its documents differ on both sides).
 */
export function maximalRun(docs: Int32Array[], docIds: readonly number[], g: readonly number[], starts: Int32Array): number[] {
  if (docIds.length === 0) return [...g];
  for (let k = 0; k < docIds.length; k++) starts[k] = firstOccurrence(docs[docIds[k]!]!, g);
  let left = 0;
  for (;;) {
    let w = -1;
    let same = true;
    for (let k = 0; k < docIds.length && same; k++) {
      const p = starts[k]! - left - 1;
      const x = p >= 0 ? docs[docIds[k]!]![p]! : -1;
      if (x < 0 || (w >= 0 && x !== w)) same = false;
      w = x;
    }
    if (!same) break;
    left++;
  }
  let right = 0;
  for (;;) {
    let w = -1;
    let same = true;
    for (let k = 0; k < docIds.length && same; k++) {
      const d = docs[docIds[k]!]!;
      const p = starts[k]! + g.length + right;
      const x = p < d.length ? d[p]! : -1;
      if (x < 0 || (w >= 0 && x !== w)) same = false;
      w = x;
    }
    if (!same) break;
    right++;
  }
  if (left === 0 && right === 0) return [...g];
  const d0 = docs[docIds[0]!]!;
  return Array.from(d0.subarray(starts[0]! - left, starts[0]! + g.length + right));
}
