// A class's search direction refined from a start: the mean of the rows that stand out along it (at least the top
// 1%) minus the rest's, again until the top set settles. The contrast and sphered starts share it, each with its own
// way of scoring rows along a direction.
import { markTop } from './select.js';
import { TAIL_Z } from './template.js';

/** Refinements at most; they stop early once the top set no longer changes. */
const REFINE = 10;

/** Rows' robust z along a direction (row t's values at y[t * m .. t * m + m)). */
export type ScoreAlong = (y: Float64Array, m: number, rows: number[], dir: Float64Array) => Float32Array;

export function refineTail(y: Float64Array, m: number, rows: number[], start: Float64Array, score: ScoreAlong): Float64Array {
  const n = rows.length;
  let dir = start;
  let previous: Uint8Array | undefined;
  for (let round = 0; round < REFINE; round++) {
    const z = score(y, m, rows, dir);
    let top = 0;
    for (let q = 0; q < n; q++) if (z[q]! >= TAIL_Z) top++;
    top = Math.min(n - 1, Math.max(top, Math.ceil(0.01 * n)));
    const inTop = new Uint8Array(n);
    markTop(z, top, inTop);
    if (previous && inTop.every((v, q) => v === previous![q])) break;
    previous = inTop;
    const next = new Float64Array(m);
    rows.forEach((t, q) => {
      const k = inTop[q] ? 1 / top : -1 / (n - top);
      const o = t * m;
      for (let c = 0; c < m; c++) next[c] += k * y[o + c]!;
    });
    dir = next;
  }
  return dir;
}
