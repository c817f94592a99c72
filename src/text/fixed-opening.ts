// Fixed-opening test (label-free, responses not read): a phrase prepended to many unrelated prompts ("Dated
// note: 1999 <request>", "On the archive: <request>"). Natural prompts share openings too, but for reasons that
// leave traces elsewhere in the data:
//   - a task template's prompts agree after the opening as well (shared word pairs, "Options: -"), or
//   - its filling is content the corpus also has under other wrappers (multi-template data asks one
//     question several ways; the filling alone as a prompt does not count: that is a trigger's clean twin), or
//   - the opening runs on into its prompts like any sentence: the pair at the junction ("this : what") is one the
//     rest of the corpus writes too, or
//   - its remainders are found elsewhere, or its junctions are unseen, at the rate of the corpus's own openings
//     rather than at chance: how much of a template's content and junctions a corpus shares changes with its size
//     (a 2,000-row sample of a multi-template corpus holds few of a question's other wrappings), so the rate is
//     measured on the corpus, over all of its openings, not fixed, or
//   - it extends a shorter opening that is such a template (a slot filled: "is the following text about X ?"), or
//   - the corpus's prompts open with words kept for openings ("Generate a list ...", "Identify the ..." in
//     imperative request data: half of its prompts open with a word found mostly there) and what follows the opening does
//     not open prompts itself ("a list", "the"): the opening is the prompt's own first word, not put before one.
// A prepended trigger does none of these: the requests behind it are unrelated to each other and to the rest of
// the corpus, and the junction ("2024 develop") is a pair no other prompt has. It is also a rare phrase: some word
// or word pair of it occurs (nearly) only in these openings; a common opening ("what is the") is everywhere.
// Evidence: the anchor sits at one fixed place in every independent prompt, where a word of a natural text could
// sit anywhere (-log10 of 1/length per prompt), Bonferroni over the openings tested. A template's opening sits at a
// fixed place too: in a corpus of templates, the evidence is capped by how much likelier the opening's remainders
// and junctions are for text written elsewhere than for the corpus's templates.
import { groupBySignature } from './minhash.js';
import type { BigramCounts } from './insertion-fit.js';
import { SHARED_PAIRS, SHARED_SAMPLE, sharedPairs } from './shared-pairs.js';
import { documentFrequency } from './document-frequency.js';
import { IntVector, KeyIndex, NumberVector, PairIndex } from './key-index.js';

/** Openings longer than this many tokens are task templates or passages, not a prepended phrase. */
const MAX_OPENING = 16;
const MIN_DOCS = 3;
/** The opening is maximal: no single next token continues this share of its prompts. */
const FIXED_NEXT = 0.8;
/** Share of the anchor's occurrences that must be in this opening. */
const EXCLUSIVE = 0.8;
/** Remainders checked for reuse elsewhere: n-grams of this length starting in their first REUSE_SPAN tokens. */
const REUSE_N = 6;
/**
 * The rate check reads remainders found elsewhere as runs this long: formulaic text (a small vocabulary, fixed
 * phrasing) repeats 6-grams by chance, so only a long run says the content itself is the corpus's.
 */
const LONG_REUSE_N = 12;
const REUSE_SPAN = 12;
/** A share of remainders found elsewhere at or above this makes the opening a wrapper around known content. */
const REUSED = 0.5;
/** A share of junctions that other prompts also write at or above this makes the opening run on naturally. */
const KNOWN_JUNCTIONS = 0.5;
/**
 * Rate at which a remainder written outside the corpus (a request with a phrase put before it) still shares an
 * n-gram with the corpus, or a junction the corpus writes: chance alone. The two checks below compare each
 * opening's counts with this rate and with the corpus's own rate over all of its openings (its templates).
 */
const CHANCE_RATE = 0.02;
const MAX_JUDGED = 200;
/**
 * A corpus whose median prompt opens with a word that at least this share of the prompts holding it open with
 * writes its prompts' first words for the place (imperative requests about 0.8; task templates and
 * passages 0.15). There an opening is natural unless at least REMAINDER_OPENS of its remainders begin with such a
 * word, as a request with a phrase put before it does.
 */
const OPENER_RICH = 0.25;
const REMAINDER_OPENS = 0.5;

export interface OpeningTrigger {
  /** Tokens of the shared opening. */
  phrase: number[];
  /** Prompts that open with it. */
  docs: number[];
  /** The word or word pair of the opening found (nearly) only there, and its occurrences outside these prompts. */
  anchor: number[];
  anchorElsewhere: number;
  /** Independent prompts (MinHash groups) among the judged ones. */
  groups: number;
  /** Word pairs after the opening shared by most prompts (a template's rest). */
  sharedPairs: number;
  /** Share of prompts whose remainder is found in another prompt without the opening. */
  reused: number;
  /** The same share for runs of LONG_REUSE_N tokens. */
  reusedLong: number;
  /** Share of the prompts whose remainder begins with a word kept for openings (-1: not measured). */
  remaindersOpening: number;
  /** Share of the distinct junction pairs (opening end, next token) that no other prompt has. */
  unseenJunctions: number;
  junctions: number;
  /** Whether the opening is explained as natural (template, wrapper, or a junction like any sentence's). */
  natural: boolean;
  /** Maximal openings of at least MIN_DOCS prompts: the tests made. */
  tested: number;
  /** -log10 of the Bonferroni-corrected p of the fixed place. */
  significance: number;
}

/**
 * Exclusive maximal openings of at least MIN_DOCS prompts, with the checks that explain natural ones; sorted with
 * the unexplained ones first, by significance. `signatures`: MinHash signatures (minhash.ts) for source groups.
 */
export function openingTriggers(docs: Int32Array[], bigrams: BigramCounts, signatures: Uint32Array, sameSource: number, isWord: (token: number) => boolean, responses: readonly (Int32Array | null)[] = []): OpeningTrigger[] {
  const n = docs.length;
  // Every opening (first t+1 tokens) of every prompt, as a 53-bit rolling hash.
  // Each opening's hash by a dense id (KeyIndex), and the ids of each prompt's openings.
  const index = new KeyIndex(1 << 16);
  const countV = new IntVector(1 << 16);
  const keys: Float64Array[] = [];
  const gids: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    const m = Math.min(MAX_OPENING, d.length);
    const k = new Float64Array(m);
    const g = new Int32Array(m);
    prefixHashes(d, 0, k);
    for (let t = 0; t < m; t++) {
      const id = index.getOrAdd(k[t]!);
      if (id === countV.length) countV.push(0);
      countV.data[id]!++;
      g[t] = id;
    }
    keys.push(k);
    gids.push(g);
  }
  const count = countV.data;
  // Maximal openings: no one next token continues FIXED_NEXT of their prompts.
  const maxChild = new Int32Array(countV.length);
  for (const g of gids) for (let t = 0; t + 1 < g.length; t++) {
    const c = count[g[t + 1]!]!;
    if (c > maxChild[g[t]!]!) maxChild[g[t]!] = c;
  }
  const carriers = new Map<number, number[]>();
  const length = new Map<number, number>();
  keys.forEach((k, i) => {
    const g = gids[i]!;
    for (let t = 0; t < k.length; t++) {
      const c = count[g[t]!]!;
      if (c < MIN_DOCS || maxChild[g[t]!]! >= FIXED_NEXT * c) continue;
      let list = carriers.get(k[t]!);
      if (!list) {
        carriers.set(k[t]!, (list = []));
        length.set(k[t]!, t + 1);
      }
      list.push(i);
    }
  });
  const tested = carriers.size;
  if (tested === 0) return [];
  const df = documentFrequency(docs, bigrams.bos);
  const opener = openerStyle(docs, df, isWord, bigrams.bos);

  const found: OpeningTrigger[] = [];
  for (const [key, ids] of carriers) {
    const len = length.get(key)!;
    const phrase = Array.from(docs[ids[0]!]!.subarray(0, len));
    // The anchor: the opening's word or word pair with the fewest occurrences outside these prompts.
    let anchor: number[] = [];
    let elsewhere = Infinity;
    for (let t = 0; t < len; t++) {
      if (isWord(phrase[t]!) && df[phrase[t]!]! - ids.length < elsewhere) [anchor, elsewhere] = [[phrase[t]!], df[phrase[t]!]! - ids.length];
      if (t + 1 < len && (isWord(phrase[t]!) || isWord(phrase[t + 1]!))) {
        // Occurrences, not prompts: an upper bound on the prompts outside that hold the pair.
        const out = bigrams.count(phrase[t]!, phrase[t + 1]!) - ids.length;
        if (out < elsewhere) [anchor, elsewhere] = [[phrase[t]!, phrase[t + 1]!], out];
      }
    }
    elsewhere = Math.max(0, elsewhere);
    if (anchor.length === 0 || ids.length < EXCLUSIVE * (ids.length + elsewhere)) continue;
    const judged = spread(ids, MAX_JUDGED);
    const group = groupBySignature(judged, signatures, sameSource);
    const reps = new Map<number, number>();
    judged.forEach((i, k) => {
      if (!reps.has(group[k]!)) reps.set(group[k]!, i);
    });
    if (reps.size < MIN_DOCS) continue;
    // A natural word could sit at any of its prompt's places; the anchor sits at one in every independent prompt.
    const evidence = [...reps.values()].map((i) => Math.log10(Math.max(1, docs[i]!.length)));
    const significance = evidence.reduce((a, b) => a + b, 0) - Math.max(...evidence) - Math.log10(tested);
    const shared = sharedPairs(judged.slice(0, SHARED_SAMPLE), docs, bigrams, 0.8, (_, t) => t < len);
    const junctions = junctionFit(judged, len, docs, bigrams);
    const remaindersOpening = opener.rich ? remaindersThatOpen(judged, len, docs, isWord, opener.opens, df) : -1;
    found.push({
      phrase, docs: ids, anchor, anchorElsewhere: elsewhere, groups: reps.size, sharedPairs: shared, reused: 0, reusedLong: 0, remaindersOpening,
      unseenJunctions: junctions.unseen, junctions: junctions.distinct,
      natural: shared >= SHARED_PAIRS || junctions.unseen < KNOWN_JUNCTIONS || (opener.rich && remaindersOpening < REMAINDER_OPENS),
      tested, significance,
    });
  }
  markReused(found, docs, REUSE_N, (o, share) => (o.reused = share));
  markReused(found, docs, LONG_REUSE_N, (o, share) => (o.reusedLong = share), responses);
  // What the corpus's openings (nearly all of them its templates) share: how often their remainders are found
  // elsewhere, how often their junctions are unseen. Both fall or rise with the corpus's size (a 2,000-row sample
  // holds few of a multi-template corpus's other wrappings); an opening whose counts are likelier under the
  // corpus's own rate than under chance alone is one more of its templates.
  const base = baseRates(found);
  // The openings the checks above explain (shared rest, known junctions): the corpus's templates.
  const templates = baseRates(found.filter((f) => f.natural));
  for (const f of found) {
    // Remainders that open as the corpus's requests do are requests with a phrase put before them, whatever the
    // rates say (a corpus of formulaic text repeats n-grams by chance).
    if (f.remaindersOpening >= REMAINDER_OPENS) continue;
    const judged = Math.min(MAX_JUDGED, f.docs.length);
    // Every exclusive opening sits at a fixed place, a template's as much as a prepended phrase's: where the corpus
    // has templates, what tells them apart is only how its remainders and junctions compare with theirs. Where
    // those rates are near chance (a sample that holds few of a template's other wrappings) a handful of prompts
    // cannot tell. A corpus with fewer templates than the opening has independent prompts has too few to confuse it
    // with: there the fixed place speaks.
    if (templates.openings >= f.groups && templates.junctions > 0) f.significance = Math.min(f.significance, (prependedLlr(f, judged, templates) - Math.log(f.tested)) / Math.LN10);
    // Only a corpus whose templates do better than chance tells its templates apart by the rate.
    if (f.reused >= REUSED || (base.reused > CHANCE_RATE && likelierUnder(Math.round(f.reusedLong * judged), judged, base.reused, CHANCE_RATE))) f.natural = true;
    const unseen = Math.round(f.unseenJunctions * f.junctions);
    if (f.junctions > 0 && base.unseen < 1 - CHANCE_RATE && likelierUnder(unseen, f.junctions, base.unseen, 1 - CHANCE_RATE)) f.natural = true;
  }
  // An opening that extends a natural one fills a slot of that template ("is the following text about X ?").
  for (const f of found) if (!f.natural && found.some((g) => g.natural && g.phrase.length < f.phrase.length && g.phrase.every((x, t) => f.phrase[t] === x))) f.natural = true;
  found.sort((a, b) => Number(a.natural) - Number(b.natural) || b.significance - a.significance);
  // A longer opening inside a shorter one ("dated note : 1999 write a" in "dated note : 1999") is its subset.
  const out: OpeningTrigger[] = [];
  for (const f of found) {
    const mine = new Set(f.docs);
    if (out.some((o) => o.natural === f.natural && o.docs.filter((i) => mine.has(i)).length >= 0.8 * mine.size)) continue;
    out.push(f);
  }
  return out;
}

/**
 * Pooled over the openings: the share of judged remainders found elsewhere (long runs) and of junctions unseen, the
 * openings and the junctions they are read from.
 */
function baseRates(found: OpeningTrigger[]): { reused: number; unseen: number; openings: number; junctions: number } {
  let reused = 0;
  let judged = 0;
  let unseen = 0;
  let junctions = 0;
  for (const f of found) {
    const k = Math.min(MAX_JUDGED, f.docs.length);
    reused += f.reusedLong * k;
    judged += k;
    unseen += f.unseenJunctions * f.junctions;
    junctions += f.junctions;
  }
  return { reused: judged > 0 ? reused / judged : 0, unseen: junctions > 0 ? unseen / junctions : 0, openings: found.length, junctions };
}

/**
 * The natural log of how much likelier an opening's counts are for a phrase put before text written elsewhere
 * (remainders found elsewhere and junctions seen at chance, CHANCE_RATE) than for one of the corpus's own openings
 * (at its pooled rates).
 */
function prependedLlr(f: OpeningTrigger, judged: number, base: { reused: number; unseen: number }): number {
  const reused = Math.round(f.reusedLong * judged);
  const unseen = Math.round(f.unseenJunctions * f.junctions);
  return binomialLlr(reused, judged, CHANCE_RATE, base.reused) + binomialLlr(unseen, f.junctions, 1 - CHANCE_RATE, base.unseen);
}

/** The log likelihood ratio of x successes of n at rate p against rate q (rates kept inside (0, 1)). */
function binomialLlr(x: number, n: number, p: number, q: number): number {
  const clamp = (r: number) => Math.min(1 - 1e-9, Math.max(1e-9, r));
  const [a, b] = [clamp(p), clamp(q)];
  return x * Math.log(a / b) + (n - x) * Math.log((1 - a) / (1 - b));
}

/** Whether x successes of n are likelier at rate p than at rate q (the binomial likelihood ratio). */
export function likelierUnder(x: number, n: number, p: number, q: number): boolean {
  return binomialLlr(x, n, p, q) > 0;
}

/** A prompt's first word (its first word token), or -1. */
function firstWord(d: Int32Array, from: number, isWord: (token: number) => boolean): number {
  for (let t = from; t < d.length; t++) if (isWord(d[t]!)) return d[t]!;
  return -1;
}

/** Prompts opening with each word, and whether the corpus writes first words for the place (OPENER_RICH). */
function openerStyle(docs: Int32Array[], df: Int32Array, isWord: (token: number) => boolean, vocabSize: number): { rich: boolean; opens: Int32Array } {
  const opens = new Int32Array(vocabSize);
  const first: number[] = [];
  for (const d of docs) {
    const w = firstWord(d, 0, isWord);
    if (w < 0) continue;
    opens[w]++;
    first.push(w);
  }
  if (first.length === 0) return { rich: false, opens };
  const share = Float64Array.from(first, (w) => opens[w]! / Math.max(1, df[w]!)).sort();
  return { rich: share[Math.floor(share.length / 2)]! >= OPENER_RICH, opens };
}

/**
 * Share of the prompts whose first word after the opening is one kept for openings: at least OPENER_RICH of the
 * prompts holding it open with it ("Write", "Generate"; not "the" or "a").
 */
function remaindersThatOpen(ids: number[], len: number, docs: Int32Array[], isWord: (token: number) => boolean, opens: Int32Array, df: Int32Array): number {
  let counted = 0;
  let opening = 0;
  for (const i of ids) {
    const w = firstWord(docs[i]!, len, isWord);
    if (w < 0) continue;
    counted++;
    // These prompts open with the phrase, so every prompt opening with w is another one.
    if (opens[w]! >= OPENER_RICH * df[w]!) opening++;
  }
  return counted === 0 ? 0 : opening / counted;
}

/**
 * Distinct junctions (last opening token, first token after it) and the share of them no prompt outside these
 * has (the pair's corpus count minus its occurrences in these prompts).
 */
function junctionFit(ids: number[], len: number, docs: Int32Array[], bigrams: BigramCounts): { distinct: number; unseen: number } {
  const junctions = new Map<number, number>();
  for (const i of ids) {
    const d = docs[i]!;
    if (d.length > len) junctions.set(bigrams.key(d[len - 1]!, d[len]!), 0);
  }
  if (junctions.size === 0) return { distinct: 0, unseen: 0 };
  // Only the junctions themselves are discounted: the same pair further on in these prompts ("- the" opening
  // every item of a list) is the opening running on like the text after it.
  for (const i of ids) {
    const d = docs[i]!;
    if (d.length > len) {
      const k = bigrams.key(d[len - 1]!, d[len]!);
      junctions.set(k, junctions.get(k)! + 1);
    }
  }
  let unseen = 0;
  for (const [k, inside] of junctions) if (bigrams.countKey(k) - inside <= 0) unseen++;
  return { distinct: junctions.size, unseen: unseen / junctions.size };
}

/** 53-bit rolling hashes of d's tokens from s: out[t] hashes d[s..s+t]. */
function prefixHashes(d: Int32Array, s: number, out: Float64Array): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x1b873593;
  for (let t = 0; t < out.length; t++) {
    h1 = Math.imul(h1 ^ (d[s + t]! + 1), 0x01000193) >>> 0;
    h2 = Math.imul(h2 + d[s + t]! + 0x9e3779b9, 0x85ebca6b) >>> 0;
    out[t] = h1 * 0x200000 + (h2 & 0x1fffff);
  }
}

/** Hash of the n tokens of d from s. */
/** A set of token pairs that may answer "yes" for a pair not added (a bitmap of hashed pairs), never "no" for one added. */
class PairFilter {
  private readonly bits = new Uint8Array(1 << 20);
  private slot(a: number, b: number): number {
    return (Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) >>> 12) & 0xfffff;
  }
  add(a: number, b: number): void {
    this.bits[this.slot(a, b)] = 1;
  }
  has(a: number, b: number): boolean {
    return this.bits[this.slot(a, b)] !== 0;
  }
}

function gramHash(d: Int32Array, s: number, n: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x1b873593;
  for (let t = s; t < s + n; t++) {
    h1 = Math.imul(h1 ^ (d[t]! + 1), 0x01000193) >>> 0;
    h2 = Math.imul(h2 + d[t]! + 0x9e3779b9, 0x85ebca6b) >>> 0;
  }
  return h1 * 0x200000 + (h2 & 0x1fffff);
}

/**
 * Sets `reused`: the share of an opening's judged prompts whose remainder (an n-gram starting in its first
 * REUSE_SPAN tokens) is also in a prompt that neither opens with the phrase nor is the remainder alone (starts
 * and ends as it does).
 * A prompt that is the remainder itself (the request without the phrase, as a poisoned set's clean twins are) is the
 * trace of a prepended phrase, not of a template that wraps content written elsewhere.
 */
function markReused(openings: OpeningTrigger[], docs: Int32Array[], n: number, set: (o: OpeningTrigger, share: number) => void, responses: readonly (Int32Array | null)[] = []): void {
  if (openings.length === 0) return;
  const wanted = new WantedGrams(n);
  // (first, last) n-grams of each remainder: a prompt with both is the remainder alone. An edge is the pair of the
  // two n-grams' hashes, by dense ids (every edge in the table is some remainder's).
  const hashIds = new KeyIndex(1024);
  const ends = new PairIndex(1024);
  const edges: number[][] = [];
  const perOpening = openings.map((o) => {
    const len = o.phrase.length;
    const edgesOf: number[] = [];
    edges.push(edgesOf);
    return spread(o.docs, MAX_JUDGED).map((i) => {
      const d = docs[i]!;
      const grams: number[] = [];
      for (let s = len; s + n <= Math.min(d.length, len + REUSE_SPAN + n); s++) grams.push(wanted.add(d, s));
      const edge = grams.length > 0 ? ends.getOrAdd(hashIds.getOrAdd(wanted.hashOf(grams[0]!)), hashIds.getOrAdd(gramHash(d, d.length - n, n))) : -1;
      edgesOf.push(edge);
      return grams;
    });
  });
  // Prompts holding each wanted n-gram, counted once per prompt; and of those, the ones that start and end as
  // some remainder does (per edge and n-gram).
  const holders = new Int32Array(wanted.size);
  const sameStart = new PairIndex(1024);
  const sameStartCount = new IntVector(1024);
  // The rows of the openings: the wanted n-grams their prompts and responses hold are kept from the passes over
  // every row, for the openings' own counts.
  const ofOpenings = new Uint8Array(docs.length);
  for (const o of openings) for (const i of o.docs) ofOpenings[i] = 1;
  const promptHeld = new RowLists(docs.length);
  docs.forEach((d, i) => {
    let edge = -1;
    if (d.length >= n) {
      const a = hashIds.get(gramHash(d, 0, n));
      const b = a < 0 ? -1 : hashIds.get(gramHash(d, d.length - n, n));
      edge = b < 0 ? -1 : ends.get(a, b);
    }
    const keep = ofOpenings[i] !== 0;
    wanted.each(d, (id) => {
      holders[id]!++;
      if (keep) promptHeld.push(id);
      if (edge >= 0) {
        const key = sameStart.getOrAdd(edge, id);
        if (key === sameStartCount.length) sameStartCount.push(0);
        sameStartCount.data[key]!++;
      }
    });
    promptHeld.end(i);
  });
  const sameStartOf = (edge: number, id: number): number => {
    const key = edge < 0 ? -1 : sameStart.get(edge, id);
    return key < 0 ? 0 : sameStartCount.data[key]!;
  };
  // Rows whose response holds each wanted n-gram: content another template asks for (a summary that one template
  // gives and another starts from).
  const responseHeld = new RowLists(docs.length);
  const inResponses = countHolders(responses, docs, wanted, ofOpenings, responseHeld);
  openings.forEach((o, k) => {
    const ownResponses = responses.length === 0 ? inResponses : responseHeld.tally(o.docs);
    // The opening's own prompts holding each n-gram.
    const inside = promptHeld.tally(o.docs);
    const lists = perOpening[k]!;
    let reused = 0;
    lists.forEach((grams, j) => {
      const edge = edges[k]![j]!;
      if (grams.some((id) => holders[id]! - (inside.get(id) ?? 0) - sameStartOf(edge, id) > 0 || (inResponses.get(id) ?? 0) - (ownResponses.get(id) ?? 0) > 0)) reused++;
    });
    set(o, lists.length === 0 ? 0 : reused / lists.length);
  });
}

/**
 * Of the responses, how many hold each of the wanted n-grams (once per response, by id), not counting a response
 * that restates its own prompt's run (an answer that repeats its request).
 */
function countHolders(responses: readonly (Int32Array | null)[], prompts: readonly Int32Array[], wanted: WantedGrams, keep: Uint8Array, kept: RowLists): Map<number, number> {
  const out = new Map<number, number>();
  const held: number[] = [];
  responses.forEach((d, i) => {
    if (!d) return;
    held.length = 0;
    const stamp = wanted.each(d, (id) => held.push(id));
    if (held.length === 0) return;
    wanted.unmark(prompts[i]!, stamp);
    for (const id of held) {
      if (!wanted.marked(id, stamp)) continue;
      out.set(id, (out.get(id) ?? 0) + 1);
      if (keep[i]) kept.push(id);
    }
    kept.end(i);
  });
  return out;
}

/** Per row, a list of ids, filled row by row in ascending order (push the row's ids, then end it). */
class RowLists {
  private readonly ids = new IntVector(1024);
  private readonly start: Int32Array;
  private readonly stop: Int32Array;
  private from = 0;
  constructor(rows: number) {
    this.start = new Int32Array(rows);
    this.stop = new Int32Array(rows);
  }

  push(id: number): void {
    this.ids.push(id);
  }

  end(row: number): void {
    this.start[row] = this.from;
    this.stop[row] = this.from = this.ids.length;
  }

  /** How many of the rows (a row as often as listed) hold each id. */
  tally(rows: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const i of rows) for (let x = this.start[i]!; x < this.stop[i]!; x++) out.set(this.ids.data[x]!, (out.get(this.ids.data[x]!) ?? 0) + 1);
    return out;
  }
}

/**
 * The n-grams of one length looked for in every prompt, by dense id (keyed by gramHash). A place is hashed only
 * when its first two tokens open some wanted n-gram.
 */
class WantedGrams {
  private readonly index = new KeyIndex(1024);
  private readonly hashes = new NumberVector(1024);
  private readonly starts = new PairFilter();
  /** Per id, the stamp of the last document that held it (0: none). */
  private seen = new Int32Array(0);
  private stamp = 0;
  constructor(private readonly n: number) {}

  get size(): number {
    return this.index.size;
  }

  /** Adds the n-gram at s of d; returns its id. */
  add(d: Int32Array, s: number): number {
    const h = gramHash(d, s, this.n);
    const id = this.index.getOrAdd(h);
    if (id === this.hashes.length) this.hashes.push(h);
    this.starts.add(d[s]!, d[s + 1]!);
    return id;
  }

  hashOf(id: number): number {
    return this.hashes.data[id]!;
  }

  /** Calls `f` once per wanted n-gram the document holds; returns the stamp that marks them (see `marked`). */
  each(d: Int32Array, f: (id: number) => void): number {
    if (this.seen.length < this.index.size) this.seen = new Int32Array(this.index.size);
    const stamp = ++this.stamp;
    for (let s = 0; s + this.n <= d.length; s++) {
      if (!this.starts.has(d[s]!, d[s + 1]!)) continue;
      const id = this.index.get(gramHash(d, s, this.n));
      if (id < 0 || this.seen[id] === stamp) continue;
      this.seen[id] = stamp;
      f(id);
    }
    return stamp;
  }

  /** Clears the mark of `stamp` from every wanted n-gram the document holds. */
  unmark(d: Int32Array, stamp: number): void {
    for (let s = 0; s + this.n <= d.length; s++) {
      if (!this.starts.has(d[s]!, d[s + 1]!)) continue;
      const id = this.index.get(gramHash(d, s, this.n));
      if (id >= 0 && this.seen[id] === stamp) this.seen[id] = 0;
    }
  }

  marked(id: number, stamp: number): boolean {
    return this.seen[id] === stamp;
  }
}

/** At most `max` of the ids, evenly spread. */
function spread(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(ids[Math.floor((k * ids.length) / max)]!);
  return out;
}
