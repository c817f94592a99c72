// Frequent n-grams (1..maxN tokens) of tokenised documents, with the documents that hold each one and the
// majority "class" among them (a label, a response cluster). Apriori: an n-gram is counted only where both of
// its (n-1)-grams are frequent. Each frequent n-gram gets a dense id; an n-gram's key is the pair (id of its prefix,
// its last token), so no string is built per position.

import { IntVector, KeyIndex, PairIndex } from './key-index.js';

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
  /** Also count the distinct document sets among the frequent n-grams (see frequentNgramsCounted). */
  distinctSets?: boolean;
}

/**
 * Tokens are ids from 0 (a vocabulary's). classes[i] is document i's class, or -1. The majority is found in one
 * pass with the Boyer-Moore vote and counted exactly afterwards, so memory does not grow with the number of classes.
 */
export function frequentNgrams(docs: Int32Array[], classes: Int32Array, o: NgramOptions): Ngram[] {
  return frequentNgramsCounted(docs, classes, o).grams;
}

export interface NgramCounts {
  grams: Ngram[];
  /** Frequent n-grams examined. */
  frequent: number;
  /** Distinct document sets among them (frequent, unless asked for). */
  distinctSets: number;
  /** Per returned n-gram, the index among them of the n-gram without its last token (-1: a 1-gram, or not returned). */
  parents: Int32Array;
}

/**
 * As frequentNgrams, with the number of frequent n-grams examined (the family a significance test runs over) and,
 * if asked, the number of distinct document sets among them: a test that reads only an n-gram's documents gives
 * the same result for every n-gram of one set (the phrases of a passage copied into the same prompts), so the
 * union bound over tests needs each set once. Sets are compared by an order-free 64-bit hash and their size.
 */
export function frequentNgramsCounted(docs: Int32Array[], classes: Int32Array, o: NgramOptions): NgramCounts {
  const t = frequentNgramTable(docs, classes, o);
  const grams: Ngram[] = [];
  for (let k = 0; k < t.count; k++) {
    grams.push({
      tokens: Array.from(t.tokenList.subarray(t.tokenStart[k]!, t.tokenStart[k + 1]!)),
      docs: Array.from(t.docList.subarray(t.docStart[k]!, t.docStart[k + 1]!)),
      majority: t.majority[k]!,
      majorityCount: t.majorityCount[k]!,
    });
  }
  return { grams, frequent: t.frequent, distinctSets: t.distinctSets, parents: t.parents };
}

/**
 * The n-grams of frequentNgramsCounted, in the same order, as flat typed arrays: no object or list per n-gram, for
 * callers that read most n-grams only by their counts.
 */
export interface NgramTable {
  /** N-grams returned. */
  count: number;
  /** N-gram k's tokens are tokenList[tokenStart[k] .. tokenStart[k + 1]). */
  tokenStart: Int32Array;
  tokenList: Int32Array;
  /** N-gram k's documents, ascending, are docList[docStart[k] .. docStart[k + 1]). */
  docStart: Int32Array;
  docList: Int32Array;
  majority: Int32Array;
  majorityCount: Int32Array;
  /** The index of the n-gram without its last token (-1: a 1-gram, or not returned). */
  parents: Int32Array;
  frequent: number;
  distinctSets: number;
}

export function frequentNgramTable(docs: Int32Array[], classes: Int32Array, o: NgramOptions): NgramTable {
  let frequent = 0;
  const sets = o.distinctSets ? new KeyIndex() : null;
  // Per level, the n-gram id at each place, in one array for all documents: document i's places start at its first
  // token's offset (the last len - 1 places of each document stay -1).
  const offset = new Float64Array(docs.length + 1);
  for (let i = 0; i < docs.length; i++) offset[i + 1] = offset[i]! + docs[i]!.length;
  const total = offset[docs.length]!;
  let prevIds = new Int32Array(0);
  // Each document's two hashes, summed into the sets of the n-grams it holds.
  const docHashA = sets ? Int32Array.from(docs, (_, i) => mix(i, 0x9e3779b1)) : null;
  const docHashB = sets ? Int32Array.from(docs, (_, i) => mix(i, 0x85ebca77)) : null;
  const byLevel: { ids: Int32Array; prefix: Int32Array; lastToken: Int32Array; majority: Int32Array; docFreq: Int32Array; labelled: Int32Array }[] = [];
  // Level 1 keys are tokens (a direct table); deeper ones are (prefix id, last token) pairs.
  let maxToken = -1;
  for (const d of docs) for (let s = 0; s < d.length; s++) if (d[s]! > maxToken) maxToken = d[s]!;
  let lastCount = 0;
  for (let len = 1; len <= o.maxN; len++) {
    // Typed-array tables: long prompts hold tens of millions of distinct n-grams per level.
    // Sized at the last level's count of n-grams, about this level's, to spare most of the table's growth.
    const index = len === 1 ? null : new PairIndex(lastCount);
    const byToken = len === 1 ? new Int32Array(maxToken + 1).fill(-1) : null;
    const dfV = new IntVector();
    const lastV = new IntVector();
    const voteV = new IntVector();
    const voteCountV = new IntVector();
    const classifiedV = new IntVector();
    const prefixV = new IntVector();
    const tokenV = new IntVector();
    const hashA = sets ? new IntVector() : null;
    const hashB = sets ? new IntVector() : null;
    const posGram = new Int32Array(total).fill(-1);
    // Per prefix, the last token it was met with and that n-gram's id: templates repeat their continuations, and
    // one compare spares the table's probe.
    const nextToken = len === 1 ? null : new Int32Array(lastCount).fill(-1);
    const nextId = len === 1 ? null : new Int32Array(lastCount);
    const prev = prevIds;
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      const base = offset[i]!;
      const cls = classes[i]!;
      for (let s = 0; s + len <= d.length; s++) {
        let g: number;
        let a = -1;
        const t = d[s + len - 1]!;
        if (byToken) {
          if (t < 0) continue;
          g = byToken[t]!;
          if (g < 0) g = byToken[t] = dfV.length;
        } else {
          a = prev[base + s]!;
          if (a < 0 || prev[base + s + 1]! < 0) continue;
          if (nextToken![a] === t) g = nextId![a]!;
          else {
            g = index!.getOrAdd(a, t);
            nextToken![a] = t;
            nextId![a] = g;
          }
        }
        if (g === dfV.length) {
          dfV.push(0);
          lastV.push(-1);
          voteV.push(-1);
          voteCountV.push(0);
          classifiedV.push(0);
          prefixV.push(a);
          tokenV.push(t);
          hashA?.push(0);
          hashB?.push(0);
        }
        posGram[base + s] = g;
        const last = lastV.data;
        if (last[g] === i) continue;
        last[g] = i;
        dfV.data[g]!++;
        if (hashA) {
          // Sums of two independent hashes of the document index: the same set, in any order, the same pair.
          hashA.data[g] = (hashA.data[g]! + docHashA![i]!) | 0;
          hashB!.data[g] = (hashB!.data[g]! + docHashB![i]!) | 0;
        }
        if (cls < 0) continue;
        classifiedV.data[g]!++;
        const voteCount = voteCountV.data;
        if (voteCount[g] === 0) {
          voteV.data[g] = cls;
          voteCount[g] = 1;
        } else voteCount[g]! += voteV.data[g] === cls ? 1 : -1;
      }
    }
    const df = dfV.data.subarray(0, dfV.length);
    lastCount = dfV.length;
    const vote = voteV.data;
    const voteCount = voteCountV.data;
    const classified = classifiedV.data;
    const prefixOf = prefixV.data;
    const tokenOf = tokenV.data;
    const denseId = new Int32Array(df.length).fill(-1);
    // Per frequent n-gram (dense id): its prefix's dense id and last token (the tokens are rebuilt only for the
    // n-grams returned), and the majority class of a possible candidate (-2: not one).
    let frequentHere = 0;
    for (let g = 0; g < df.length; g++) if (df[g]! >= o.minDocs) denseId[g] = frequentHere++;
    if (sets) {
      for (let g = 0; g < df.length; g++) {
        if (df[g]! < o.minDocs) continue;
        // 53 bits of the pair, the set's size mixed in.
        const a = (hashA!.data[g]! ^ Math.imul(df[g]!, 0x27d4eb2f)) >>> 0;
        sets.getOrAdd(a * 2097152 + (hashB!.data[g]! >>> 11));
      }
    }
    const prefix = new Int32Array(frequentHere);
    const lastToken = new Int32Array(frequentHere);
    const majority = new Int32Array(frequentHere).fill(-2);
    const docFreq = new Int32Array(frequentHere);
    const labelled = new Int32Array(frequentHere);
    for (let g = 0; g < df.length; g++) {
      const id = denseId[g]!;
      if (id < 0) continue;
      prefix[id] = prefixOf[g]!;
      lastToken[id] = tokenOf[g]!;
      docFreq[id] = df[g]!;
      labelled[id] = classified[g]!;
      if (df[g]! > o.maxDocs) continue;
      // The vote's winner is the majority if there is one; voteCount is a lower bound on its lead, so
      // (classified + lead) / 2 bounds its count from below and the exact count comes later.
      const lower = voteCount[g]! > 0 ? (classified[g]! + voteCount[g]!) / 2 : 0;
      if (!o.keep(df[g]!, Math.max(lower, voteCount[g]! > 0 ? classified[g]! : 0), classified[g]!)) continue;
      majority[id] = voteCount[g]! > 0 ? vote[g]! : -1;
    }
    frequent += frequentHere;
    if (frequentHere === 0) break;
    // Positions now name dense ids (in place: no second copy of the level).
    for (let x = 0; x < total; x++) {
      const g = posGram[x]!;
      if (g >= 0) posGram[x] = denseId[g]!;
    }
    const ids = posGram;
    byLevel.push({ ids, prefix, lastToken, majority, docFreq, labelled });
    prevIds = ids;
  }
  // Exact majority counts in typed arrays first; document lists only for the n-grams that are kept.
  const lastDoc = byLevel.map((l) => new Int32Array(l.majority.length).fill(-1));
  const majorityCount = byLevel.map((l) => new Int32Array(l.majority.length));
  for (let level = 0; level < byLevel.length; level++) {
    const l = byLevel[level]!;
    const last = lastDoc[level]!;
    const count = majorityCount[level]!;
    for (let i = 0; i < docs.length; i++) {
      const cls = classes[i]!;
      for (let x = offset[i]!; x < offset[i + 1]!; x++) {
        const id = l.ids[x]!;
        if (id < 0 || l.majority[id] === -2 || last[id] === i) continue;
        last[id] = i;
        if (cls === l.majority[id]) count[id]!++;
      }
    }
  }
  const outAt: Int32Array[] = [];
  const parents = new IntVector();
  const majorityV = new IntVector();
  const majorityCountV = new IntVector();
  const tokenStart = new IntVector();
  const tokenList = new IntVector();
  const docFreqV = new IntVector();
  for (let level = 0; level < byLevel.length; level++) {
    const l = byLevel[level]!;
    const at = new Int32Array(l.majority.length).fill(-1);
    for (let id = 0; id < l.majority.length; id++) {
      if (l.majority[id] === -2 || !o.keep(l.docFreq[id]!, majorityCount[level]![id]!, l.labelled[id]!)) continue;
      at[id] = majorityV.length;
      parents.push(level === 0 ? -1 : outAt[level - 1]![l.prefix[id]!]!);
      majorityV.push(l.majority[id]!);
      majorityCountV.push(majorityCount[level]![id]!);
      docFreqV.push(l.docFreq[id]!);
      tokenStart.push(tokenList.length);
      const from = tokenList.length;
      for (let lv = 0; lv <= level; lv++) tokenList.push(0);
      for (let lv = level, x = id; lv >= 0; x = byLevel[lv]!.prefix[x]!, lv--) tokenList.data[from + lv] = byLevel[lv]!.lastToken[x]!;
    }
    outAt.push(at);
  }
  const count = majorityV.length;
  tokenStart.push(tokenList.length);
  // Each n-gram's documents in one flat list: its document frequency is its list's length.
  const docStart = new Int32Array(count + 1);
  for (let k = 0; k < count; k++) docStart[k + 1] = docStart[k]! + docFreqV.data[k]!;
  const docList = new Int32Array(docStart[count]!);
  const fill = docStart.slice(0, count);
  for (const last of lastDoc) last.fill(-1);
  for (let level = 0; level < byLevel.length; level++) {
    const l = byLevel[level]!;
    const last = lastDoc[level]!;
    const at = outAt[level]!;
    for (let i = 0; i < docs.length; i++) {
      for (let x = offset[i]!; x < offset[i + 1]!; x++) {
        const id = l.ids[x]!;
        if (id < 0 || at[id]! < 0 || last[id] === i) continue;
        last[id] = i;
        docList[fill[at[id]!]!++] = i;
      }
    }
  }
  return {
    count,
    tokenStart: tokenStart.data.subarray(0, tokenStart.length),
    tokenList: tokenList.data.subarray(0, tokenList.length),
    docStart,
    docList,
    majority: majorityV.data.subarray(0, count),
    majorityCount: majorityCountV.data.subarray(0, count),
    parents: parents.data.subarray(0, count),
    frequent,
    distinctSets: sets ? sets.size : frequent,
  };
}

/** A 32-bit hash of a document index (murmur3's finaliser on a seeded product). */
function mix(i: number, seed: number): number {
  let h = Math.imul(i + 1, seed);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
