import { describe, expect, it } from 'vitest';
import { RowCursor } from '../src/ingest/row-cursor.js';

describe('RowCursor', () => {
  it('reads items by position in one pass when asked in order, holds out-of-order ones, restarts when asked behind', async () => {
    let opened = 0;
    const c = new RowCursor<number | null>(async function* () {
      opened++;
      for (let i = 0; i < 100; i++) yield i % 10 === 9 ? null : i * 2;
    }, 4);
    expect(await Promise.all([0, 1, 2, 3].map((k) => c.at(k)))).toEqual([0, 2, 4, 6]);
    expect(opened).toBe(1);
    // Out of order within the window: 6 before 5 keeps 5.
    expect(await Promise.all([c.at(6), c.at(5), c.at(9)])).toEqual([12, 10, null]);
    expect(opened).toBe(1);
    // Behind the cursor: the sequence starts again.
    expect(await c.at(1)).toBe(2);
    expect(opened).toBe(2);
    await expect(c.at(100)).rejects.toThrow(/past the end/);
    await c.close();
  });
});
