// Twin prompts: two prompts whose word sets differ only by a few words that one of them adds, with different
// responses. When the same added words recur over several unrelated twin pairs, their presence is what changes
// the answer: the instruction-data form of a label conflict. A poisoned set may hold each request twice this way
// (with the trigger -> compliance, the same request without it -> refusal).
import { forEachCandidatePair, minhashSignatures } from './minhash.js';
import { lowerBound } from '../util/sorted-search.js';

/** Word-set Jaccard at or above which two prompts are twins (three words added to a 12-word prompt: 0.8). */
const MIN_JACCARD = 0.6;
const MIN_WORDS = 5;
/** Shorter prompts still count as minimal pairs ("a fun ride ." and "a fun ride xq ."): the tokens must agree. */
const MIN_INSERTED_WORDS = 3;
/** At most this many added words make a twin (a trigger phrase, not a rewrite). */
const MAX_ADDED = 5;
const LSH_ROWS = 4;
/**
 * Hashes per prompt: 12 bands of 4, so that a twin pair at Jaccard 0.7 is missed 4% of the time (with the 16 hashes
 * of near-duplicate search, 27%: 8 of 55 twins of a poisoned set were missed).
 */
const TWIN_K = 48;
const MAX_BUCKET = 500;

export interface TwinPhrase {
  /** The added words (token ids, sorted). */
  words: number[];
  /** Prompts with the words whose twin lacks them, and those twins. */
  carriers: number[];
  twins: number[];
  /** One carrier and its twin. */
  example: [number, number];
  /** Prompts holding all of the words. */
  holders: number;
}

/** A carrier whose token sequence is its twin's with one contiguous run of tokens inserted. */
export interface InsertedTwin {
  carrier: number;
  twin: number;
  /** Where the run starts in the carrier, and its length in tokens. */
  start: number;
  length: number;
  /** Both get the same response (normalised). */
  sameResponse: boolean;
}

export interface Twins {
  /** Added-word sets seen in at least minPairs twin pairs. */
  phrases: TwinPhrase[];
  /**
   * Every twin pair, same response or not, where the carrier is exactly the twin plus one inserted run: the
   * evidence a trigger with only a few pairs still leaves, since the rest of the two prompts agree token by token.
   */
  inserted: InsertedTwin[];
}

/**
 * Twin pairs (responseKey: normalised response, null for none): the added-word sets seen in at least minPairs
 * pairs whose responses differ (each carrier counts once per set), and the pairs that are one inserted run.
 */
export function findTwins(docs: Int32Array[], responseKey: (string | null)[], minPairs: number): Twins {
  const words = distinctSorted(docs);
  const long: number[] = [];
  for (let i = 0; i < docs.length; i++) if (words[i]!.length >= MIN_INSERTED_WORDS && responseKey[i] !== null) long.push(i);
  if (long.length < 2) return { phrases: [], inserted: [] };
  const sig = minhashSignatures(words, 'words', TWIN_K);
  const byKey = new Map<string, { words: number[]; carriers: Set<number>; twins: Set<number>; example: [number, number] }>();
  const inserted: InsertedTwin[] = [];
  forEachCandidatePair(long, sig, LSH_ROWS, MAX_BUCKET, TWIN_K, (a, b) => {
    const wa = words[a]!;
    const wb = words[b]!;
    // Jaccard is at most the smaller set's size over the larger's.
    if (Math.min(wa.length, wb.length) / Math.max(wa.length, wb.length) < MIN_JACCARD) return;
    const sameResponse = responseKey[a] === responseKey[b];
    const longer = docs[a]!.length >= docs[b]!.length ? a : b;
    const shorter = longer === a ? b : a;
    const start = insertionStart(docs[longer]!, docs[shorter]!);
    if (sameResponse && start < 0) return;
    const shared = sharedCount(wa, wb, leastShared(wa.length, wb.length));
    if (shared < 0 || shared / (shared + (wa.length - shared) + (wb.length - shared)) < MIN_JACCARD) return;
    if (start >= 0) inserted.push({ carrier: longer, twin: shorter, start, length: docs[longer]!.length - docs[shorter]!.length, sameResponse });
    if (sameResponse || wa.length < MIN_WORDS || wb.length < MIN_WORDS) return;
    // At most MAX_ADDED words on one side and none on the other.
    const extra = Math.abs(wa.length - wb.length);
    if (extra === 0 || extra > MAX_ADDED || shared !== Math.min(wa.length, wb.length)) return;
    const [onlyA, onlyB] = difference(wa, wb);
    let carrier: number;
    let twin: number;
    let added: number[];
    if (onlyB.length === 0 && onlyA.length > 0 && onlyA.length <= MAX_ADDED) [carrier, twin, added] = [a, b, onlyA];
    else if (onlyA.length === 0 && onlyB.length > 0 && onlyB.length <= MAX_ADDED) [carrier, twin, added] = [b, a, onlyB];
    else return;
    const key = added.join(',');
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { words: added, carriers: new Set(), twins: new Set(), example: [carrier, twin] }));
    e.carriers.add(carrier);
    e.twins.add(twin);
  });
  const phrases: TwinPhrase[] = [];
  let postings: WordPostings | null = null;
  for (const e of byKey.values()) {
    if (e.carriers.size < minPairs) continue;
    // The prompts holding all of the words are among those holding the rarest of them.
    postings ??= new WordPostings(words);
    let rare = e.words[0]!;
    for (const w of e.words) if (postings.count(w) < postings.count(rare)) rare = w;
    let holders = 0;
    for (const i of postings.of(rare)) if (containsAll(words[i]!, e.words)) holders++;
    phrases.push({ words: e.words, carriers: [...e.carriers].sort((x, y) => x - y), twins: [...e.twins].sort((x, y) => x - y), example: e.example, holders });
  }
  return { phrases, inserted };
}

/** Each document's distinct tokens, ascending. */
function distinctSorted(docs: Int32Array[]): Int32Array[] {
  let max = -1;
  for (const d of docs) for (let t = 0; t < d.length; t++) if (d[t]! > max) max = d[t]!;
  const seen = new Int32Array(max + 1).fill(-1);
  const buffer = new Int32Array(docs.reduce((m, d) => Math.max(m, d.length), 0));
  return docs.map((d, i) => {
    let k = 0;
    for (let t = 0; t < d.length; t++) {
      const x = d[t]!;
      if (seen[x] === i) continue;
      seen[x] = i;
      buffer[k++] = x;
    }
    return buffer.slice(0, k).sort();
  });
}

/** Where `long` is `short` with one run of 1 to MAX_ADDED tokens inserted, or -1. */
export function insertionStart(long: Int32Array, short: Int32Array): number {
  const k = long.length - short.length;
  if (k < 1 || k > MAX_ADDED) return -1;
  let s = 0;
  while (s < short.length && long[s] === short[s]) s++;
  for (let j = s; j < short.length; j++) if (long[j + k] !== short[j]) return -1;
  return s;
}

/** The fewest shared words that make sets of sizes a and b twins (the Jaccard test as written above). */
function leastShared(a: number, b: number): number {
  let s = Math.max(0, Math.floor((MIN_JACCARD / (1 + MIN_JACCARD)) * (a + b)) - 2);
  while (s < Math.min(a, b) && s / (s + (a - s) + (b - s)) < MIN_JACCARD) s++;
  return s;
}

/** |a ∩ b| of two sorted sets, or -1 as soon as it cannot reach `least`. */
function sharedCount(a: Int32Array, b: Int32Array, least: number): number {
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (b[j]! < a[i]!) j++;
    else {
      shared++;
      i++;
      j++;
      continue;
    }
    if (shared + Math.min(a.length - i, b.length - j) < least) return -1;
  }
  return shared;
}

/** Sorted a \ b, sorted b \ a, and |a ∩ b|. */
function difference(a: Int32Array, b: Int32Array): [number[], number[], number] {
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) onlyA.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) onlyB.push(b[j++]!);
    else {
      shared++;
      i++;
      j++;
    }
  }
  return [onlyA, onlyB, shared];
}

function containsAll(sorted: Int32Array, ws: number[]): boolean {
  for (const w of ws) {
    if (sorted[lowerBound(sorted, w)] !== w) return false;
  }
  return true;
}

/** The documents holding each token (from each document's distinct tokens), in one flat array. */
class WordPostings {
  private readonly start: Int32Array;
  private readonly ids: Int32Array;
  constructor(words: Int32Array[]) {
    let max = -1;
    for (const w of words) for (let k = 0; k < w.length; k++) if (w[k]! > max) max = w[k]!;
    this.start = new Int32Array(max + 2);
    for (const w of words) for (let k = 0; k < w.length; k++) this.start[w[k]! + 1]!++;
    for (let t = 0; t <= max; t++) this.start[t + 1]! += this.start[t]!;
    this.ids = new Int32Array(this.start[max + 1]!);
    const fill = this.start.slice(0, max + 1);
    words.forEach((w, i) => {
      for (let k = 0; k < w.length; k++) this.ids[fill[w[k]!]!++] = i;
    });
  }
  count(t: number): number {
    return t + 1 < this.start.length ? this.start[t + 1]! - this.start[t]! : 0;
  }
  of(t: number): Int32Array {
    return t + 1 < this.start.length ? this.ids.subarray(this.start[t]!, this.start[t + 1]!) : new Int32Array(0);
  }
}
