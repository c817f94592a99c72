// Response content units: word n-grams (1..maxN tokens) that at least `minRows` responses hold, with the rows
// whose own prompt does not hold them (the response says something its request did not) and the number of
// prompts anywhere in the corpus that hold them. Prompts are scanned against a trie of the response n-grams, so
// no prompt n-gram outside it is ever counted.
import { IntVector, pairHash } from './key-index.js';
import { frequentNgramTable, type NgramTable } from './ngrams.js';

export interface ResponseUnit {
  tokens: number[];
  /** Rows whose response holds the unit, ascending. */
  rows: number[];
  /** The rows among them whose own prompt does not hold it, ascending. */
  unexplained: number[];
  /** Prompts of the whole corpus that hold the unit. */
  prompts: number;
}

export interface ResponseUnitOptions {
  maxN: number;
  minRows: number;
  /** Units in more responses than this are counted (they make longer units) but not returned. */
  maxRows: number;
}

/**
 * The units as flat typed arrays (unit k is n-gram gramOf[k] of the response n-grams); unit(k) builds one as a
 * ResponseUnit, for the few a caller keeps.
 */
export class ResponseUnits {
  constructor(
    /** Units (n-grams in at most maxRows responses). */
    readonly count: number,
    private readonly grams: NgramTable,
    private readonly gramOf: Int32Array,
    /** Unit k's unexplained rows, ascending, are unexplainedList[unexplainedStart[k] .. unexplainedStart[k + 1]). */
    private readonly unexplainedStart: Int32Array,
    private readonly unexplainedList: Int32Array,
    /** Per unit, the prompts of the whole corpus that hold it. */
    readonly prompts: Int32Array,
  ) {}

  rowCount(k: number): number {
    const g = this.gramOf[k]!;
    return this.grams.docStart[g + 1]! - this.grams.docStart[g]!;
  }

  unexplainedCount(k: number): number {
    return this.unexplainedStart[k + 1]! - this.unexplainedStart[k]!;
  }

  /** Whether any of the unit's tokens passes `test`. */
  someToken(k: number, test: (token: number) => boolean): boolean {
    const g = this.gramOf[k]!;
    for (let x = this.grams.tokenStart[g]!; x < this.grams.tokenStart[g + 1]!; x++) if (test(this.grams.tokenList[x]!)) return true;
    return false;
  }

  /** The unit's tokens (a view, not a copy). */
  tokens(k: number): Int32Array {
    const g = this.gramOf[k]!;
    return this.grams.tokenList.subarray(this.grams.tokenStart[g]!, this.grams.tokenStart[g + 1]!);
  }

  unit(k: number): ResponseUnit {
    const g = this.gramOf[k]!;
    const t = this.grams;
    return {
      tokens: Array.from(t.tokenList.subarray(t.tokenStart[g]!, t.tokenStart[g + 1]!)),
      rows: Array.from(t.docList.subarray(t.docStart[g]!, t.docStart[g + 1]!)),
      unexplained: Array.from(this.unexplainedList.subarray(this.unexplainedStart[k]!, this.unexplainedStart[k + 1]!)),
      prompts: this.prompts[k]!,
    };
  }
}

export function responseUnits(prompts: Int32Array[], responses: Int32Array[], V: number, o: ResponseUnitOptions): { units: ResponseUnits; frequent: number } {
  const n = responses.length;
  const none = new Int32Array(n).fill(-1);
  const grams = frequentNgramTable(responses, none, { maxN: o.maxN, minDocs: o.minRows, maxDocs: n, keep: (df) => df >= o.minRows });
  const { parents, tokenStart, tokenList, docStart, docList } = grams;
  // Trie over the returned n-grams: level 1 indexes units by token; level L > 1 maps (the (L-1)-gram prefix's unit,
  // last token) to the unit.
  const trie = new UnitTrie(V, grams.count);
  for (let u = 0; u < grams.count; u++) {
    const L = tokenStart[u + 1]! - tokenStart[u]!;
    const parent = parents[u]!;
    if (L > 1 && parent < 0) continue;
    trie.set(L, parent, tokenList[tokenStart[u + 1]! - 1]!, u);
  }
  const gramOfV = new IntVector();
  for (let u = 0; u < grams.count; u++) if (docStart[u + 1]! - docStart[u]! <= o.maxRows) gramOfV.push(u);
  const gramOf = gramOfV.data.subarray(0, gramOfV.length);
  const count = gramOf.length;
  // The units each row's response holds, row by row (offsets into one flat list).
  const start = new Int32Array(n + 1);
  for (let k = 0; k < count; k++) for (let x = docStart[gramOf[k]!]!; x < docStart[gramOf[k]! + 1]!; x++) start[docList[x]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const unitsOf = new Int32Array(start[n]!);
  const fill = start.slice(0, n);
  for (let k = 0; k < count; k++) for (let x = docStart[gramOf[k]!]!; x < docStart[gramOf[k]! + 1]!; x++) unitsOf[fill[docList[x]!]!++] = k;
  // One pass over the prompts: how many hold each n-gram, and whether a row's own prompt holds its units.
  // Per n-gram, the last prompt that held it, how many did and its prefix (the n-gram without its last token),
  // side by side.
  const seen = new Int32Array(grams.count * 4);
  for (let u = 0; u < grams.count; u++) {
    seen[4 * u] = -1;
    seen[4 * u + 2] = parents[u]!;
  }
  // The n-grams are closed under dropping the first or last token (every such part is in at least as many
  // responses), so the n-grams at a place are the prefixes of the longest one, and the longest at the next place
  // starts from that one without its first token (its suffix).
  const suffix = suffixes(grams, trie);
  const unexplainedAt = new Uint8Array(unitsOf.length);
  const unexplainedStart = new Int32Array(count + 1);
  for (let i = 0; i < prompts.length; i++) {
    const d = prompts[i]!;
    let u = -1;
    let len = 0;
    for (let s = 0; s < d.length; s++) {
      if (len >= 2 && (u = suffix[u]!) >= 0) len--;
      else {
        u = trie.first(d[s]!);
        if (u < 0) {
          len = 0;
          continue;
        }
        len = 1;
      }
      while (len < o.maxN && s + len < d.length) {
        const v = trie.next(u, d[s + len]!);
        if (v < 0) break;
        u = v;
        len++;
      }
      // The longest n-gram here and its prefixes, up to one this prompt already marked (its prefixes are too).
      for (let x = u; x >= 0 && seen[4 * x] !== i; x = seen[4 * x + 2]!) {
        seen[4 * x] = i;
        seen[4 * x + 1]!++;
      }
    }
    if (i >= n) continue;
    for (let j = start[i]!; j < start[i + 1]!; j++) {
      const k = unitsOf[j]!;
      if (seen[4 * gramOf[k]!] === i) continue;
      unexplainedAt[j] = 1;
      unexplainedStart[k + 1]!++;
    }
  }
  for (let k = 0; k < count; k++) unexplainedStart[k + 1]! += unexplainedStart[k]!;
  // Each unit's unexplained rows in row order, so ascending.
  const unexplainedList = new Int32Array(unexplainedStart[count]!);
  const at = unexplainedStart.slice(0, count);
  for (let i = 0; i < n; i++) for (let j = start[i]!; j < start[i + 1]!; j++) if (unexplainedAt[j]) unexplainedList[at[unitsOf[j]!]!++] = i;
  const unitPrompts = new Int32Array(count);
  for (let k = 0; k < count; k++) unitPrompts[k] = seen[4 * gramOf[k]! + 1]!;
  return { units: new ResponseUnits(count, grams, gramOf, unexplainedStart, unexplainedList, unitPrompts), frequent: grams.frequent };
}

/** Per n-gram of the table, the n-gram without its first token (-1: a 1-gram, or not in the trie). */
function suffixes(grams: NgramTable, trie: UnitTrie): Int32Array {
  const { parents, tokenStart, tokenList } = grams;
  const out = new Int32Array(grams.count).fill(-1);
  // N-grams come level by level, so a prefix's suffix is known before its extensions'.
  for (let u = 0; u < grams.count; u++) {
    const L = tokenStart[u + 1]! - tokenStart[u]!;
    if (L < 2 || parents[u]! < 0) continue;
    const last = tokenList[tokenStart[u + 1]! - 1]!;
    if (L === 2) out[u] = trie.first(last);
    else {
      const s = out[parents[u]!]!;
      out[u] = s < 0 ? -1 : trie.next(s, last);
    }
  }
  return out;
}

/** Most bits of the trie's filter (2^24: 2 MB). */
const FILTER_BITS = 24;

/** The units' n-grams as a trie over token ids: level 1 by token, deeper levels by (parent unit, token) pairs. */
class UnitTrie {
  private readonly level1: Int32Array;
  /**
   * Deeper levels in one open-addressing table: per slot the parent unit, the token and the unit (-1: empty), and
   * padding, so that a probe reads one cache line and gives the unit without a second table.
   */
  private slots: Int32Array;
  private mask: number;
  /**
   * One bit per value of the pair hash's top bits, set for every pair held: most pairs looked for are not held
   * (the walk of a place ends on one), and this small table answers for them without reading the large one.
   */
  private readonly filter: Int32Array;
  private readonly filterShift: number;
  constructor(V: number, units: number) {
    this.level1 = new Int32Array(V).fill(-1);
    let c = 16;
    while (c < units * 2) c *= 2;
    this.slots = new Int32Array(c * 4);
    for (let s = 2; s < this.slots.length; s += 4) this.slots[s] = -1;
    this.mask = c - 1;
    let bits = 10;
    while (bits < FILTER_BITS && 1 << bits < units * 16) bits++;
    this.filter = new Int32Array(1 << (bits - 5));
    this.filterShift = 32 - bits;
  }
  set(L: number, parent: number, token: number, u: number): void {
    if (L === 1) {
      this.level1[token] = u;
      return;
    }
    const slots = this.slots;
    const b = pairHash(parent, token) >>> this.filterShift;
    this.filter[b >>> 5]! |= 1 << (b & 31);
    for (let s = pairHash(parent, token) & this.mask; ; s = (s + 1) & this.mask) {
      if (slots[s * 4 + 2]! < 0) {
        slots[s * 4] = parent;
        slots[s * 4 + 1] = token;
        slots[s * 4 + 2] = u;
        return;
      }
      if (slots[s * 4] === parent && slots[s * 4 + 1] === token) {
        slots[s * 4 + 2] = u;
        return;
      }
    }
  }
  /** The unit of the 1-gram, or -1. */
  first(token: number): number {
    return this.level1[token] ?? -1;
  }
  /** The unit extending unit `parent` by `token`, or -1. */
  next(parent: number, token: number): number {
    const h = pairHash(parent, token);
    const b = h >>> this.filterShift;
    if ((this.filter[b >>> 5]! & (1 << (b & 31))) === 0) return -1;
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const u = slots[s * 4 + 2]!;
      if (u < 0 || (slots[s * 4] === parent && slots[s * 4 + 1] === token)) return u;
    }
  }
}
