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
  // (32-bit offsets: a level's array of places could not be allocated for 2^31 of them.)
  const offset = new Int32Array(docs.length + 1);
  for (let i = 0; i < docs.length; i++) offset[i + 1] = offset[i]! + docs[i]!.length;
  const total = offset[docs.length]!;
  // Two position arrays, in turn: a level reads the last one's ids and writes its own over the one before.
  let prevIds: Int32Array = new Int32Array(0);
  let spare: Int32Array | null = null;
  // Each document's two hashes, summed into the sets of the n-grams it holds.
  const docHashA = sets ? Int32Array.from(docs, (_, i) => mix(i, 0x9e3779b1)) : null;
  const docHashB = sets ? Int32Array.from(docs, (_, i) => mix(i, 0x85ebca77)) : null;
  // Per level, each frequent n-gram's prefix (dense id) and last token: the tokens of those returned are rebuilt
  // from them.
  const byLevel: { prefix: Int32Array; lastToken: Int32Array }[] = [];
  // The n-grams returned, level by level, each level's documents listed as soon as it is counted. prevAt maps the
  // previous level's dense ids to their places among those returned (its buffer is reused two levels on).
  let prevAt: Int32Array | null = null;
  const parents = new IntVector();
  const majorityV = new IntVector();
  const majorityCountV = new IntVector();
  // Per n-gram returned, its dense id in its level, and where each level's ones end: their tokens are rebuilt at
  // the end, into lists of their exact size.
  const keptIds = new IntVector();
  const levelEnd: number[] = [];
  const docStartV = new IntVector();
  docStartV.push(0);
  let docList = new Int32Array(1 << 16);
  // Level 1 keys are tokens (a direct table); deeper ones are (prefix id, last token) pairs.
  let maxToken = -1;
  for (const d of docs) for (let s = 0; s < d.length; s++) if (d[s]! > maxToken) maxToken = d[s]!;
  let lastCount = 0;
  let pairs: PairIndex | null = null;
  let records: LevelRecords | null = null;
  // A level's working arrays, in buffers kept across levels (typed arrays allocated per level are what makes the
  // collector run full collections).
  const scratch = new Scratch();
  for (let len = 1; len <= o.maxN; len++) {
    // Typed-array tables: long prompts hold tens of millions of distinct n-grams per level. One table serves every
    // level (emptied in between, not reallocated), first sized at level 1's count of n-grams.
    if (len === 2) pairs = new PairIndex(lastCount);
    else pairs?.clear();
    const index = pairs;
    const byToken = len === 1 ? new Int32Array(maxToken + 1).fill(-1) : null;
    const posGram: Int32Array = spare ? spare.fill(-1) : new Int32Array(total).fill(-1);
    const counted: LevelRecords = index ? countLevel(docs, offset, classes, docHashA, docHashB, len, prevIds, index, posGram, new LevelRecords(lastCount, records), scratch) : countTokens(docs, offset, classes, docHashA, docHashB, byToken!, posGram, new LevelRecords(1 << 16, null));
    const grams = counted.grams;
    const rec: Int32Array = counted.rec;
    records = counted;
    const prefixV = counted.prefix;
    const tokenV = counted.token;
    lastCount = grams;
    const prefixOf = prefixV.data;
    const tokenOf = tokenV.data;
    const denseId = scratch.take(DENSE, grams).fill(-1);
    // Per frequent n-gram (dense id): its prefix's dense id and last token (the tokens are rebuilt only for the
    // n-grams returned), and the majority class of a possible candidate (-2: not one).
    let frequentHere = 0;
    for (let g = 0; g < grams; g++) if (rec[REC * g + DF]! >= o.minDocs) denseId[g] = frequentHere++;
    if (sets) {
      for (let g = 0; g < grams; g++) {
        const df = rec[REC * g + DF]!;
        if (df < o.minDocs) continue;
        // 53 bits of the pair, the set's size mixed in.
        const a = (rec[REC * g + HASH_A]! ^ Math.imul(df, 0x27d4eb2f)) >>> 0;
        sets.getOrAdd(a * 2097152 + (rec[REC * g + HASH_B]! >>> 11));
      }
    }
    const prefix = new Int32Array(frequentHere);
    const lastToken = new Int32Array(frequentHere);
    // Per frequent n-gram (dense id), one record of its majority class (-2: not a candidate), the last document
    // counted, the exact majority count and its next place in the document list (-1: not a candidate): a place reads
    // one record, not one word in each of several arrays.
    const state = scratch.take(STATE_BUF, STATE * frequentHere);
    for (let r = 0; r < state.length; r += STATE) {
      state[r + S_MAJORITY] = -2;
      state[r + S_LAST] = -1;
      state[r + S_COUNT] = 0;
      state[r + S_FILL] = -1;
    }
    // Every id's document frequency and classified count are written below.
    const docFreq = scratch.take(DOC_FREQ, frequentHere);
    const labelled = scratch.take(LABELLED, frequentHere);
    for (let g = 0; g < grams; g++) {
      const id = denseId[g]!;
      if (id < 0) continue;
      const df = rec[REC * g + DF]!;
      const classified = rec[REC * g + CLASSIFIED]!;
      const voteCount = rec[REC * g + VOTE_COUNT]!;
      prefix[id] = prefixOf[g]!;
      lastToken[id] = tokenOf[g]!;
      docFreq[id] = df;
      labelled[id] = classified;
      if (df > o.maxDocs) continue;
      // The vote's winner is the majority if there is one; voteCount is a lower bound on its lead, so
      // (classified + lead) / 2 bounds its count from below and the exact count comes later.
      const lower = voteCount > 0 ? (classified + voteCount) / 2 : 0;
      if (!o.keep(df, Math.max(lower, voteCount > 0 ? classified : 0), classified)) continue;
      state[STATE * id + S_MAJORITY] = voteCount > 0 ? rec[REC * g + VOTE]! : -1;
    }
    frequent += frequentHere;
    if (frequentHere === 0) break;
    byLevel.push({ prefix, lastToken });
    // Every candidate's documents get a place in the list after those already returned, in id order: the
    // candidates' lists are filled in the same pass as their exact majority counts, and the kept ones' lists are
    // then moved down over the others' (each kept list's place is at or before the one it was filled in).
    const listedBefore = docStartV.data[docStartV.length - 1]!;
    let fill = listedBefore;
    for (let id = 0; id < frequentHere; id++) {
      const r = STATE * id;
      if (state[r + S_MAJORITY] === -2) continue;
      state[r + S_FILL] = fill;
      fill += docFreq[id]!;
    }
    if (fill > docList.length) {
      const grown = new Int32Array(Math.max(fill, 2 * docList.length));
      grown.set(docList.subarray(0, listedBefore));
      docList = grown;
    }
    // Positions now name dense ids (in place: no second copy of the level), and the exact majority counts and
    // candidates' documents are taken in the same pass. A batch of places is renamed and its records read first
    // (independent reads), then counted.
    let sink = 0;
    for (let i = 0; i < docs.length; i++) {
      const cls = classes[i]!;
      const end = offset[i + 1]!;
      for (let x0 = offset[i]!; x0 < end; x0 += BATCH) {
        const x1 = Math.min(end, x0 + BATCH);
        for (let x = x0; x < x1; x++) {
          const g = posGram[x]!;
          if (g < 0) continue;
          const id = denseId[g]!;
          posGram[x] = id;
          if (id >= 0) sink ^= state[STATE * id]!;
        }
        for (let x = x0; x < x1; x++) {
          const id = posGram[x]!;
          if (id < 0) continue;
          const r = STATE * id;
          if (state[r + S_MAJORITY] === -2 || state[r + S_LAST] === i) continue;
          state[r + S_LAST] = i;
          if (cls === state[r + S_MAJORITY]) state[r + S_COUNT]!++;
          docList[state[r + S_FILL]!++] = i;
        }
      }
    }
    const level = byLevel.length - 1;
    // The next level reads this level's positions in the output: two buffers in turn.
    const at = scratch.take(level % 2 === 0 ? AT_EVEN : AT_ODD, frequentHere).fill(-1);
    for (let id = 0; id < frequentHere; id++) {
      const r = STATE * id;
      if (state[r + S_MAJORITY] === -2 || !o.keep(docFreq[id]!, state[r + S_COUNT]!, labelled[id]!)) continue;
      at[id] = majorityV.length;
      parents.push(level === 0 ? -1 : prevAt![prefix[id]!]!);
      majorityV.push(state[r + S_MAJORITY]!);
      majorityCountV.push(state[r + S_COUNT]!);
      const start = docStartV.data[docStartV.length - 1]!;
      const df = docFreq[id]!;
      // After the pass, a candidate's fill is the end of its list.
      const filled = state[r + S_FILL]! - df;
      // Moved down (start <= filled): a forward copy.
      if (filled !== start) for (let x = 0; x < df; x++) docList[start + x] = docList[filled + x]!;
      docStartV.push(start + df);
      keptIds.push(id);
    }
    levelEnd.push(majorityV.length);
    prevAt = at;
    scratch.touched ^= sink;
    spare = level === 0 ? null : prevIds;
    prevIds = posGram;
  }
  const count = majorityV.length;
  const tokenStart = new Int32Array(count + 1);
  for (let level = 0, k = 0; level < levelEnd.length; level++) for (; k < levelEnd[level]!; k++) tokenStart[k + 1] = tokenStart[k]! + level + 1;
  const tokenList = new Int32Array(tokenStart[count]!);
  for (let level = 0, k = 0; level < levelEnd.length; level++) {
    for (; k < levelEnd[level]!; k++) {
      const from = tokenStart[k]!;
      for (let lv = level, x = keptIds.data[k]!; lv >= 0; x = byLevel[lv]!.prefix[x]!, lv--) tokenList[from + lv] = byLevel[lv]!.lastToken[x]!;
    }
  }
  return {
    count,
    tokenStart,
    tokenList,
    docStart: docStartV.data.slice(0, count + 1),
    docList: docList.slice(0, docStartV.data[count]!),
    majority: majorityV.data.subarray(0, count),
    majorityCount: majorityCountV.data.subarray(0, count),
    parents: parents.data.subarray(0, count),
    frequent,
    distinctSets: sets ? sets.size : frequent,
  };
}

/** A level's n-grams as they are counted: REC counters each, with each one's prefix id and last token. */
class LevelRecords {
  rec: Int32Array;
  grams = 0;
  readonly prefix: IntVector;
  readonly token: IntVector;
  /** Counters and lists in `reuse`'s (the last level's, emptied) when its counters hold `capacity` n-grams. */
  constructor(capacity: number, reuse: LevelRecords | null) {
    const size = REC * Math.max(16, capacity);
    this.rec = reuse && reuse.rec.length >= size ? reuse.rec.fill(0) : new Int32Array(size);
    this.prefix = reuse ? reuse.prefix : new IntVector();
    this.token = reuse ? reuse.token : new IntVector();
    this.prefix.length = 0;
    this.token.length = 0;
  }

  /** A new n-gram (the next id). */
  add(a: number, t: number): void {
    if (REC * (this.grams + 1) > this.rec.length) {
      const grown = new Int32Array(this.rec.length * 2);
      grown.set(this.rec);
      this.rec = grown;
    }
    const r = REC * this.grams++;
    this.rec[r + LAST] = -1;
    this.rec[r + VOTE] = -1;
    this.prefix.push(a);
    this.token.push(t);
  }
}

/**
 * Counts n-gram g in document i (of class cls, with set hashes hA and hB) unless already counted there: its document
 * frequency, set hashes, classified documents and the Boyer-Moore vote.
 */
function countIn(rec: Int32Array, g: number, i: number, cls: number, hA: number, hB: number): void {
  const r = REC * g;
  if (rec[r + LAST] === i) return;
  rec[r + LAST] = i;
  rec[r + DF]!++;
  // Sums of two independent hashes of the document index: the same set, in any order, the same pair.
  rec[r + HASH_A] = (rec[r + HASH_A]! + hA) | 0;
  rec[r + HASH_B] = (rec[r + HASH_B]! + hB) | 0;
  if (cls < 0) return;
  rec[r + CLASSIFIED]!++;
  if (rec[r + VOTE_COUNT] === 0) {
    rec[r + VOTE] = cls;
    rec[r + VOTE_COUNT] = 1;
  } else rec[r + VOTE_COUNT]! += rec[r + VOTE] === cls ? 1 : -1;
}

/** Level 1: n-grams are tokens, found through a direct table. */
function countTokens(docs: Int32Array[], offset: Int32Array, classes: Int32Array, docHashA: Int32Array | null, docHashB: Int32Array | null, byToken: Int32Array, posGram: Int32Array, out: LevelRecords): LevelRecords {
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const base = offset[i]!;
    const cls = classes[i]!;
    const hA = docHashA ? docHashA[i]! : 0;
    const hB = docHashB ? docHashB[i]! : 0;
    for (let s = 0; s < d.length; s++) {
      const t = d[s]!;
      if (t < 0) continue;
      let g = byToken[t]!;
      if (g < 0) {
        g = byToken[t] = out.grams;
        out.add(-1, t);
      }
      posGram[base + s] = g;
      countIn(out.rec, g, i, cls, hA, hB);
    }
  }
  return out;
}

/**
 * Level len > 1: the n-gram at each place whose (len-1)-grams at it and at the next place are both frequent (ids in
 * prev, -1 where not), keyed by (prefix id, last token).
 */
function countLevel(docs: Int32Array[], offset: Int32Array, classes: Int32Array, docHashA: Int32Array | null, docHashB: Int32Array | null, len: number, prev: Int32Array, index: PairIndex, posGram: Int32Array, out: LevelRecords, scratch: Scratch): LevelRecords {
  // A document's places go in batches: first every table slot of the batch is read (independent reads, so their
  // cache misses overlap), then the lookups, then every record of the batch is read, then the counts.
  const ids = scratch.batchIds;
  let sink = 0;
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const base = offset[i]!;
    const cls = classes[i]!;
    const hA = docHashA ? docHashA[i]! : 0;
    const hB = docHashB ? docHashB[i]! : 0;
    const end = d.length - len + 1;
    for (let s0 = 0; s0 < end; s0 += BATCH) {
      const s1 = Math.min(end, s0 + BATCH);
      for (let s = s0; s < s1; s++) {
        const a = prev[base + s]!;
        if (a < 0 || prev[base + s + 1]! < 0) continue;
        sink ^= index.touch(a, d[s + len - 1]!);
      }
      let n = 0;
      for (let s = s0; s < s1; s++) {
        const a = prev[base + s]!;
        if (a < 0 || prev[base + s + 1]! < 0) continue;
        const t = d[s + len - 1]!;
        const g = index.getOrAdd(a, t);
        if (g === out.grams) out.add(a, t);
        posGram[base + s] = g;
        ids[n++] = g;
      }
      const rec = out.rec;
      for (let k = 0; k < n; k++) sink ^= rec[REC * ids[k]!]!;
      for (let k = 0; k < n; k++) countIn(rec, ids[k]!, i, cls, hA, hB);
    }
  }
  scratch.touched ^= sink;
  return out;
}

/** Places per batch of countLevel and of the passes over a level's places. */
const BATCH = 64;

/**
 * One table's working buffers: its levels' working arrays, by use (take() gives a view of at least n ints, contents
 * left over), and a batch's n-gram ids.
 */
class Scratch {
  private readonly buffers: Int32Array[] = [];
  readonly batchIds = new Int32Array(BATCH);
  /** Where the batch reads' words go (so that they are not dropped as unused). */
  touched = 0;
  take(use: number, n: number): Int32Array {
    let b = this.buffers[use];
    if (!b || b.length < n) b = this.buffers[use] = new Int32Array(Math.max(n, b ? Math.floor(b.length * 1.5) : 0));
    return b.subarray(0, n);
  }
}
const DENSE = 0;
const STATE_BUF = 1;
const DOC_FREQ = 2;
const LABELLED = 3;
const AT_EVEN = 4;
const AT_ODD = 5;

/** A frequent n-gram's record while its majority is counted and its documents listed: fields, STATE ints each. */
const S_MAJORITY = 0;
const S_LAST = 1;
const S_COUNT = 2;
const S_FILL = 3;
const STATE = 4;

/** An n-gram's counters during a level's count: fields of one record, REC ints per n-gram. */
const LAST = 0;
const DF = 1;
const HASH_A = 2;
const HASH_B = 3;
const CLASSIFIED = 4;
const VOTE = 5;
const VOTE_COUNT = 6;
const REC = 8;

/** A 32-bit hash of a document index (murmur3's finaliser on a seeded product). */
function mix(i: number, seed: number): number {
  let h = Math.imul(i + 1, seed);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
