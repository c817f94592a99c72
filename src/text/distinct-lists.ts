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

  /** The list's id (ids are dense, in order of first appearance); adds it when new. */
  idOf(list: ArrayLike<number>): number {
    const h = hashList(list);
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

function hashList(list: ArrayLike<number>): number {
  let a = 0x811c9dc5 ^ list.length;
  let b = 0x01000193 + list.length;
  for (let k = 0; k < list.length; k++) {
    const x = list[k]! | 0;
    a = Math.imul(a ^ x, 0x9e3779b1);
    a ^= a >>> 15;
    b = Math.imul(b ^ Math.imul(x + 1, 0x27d4eb2f), 0x85ebca6b);
    b ^= b >>> 13;
  }
  return (a >>> 0) * 2097152 + (b >>> 11);
}

function sameList(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}
