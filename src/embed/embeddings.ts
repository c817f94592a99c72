// Per-sample embedding vectors, n x dim, row i belonging to sample i of the scan.
import { UsageError } from '../types.js';
import type { Cell } from '../model/cell.js';
import type { Embeddings } from '../model/embeddings.js';

export type { Embeddings } from '../model/embeddings.js';

/**
 * Reads one embedding per row from a column of numbers (a list, or a Float32/Float64 typed array from Arrow).
 * Every bad case is a usage error, raised before any long work: a missing or non-numeric vector, a length that
 * differs from the first row's, NaN or infinity.
 */
export function embeddingsFromColumn(cells: Cell[], column: string, ids: string[]): Embeddings {
  let dim = -1;
  const rows: ArrayLike<unknown>[] = [];
  cells.forEach((c, i) => {
    const v = c as unknown;
    const arr = Array.isArray(v) || ArrayBuffer.isView(v) ? (v as ArrayLike<unknown>) : null;
    if (!arr) throw new UsageError(`${column} of sample ${ids[i]} is not a list of numbers`);
    if (dim < 0) dim = arr.length;
    if (arr.length !== dim || dim === 0) throw new UsageError(`${column} of sample ${ids[i]} has ${arr.length} values, the first sample's has ${dim}`);
    rows.push(arr);
  });
  const data = new Float32Array(rows.length * Math.max(0, dim));
  rows.forEach((r, i) => {
    for (let k = 0; k < dim; k++) {
      const x = Number(r[k]);
      if (!Number.isFinite(x)) throw new UsageError(`${column} of sample ${ids[i]} holds ${String(r[k])} at position ${k}`);
      data[i * dim + k] = x;
    }
  });
  return { dim, data };
}

/** The rows of `e` for the given sample positions, in that order. */
export function selectRows(e: Embeddings, rows: number[]): Embeddings {
  const data = new Float32Array(rows.length * e.dim);
  rows.forEach((r, i) => data.set(e.data.subarray(r * e.dim, (r + 1) * e.dim), i * e.dim));
  return { dim: e.dim, data };
}
