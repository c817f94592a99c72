/** Distinct documents per token id (`size`: above every id, sizing the array). */
export function documentFrequency(docs: Int32Array[], size: number): Int32Array {
  const df = new Int32Array(size);
  const last = new Int32Array(size).fill(-1);
  docs.forEach((d, i) => {
    for (const x of d) if (last[x] !== i) {
      last[x] = i;
      df[x]!++;
    }
  });
  return df;
}
