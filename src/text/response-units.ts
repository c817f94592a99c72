// Response content units: word n-grams (1..maxN tokens) that at least `minRows` responses hold, with the rows
// whose own prompt does not hold them (the response says something its request did not) and the number of
// prompts anywhere in the corpus that hold them. Prompts are scanned against a trie of the response n-grams, so
// no prompt n-gram outside it is ever counted.
import { IntVector, PairIndex } from './key-index.js';
import { frequentNgramsCounted } from './ngrams.js';

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

export function responseUnits(prompts: Int32Array[], responses: Int32Array[], V: number, o: ResponseUnitOptions): { units: ResponseUnit[]; frequent: number } {
  const n = responses.length;
  const none = new Int32Array(n).fill(-1);
  const { grams, frequent, parents } = frequentNgramsCounted(responses, none, V, { maxN: o.maxN, minDocs: o.minRows, maxDocs: n, keep: (df) => df >= o.minRows });
  // Trie over the returned n-grams: level 1 indexes units by token; level L > 1 maps (the (L-1)-gram prefix's unit,
  // last token) to the unit.
  const trie = new UnitTrie(V, o.maxN);
  grams.forEach((g, u) => {
    const L = g.tokens.length;
    const parent = parents[u]!;
    if (L > 1 && parent < 0) return;
    trie.set(L, parent, g.tokens[L - 1]!, u);
  });
  const units: ResponseUnit[] = [];
  const gramOf: number[] = [];
  grams.forEach((g, u) => {
    if (g.docs.length > o.maxRows) return;
    gramOf.push(u);
    units.push({ tokens: g.tokens, rows: g.docs, unexplained: [], prompts: 0 });
  });
  // The units each row's response holds, row by row (offsets into one flat list).
  const start = new Int32Array(n + 1);
  for (const x of units) for (const i of x.rows) start[i + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const unitsOf = new Int32Array(start[n]!);
  const fill = start.slice(0, n);
  units.forEach((x, k) => {
    for (const i of x.rows) unitsOf[fill[i]!++] = k;
  });
  // One pass over the prompts: how many hold each n-gram, and whether a row's own prompt holds its units.
  const promptCount = new Int32Array(grams.length);
  const seenIn = new Int32Array(grams.length).fill(-1);
  for (let i = 0; i < prompts.length; i++) {
    const d = prompts[i]!;
    for (let s = 0; s < d.length; s++) {
      let u = trie.first(d[s]!);
      for (let L = 1; u >= 0; L++) {
        if (seenIn[u] !== i) {
          seenIn[u] = i;
          promptCount[u]!++;
        }
        if (L >= o.maxN || s + L >= d.length) break;
        u = trie.next(L + 1, u, d[s + L]!);
      }
    }
    if (i >= n) continue;
    for (let j = start[i]!; j < start[i + 1]!; j++) {
      const k = unitsOf[j]!;
      if (seenIn[gramOf[k]!] !== i) units[k]!.unexplained.push(i);
    }
  }
  units.forEach((x, k) => (x.prompts = promptCount[gramOf[k]!]!));
  return { units, frequent };
}

/** The units' n-grams as a trie over token ids: level 1 by token, deeper levels by (parent unit, token) pairs. */
class UnitTrie {
  private readonly level1: Int32Array;
  private readonly deeper: { index: PairIndex; unit: IntVector }[];
  constructor(V: number, maxN: number) {
    this.level1 = new Int32Array(V).fill(-1);
    this.deeper = Array.from({ length: Math.max(0, maxN - 1) }, () => ({ index: new PairIndex(1024), unit: new IntVector(1024) }));
  }
  set(L: number, parent: number, token: number, u: number): void {
    if (L === 1) {
      this.level1[token] = u;
      return;
    }
    const t = this.deeper[L - 2]!;
    const id = t.index.getOrAdd(parent, token);
    if (id === t.unit.length) t.unit.push(u);
    else t.unit.data[id] = u;
  }
  /** The unit of the 1-gram, or -1. */
  first(token: number): number {
    return this.level1[token] ?? -1;
  }
  /** The unit of the L-gram extending unit `parent` by `token`, or -1. */
  next(L: number, parent: number, token: number): number {
    const t = this.deeper[L - 2]!;
    const id = t.index.get(parent, token);
    return id < 0 ? -1 : t.unit.data[id]!;
  }
}
