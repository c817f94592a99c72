// Frequent n-grams (1..maxN tokens) of tokenised documents, with the documents that hold each one and the
// majority "class" among them (a label, a response cluster). Apriori: an n-gram is counted only where both of
// its (n-1)-grams are frequent. Each frequent n-gram gets a dense id; an n-gram's key is (id of its prefix) * V
// + its last token, a number, so no string is built per position.

export interface Ngram {
  tokens: number[];
  /** Documents holding the n-gram, ascending. */
  docs: number[];
  /** Most common class among docs (-1 when docs have no class), and how many docs carry it. */
  majority: number;
  majorityCount: number;
}

export interface NgramOptions {
  maxN: number;
  minDocs: number;
  /** N-grams in more documents than this are counted for apriori but not returned. */
  maxDocs: number;
  /** Keep an n-gram when this returns true for (document frequency, majority count, labelled docs). */
  keep(df: number, majorityCount: number, classified: number): boolean;
}

/**
 * classes[i] is document i's class, or -1. The majority is found in one pass with the Boyer-Moore vote and
 * counted exactly afterwards, so memory does not grow with the number of classes.
 */
export function frequentNgrams(docs: Int32Array[], classes: Int32Array, V: number, o: NgramOptions): Ngram[] {
  return frequentNgramsCounted(docs, classes, V, o).grams;
}

/** As frequentNgrams, with the number of frequent n-grams examined (the family a significance test runs over). */
export function frequentNgramsCounted(docs: Int32Array[], classes: Int32Array, V: number, o: NgramOptions): { grams: Ngram[]; frequent: number } {
  const out: Ngram[] = [];
  let frequent = 0;
  let prevIds: Int32Array[] = docs;
  let prevTokens: number[][] = [];
  const byLevel: { ids: Int32Array[]; grams: Map<number, Ngram> }[] = [];
  for (let len = 1; len <= o.maxN; len++) {
    const index = new Map<number, number>();
    const df: number[] = [];
    const last: number[] = [];
    const vote: number[] = [];
    const voteCount: number[] = [];
    const classified: number[] = [];
    const keyOf: number[] = [];
    const posGram: Int32Array[] = docs.map((d) => new Int32Array(Math.max(0, d.length - len + 1)).fill(-1));
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      const prev = prevIds[i]!;
      const pg = posGram[i]!;
      const cls = classes[i]!;
      for (let s = 0; s + len <= d.length; s++) {
        let k: number;
        if (len === 1) k = d[s]!;
        else {
          if (prev[s]! < 0 || prev[s + 1]! < 0) continue;
          k = prev[s]! * V + d[s + len - 1]!;
        }
        let g = index.get(k);
        if (g === undefined) {
          g = df.length;
          index.set(k, g);
          df.push(0);
          last.push(-1);
          vote.push(-1);
          voteCount.push(0);
          classified.push(0);
          keyOf.push(k);
        }
        pg[s] = g;
        if (last[g] === i) continue;
        last[g] = i;
        df[g]!++;
        if (cls < 0) continue;
        classified[g]!++;
        if (voteCount[g] === 0) {
          vote[g] = cls;
          voteCount[g] = 1;
        } else voteCount[g]! += vote[g] === cls ? 1 : -1;
      }
    }
    const denseId = new Int32Array(df.length).fill(-1);
    const tokens: number[][] = [];
    const grams = new Map<number, Ngram>();
    for (let g = 0; g < df.length; g++) {
      if (df[g]! < o.minDocs) continue;
      const toks = len === 1 ? [keyOf[g]!] : [...prevTokens[Math.floor(keyOf[g]! / V)]!, keyOf[g]! % V];
      denseId[g] = tokens.length;
      tokens.push(toks);
      if (df[g]! > o.maxDocs) continue;
      // The vote's winner is the majority if there is one; voteCount is a lower bound on its lead, so
      // (classified + lead) / 2 bounds its count from below and the exact count comes later.
      const lower = voteCount[g]! > 0 ? (classified[g]! + voteCount[g]!) / 2 : 0;
      if (!o.keep(df[g]!, Math.max(lower, voteCount[g]! > 0 ? classified[g]! : 0), classified[g]!)) continue;
      const gram: Ngram = { tokens: toks, docs: [], majority: voteCount[g]! > 0 ? vote[g]! : -1, majorityCount: 0 };
      grams.set(denseId[g]!, gram);
    }
    frequent += tokens.length;
    if (tokens.length === 0) break;
    const ids = posGram.map((pg) => pg.map((g) => (g < 0 ? -1 : denseId[g]!)));
    byLevel.push({ ids, grams });
    prevIds = ids;
    prevTokens = tokens;
  }
  for (let i = 0; i < docs.length; i++) {
    for (const { ids, grams } of byLevel) {
      for (const id of ids[i]!) {
        if (id < 0) continue;
        const g = grams.get(id);
        if (g && g.docs[g.docs.length - 1] !== i) {
          g.docs.push(i);
          if (classes[i] === g.majority) g.majorityCount++;
        }
      }
    }
  }
  for (const { grams } of byLevel) for (const g of grams.values()) {
    let classified = 0;
    for (const i of g.docs) if (classes[i]! >= 0) classified++;
    if (o.keep(g.docs.length, g.majorityCount, classified)) out.push(g);
  }
  return { grams: out, frequent };
}
