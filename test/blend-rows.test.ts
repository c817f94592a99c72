import { describe, expect, it } from 'vitest';
import { addRow, addRows, addRowsMany, dotRow, dotRows, dotRowsMany } from '../src/detect/blend/rows.js';
import { createRng } from '../src/util/rng.js';

describe('blend row kernels', () => {
  const rng = createRng(7);
  const d = 37;
  const n = 11;
  const x = Int16Array.from({ length: n * d }, () => Math.round((rng() - 0.5) * 60000));
  const v = Float64Array.from({ length: d }, () => rng() - 0.5);
  const rows = [3, 0, 10, 7, 7, 1, 9];

  it('four rows at a time give exactly the sums of one row at a time', () => {
    const got = new Float64Array(rows.length);
    dotRows(x, rows, v, d, got);
    rows.forEach((r, t) => expect(got[t]).toBe(dotRow(x, r * d, v, d)));
  });

  it('adds rows into an output in the same order, to the last bit', () => {
    const k = Float64Array.from(rows, () => rng() * 3 - 1.5);
    const want = Float64Array.from(v);
    rows.forEach((r, t) => addRow(want, k[t]!, x, r * d, d));
    const got = Float64Array.from(v);
    addRows(got, k, x, rows, d);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('gives each of several vectors and outputs exactly what one at a time gives', () => {
    for (const count of [1, 3, 4, 6, 9]) {
      const vs = Array.from({ length: count }, () => Float64Array.from({ length: d }, () => rng() - 0.5));
      const outs = vs.map(() => new Float64Array(rows.length));
      dotRowsMany(x, rows, vs, d, outs);
      vs.forEach((vj, j) => {
        const want = new Float64Array(rows.length);
        dotRows(x, rows, vj, d, want);
        expect(Array.from(outs[j]!)).toEqual(Array.from(want));
      });
      const ks = vs.map(() => Float64Array.from(rows, () => rng() * 3 - 1.5));
      const ws = vs.map((vj) => Float64Array.from(vj));
      addRowsMany(ws, ks, x, rows, d);
      vs.forEach((vj, j) => {
        const want = Float64Array.from(vj);
        addRows(want, ks[j]!, x, rows, d);
        expect(Array.from(ws[j]!)).toEqual(Array.from(want));
      });
    }
  });
});
