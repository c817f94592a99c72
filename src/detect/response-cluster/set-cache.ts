// A cache of values per (class, set of documents), for the phrase test: many phrases of one repeated passage share one
// set of prompts.

/**
 * Values kept per (class, set of documents), a set given as a range of one flat list of ascending documents: found by
 * a hash of the two and then compared in full.
 */
export class SetCache<T> {
  private readonly byHash = new Map<number, { cls: number; from: number; to: number; value: T }[]>();
  constructor(private readonly list: Int32Array) {}

  get(cls: number, from: number, to: number): T | undefined {
    for (const e of this.byHash.get(this.hash(cls, from, to)) ?? []) if (e.cls === cls && this.same(e.from, e.to, from, to)) return e.value;
    return undefined;
  }

  set(cls: number, from: number, to: number, value: T): void {
    const h = this.hash(cls, from, to);
    const entries = this.byHash.get(h);
    if (entries) entries.push({ cls, from, to, value });
    else this.byHash.set(h, [{ cls, from, to, value }]);
  }

  private hash(cls: number, from: number, to: number): number {
    let h = Math.imul(cls ^ 0x2545f491, 0x9e3779b1) ^ (to - from);
    for (let x = from; x < to; x++) {
      h = Math.imul(h ^ this.list[x]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    return h;
  }

  private same(a: number, aEnd: number, b: number, bEnd: number): boolean {
    if (aEnd - a !== bEnd - b) return false;
    for (let x = 0; x < aEnd - a; x++) if (this.list[a + x] !== this.list[b + x]) return false;
    return true;
  }
}
