// Distinct integer lists, told apart exactly without building a string per list: a 53-bit hash of the list finds
// the lists it may equal, which are then compared element by element.

export class DistinctLists {
  /** Per hash, the id of the first list with it, or of several (ids into `lists`). */
  private readonly byHash = new Map<number, number | number[]>();
  /** The first list of each id, in order of first appearance (held, not copied: it must not change). */
  readonly lists: ArrayLike<number>[] = [];

  get size(): number {
    return this.lists.length;
  }

  /** The id of the list list[from..to) if it is one of these, else -1 (nothing is added). */
  find(list: ArrayLike<number>, from = 0, to = list.length): number {
    const known = this.byHash.get(hashList(list, from, to));
    if (known === undefined) return -1;
    for (const id of typeof known === 'number' ? [known] : known) if (sameList(this.lists[id]!, list, from, to)) return id;
    return -1;
  }

  /** The list's id (ids are dense, in order of first appearance); adds it when new. */
  idOf(list: ArrayLike<number>): number {
    const h = hashList(list, 0, list.length);
    const known = this.byHash.get(h);
    if (known === undefined) {
      this.byHash.set(h, this.lists.length);
      this.lists.push(list);
      return this.lists.length - 1;
    }
    if (typeof known === 'number') {
      if (sameList(this.lists[known]!, list)) return known;
      this.byHash.set(h, [known, this.lists.length]);
    } else {
      for (const id of known) if (sameList(this.lists[id]!, list)) return id;
      known.push(this.lists.length);
    }
    this.lists.push(list);
    return this.lists.length - 1;
  }
}

function hashList(list: ArrayLike<number>, from: number, to: number): number {
  let a = 0x811c9dc5 ^ (to - from);
  let b = 0x01000193 + (to - from);
  for (let k = from; k < to; k++) {
    const x = list[k]! | 0;
    a = Math.imul(a ^ x, 0x9e3779b1);
    a ^= a >>> 15;
    b = Math.imul(b ^ Math.imul(x + 1, 0x27d4eb2f), 0x85ebca6b);
    b ^= b >>> 13;
  }
  return (a >>> 0) * 2097152 + (b >>> 11);
}

/** Whether x equals y[from..to) (all of y by default). */
function sameList(x: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = y.length): boolean {
  if (x.length !== to - from) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[from + k]) return false;
  return true;
}
