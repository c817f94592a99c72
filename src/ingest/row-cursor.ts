// Reads items of a re-iterable sequence by position, in order, holding only a small window: the image bytes of
// a table (Parquet, Arrow, WebDataset, img2dataset tars) are fetched again when the fingerprint stage asks for
// them instead of being held from the first read, so memory does not grow with the dataset's encoded size.
//
// The fingerprint stage asks for samples in their order (a few at a time); an item asked for behind the cursor
// (the grid guess reads the first images, then decoding starts again from the first) restarts the sequence.

export class RowCursor<T> {
  private it: AsyncIterator<T> | null = null;
  /** Position of the next item the iterator yields. */
  private pos = 0;
  /** Items passed while moving to a later position, kept in case they are asked for next (out-of-order reads). */
  private readonly ahead = new Map<number, T>();
  private queue: Promise<unknown> = Promise.resolve();
  /** How many times the sequence was started (1 when every read came in order). */
  starts = 0;

  constructor(
    private readonly open: () => AsyncIterable<T>,
    private readonly window = 64,
  ) {}

  /** Item k of the sequence (0-based); rejects when the sequence is shorter. */
  at(k: number): Promise<T> {
    // One move at a time: concurrent reads must not interleave on one iterator.
    const p = this.queue.then(() => this.move(k));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async move(k: number): Promise<T> {
    if (this.ahead.has(k)) {
      const held = this.ahead.get(k)!;
      this.ahead.delete(k);
      return held;
    }
    if (this.it === null || k < this.pos) {
      await this.it?.return?.();
      this.it = this.open()[Symbol.asyncIterator]();
      this.pos = 0;
      this.ahead.clear();
      this.starts++;
    }
    for (;;) {
      const r = await this.it.next();
      if (r.done) throw new Error(`item ${k} is past the end (${this.pos} items); the dataset changed while it was scanned`);
      const at = this.pos++;
      if (at === k) return r.value;
      this.ahead.set(at, r.value);
      // Oldest first out: a skipped item asked for much later is read again (a restart), not held.
      if (this.ahead.size > this.window) this.ahead.delete(this.ahead.keys().next().value!);
    }
  }

  async close(): Promise<void> {
    await this.queue;
    await this.it?.return?.();
    this.it = null;
    this.ahead.clear();
  }
}
