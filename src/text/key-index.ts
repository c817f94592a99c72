// Dense ids for integer keys (below 2^53), in typed arrays: an open-addressing table costs ~12-24 bytes per key
// where a Map<number, number> costs ~60-80. The n-gram counter holds tens of millions of keys on long prompts.

/** Slots for an open-addressing table of this many keys: a power of two, at least twice the keys (and 16). */
function slotsFor(capacity: number): number {
  let c = 1 << 4;
  while (c < capacity * 2) c *= 2;
  return c;
}

export class KeyIndex {
  private keys: Float64Array;
  private ids: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const c = slotsFor(capacity);
    this.keys = new Float64Array(c);
    this.ids = new Int32Array(c).fill(-1);
    this.mask = c - 1;
  }

  private slot(key: number): number {
    // Mix the high and low halves (keys are up to 2^53): multiplicative hashing on each 32-bit part.
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  /** The key's id, or -1. */
  get(key: number): number {
    let s = this.slot(key);
    for (;;) {
      const id = this.ids[s]!;
      if (id < 0) return -1;
      if (this.keys[s] === key) return id;
      s = (s + 1) & this.mask;
    }
  }

  /** The key's id, adding it with the next id (this.size) when absent. */
  getOrAdd(key: number): number {
    if ((this.size + 1) * 2 > this.ids.length) this.grow();
    let s = this.slot(key);
    for (;;) {
      const id = this.ids[s]!;
      if (id < 0) {
        this.keys[s] = key;
        this.ids[s] = this.size;
        return this.size++;
      }
      if (this.keys[s] === key) return id;
      s = (s + 1) & this.mask;
    }
  }

  /** Calls `f` with every key held (in table order). */
  forEachKey(f: (key: number) => void): void {
    for (let s = 0; s < this.ids.length; s++) if (this.ids[s]! >= 0) f(this.keys[s]!);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldIds = this.ids;
    const c = oldIds.length * 2;
    this.keys = new Float64Array(c);
    this.ids = new Int32Array(c).fill(-1);
    this.mask = c - 1;
    for (let s = 0; s < oldIds.length; s++) {
      const id = oldIds[s]!;
      if (id < 0) continue;
      let t = this.slot(oldKeys[s]!);
      while (this.ids[t]! >= 0) t = (t + 1) & this.mask;
      this.keys[t] = oldKeys[s]!;
      this.ids[t] = id;
    }
  }
}

/** A 32-bit mix of two 32-bit integers, for open-addressing tables keyed by pairs. */
export function pairHash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 15), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Dense ids for pairs of non-negative 32-bit integers (an n-gram's prefix id and last token), as KeyIndex does for
 * one number: the pair is hashed in integer arithmetic, with no product of the two built as a float.
 */
export class PairIndex {
  /** Per slot: the pair's two values, its id (-1: empty) and padding, so that a probe reads one cache line. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const c = slotsFor(capacity);
    this.slots = PairIndex.empty(c);
    this.mask = c - 1;
  }

  private static empty(c: number): Int32Array {
    const slots = new Int32Array(c * 4);
    for (let s = 2; s < slots.length; s += 4) slots[s] = -1;
    return slots;
  }


  /** The pair's id, or -1. */
  get(a: number, b: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let s = pairHash(a, b) & mask;
    for (;;) {
      const id = slots[s * 4 + 2]!;
      if (id < 0 || (slots[s * 4] === a && slots[s * 4 + 1] === b)) return id;
      s = (s + 1) & mask;
    }
  }

  /**
   * Reads the pair's first slot and returns a word of it, changing nothing: a loop of these over a batch of keys
   * brings their slots into cache together (the reads do not wait on one another), before the lookups that need them.
   */
  touch(a: number, b: number): number {
    return this.slots[(pairHash(a, b) & this.mask) * 4 + 2]!;
  }

  /** The pair's id, adding it with the next id (this.size) when absent. */
  getOrAdd(a: number, b: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    let s = pairHash(a, b) & mask;
    for (;;) {
      const id = slots[s * 4 + 2]!;
      if (id < 0) {
        slots[s * 4] = a;
        slots[s * 4 + 1] = b;
        slots[s * 4 + 2] = this.size;
        return this.size++;
      }
      if (slots[s * 4] === a && slots[s * 4 + 1] === b) return id;
      s = (s + 1) & mask;
    }
  }

  /** Empties the table, keeping its slots for the next keys. */
  clear(): void {
    const slots = this.slots;
    for (let s = 2; s < slots.length; s += 4) slots[s] = -1;
    this.size = 0;
  }

  /** Calls `f` with every pair held (in table order). */
  forEachPair(f: (a: number, b: number) => void): void {
    const slots = this.slots;
    for (let o = 0; o < slots.length; o += 4) if (slots[o + 2]! >= 0) f(slots[o]!, slots[o + 1]!);
  }

  private grow(): void {
    const old = this.slots;
    const c = (this.mask + 1) * 2;
    const slots = PairIndex.empty(c);
    const mask = c - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 2]! < 0) continue;
      let t = pairHash(old[o]!, old[o + 1]!) & mask;
      while (slots[t * 4 + 2]! >= 0) t = (t + 1) & mask;
      slots[t * 4] = old[o]!;
      slots[t * 4 + 1] = old[o + 1]!;
      slots[t * 4 + 2] = old[o + 2]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * Counts of pairs of 32-bit integers (a bigram's two tokens) in one open-addressing table whose slot holds the pair
 * and its count: a lookup reads one cache line, with no id to look up a second array by.
 */
export class PairCounts {
  /** Per slot: the pair's two values, its count (0: empty) and padding. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const c = slotsFor(capacity);
    this.slots = new Int32Array(c * 4);
    this.mask = c - 1;
  }


  /** The pair's count (0 when never added). */
  get(a: number, b: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let s = pairHash(a, b) & mask;
    for (;;) {
      const c = slots[s * 4 + 2]!;
      if (c === 0 || (slots[s * 4] === a && slots[s * 4 + 1] === b)) return c;
      s = (s + 1) & mask;
    }
  }

  /** Adds one to the pair's count. */
  add(a: number, b: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    let s = pairHash(a, b) & mask;
    for (;;) {
      const c = slots[s * 4 + 2]!;
      if (c === 0) {
        slots[s * 4] = a;
        slots[s * 4 + 1] = b;
        slots[s * 4 + 2] = 1;
        this.size++;
        return;
      }
      if (slots[s * 4] === a && slots[s * 4 + 1] === b) {
        slots[s * 4 + 2] = c + 1;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  /** Calls `f` with every pair held (in table order). */
  forEachPair(f: (a: number, b: number) => void): void {
    const slots = this.slots;
    for (let o = 0; o < slots.length; o += 4) if (slots[o + 2]! !== 0) f(slots[o]!, slots[o + 1]!);
  }

  private grow(): void {
    const old = this.slots;
    const c = (this.mask + 1) * 2;
    const slots = new Int32Array(c * 4);
    const mask = c - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 2]! === 0) continue;
      let t = pairHash(old[o]!, old[o + 1]!) & mask;
      while (slots[t * 4 + 2]! !== 0) t = (t + 1) & mask;
      slots[t * 4] = old[o]!;
      slots[t * 4 + 1] = old[o + 1]!;
      slots[t * 4 + 2] = old[o + 2]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A growable Int32Array (push, index), for per-key counters. */
export class IntVector {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** A growable Float64Array. */
export class NumberVector {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}
