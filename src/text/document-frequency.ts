// Distinct documents per token id. Several tests of one scan read the same documents' frequencies: the last count
// per array of documents is kept (while the array lives) and served as a copy.

const kept = new WeakMap<Int32Array[], { documents: number; df: Int32Array }>();

/** Distinct documents per token id (`size`: above every id, sizing the array; larger ids are not counted). */
export function documentFrequency(docs: Int32Array[], size: number): Int32Array {
  const known = kept.get(docs);
  // A count over a larger size holds this one's ids with the same counts.
  if (known && known.documents === docs.length && known.df.length >= size) return known.df.slice(0, size);
  const df = new Int32Array(size);
  const last = new Int32Array(size).fill(-1);
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    for (let t = 0; t < d.length; t++) {
      const x = d[t]!;
      if (x < 0 || x >= size || last[x] === i) continue;
      last[x] = i;
      df[x]!++;
    }
  }
  kept.set(docs, { documents: docs.length, df });
  return df.slice();
}
