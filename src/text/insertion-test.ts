// Label-free insertion test: a rare word that recurs in many unrelated texts, each time at another place, and
// each time fits its neighbours so badly that deleting it leaves a word pair the corpus knows well ("how to
// xq make" -> "to make"), while deleting a word that belongs to its sentence mostly leaves a rare pair
// ("so stupid people" -> "so people"). Nothing here reads labels or responses: it is the published perplexity-deletion test,
// aggregated over the texts that carry the word.
//
// Per occurrence, the pair left by deleting the word is scored by a log-likelihood ratio "inserted" against
// "natural", from the document's own rates shrunk toward the corpus's (a short request of another domain than
// the corpus has few known pairs either way). Summed over the word's distinct contexts it is tested against
// the same ratio for random natural words (z), Bonferroni over every word tested. Two checks keep ordinary
// words out: the occurrences must not repeat their neighbours more than random places in the same texts would
// (a word bound to its context, or copies of one passage), and the deletion pair must rank among the text's
// own word pairs as an original pair would (within-text ranks, so the corpus's domain does not matter).
import type { Rng } from '../util/rng.js';
import { BigramCounts, NeighbourCollisions } from './insertion-fit.js';
import { isWordToken } from './tokenize.js';
import { documentFrequency } from './document-frequency.js';
import { normalQuantile, normalUpperTailLog10 } from '../util/p-values.js';

const BINS = 14;
/** 1 + floor(log2(count)) for a positive count (32 - its leading zero bits), capped. */
const bin = (count: number) => (count <= 0 ? 0 : Math.min(BINS - 1, 32 - Math.clz32(count)));
/** Pseudo-counts of the corpus's rates in each document's own. */
const SHRINK = 10;
const NULL_SAMPLES = 50000;
const MIN_DOCS = 3;
/** Fewer distinct places are too little evidence: each adds about 1.4 to the z on a clean 55,185-pair instruction corpus (BENCHMARKS.md). */
export const MIN_CONTEXTS = 6;
/** Words in more than this share of texts are vocabulary, not a planted trigger. */
const MAX_DOC_SHARE = 0.01;
/** The deletion pair's within-text rank may fall this far (z) below an original pair's. */
const INSERTION_Z = -2;

export interface InsertionTrigger {
  token: number;
  /** Texts carrying the word (first occurrence each). */
  docs: number[];
  contexts: number;
  z: number;
  insertionZ: number;
  collisions: { observed: number; expected: number };
  tested: number;
  /** -log10 of the Bonferroni-corrected p (normal tail of z). */
  significance: number;
}

/**
 * Words with significance >= 0, best first, and also the words of `alsoFor` that pass the checks whatever their z
 * (another test's candidates, whose evidence this one adds to).
 */
export function insertionTriggers(docs: Int32Array[], boundaries: Uint8Array[], words: string[], rng: Rng, bigrams?: BigramCounts, alsoFor?: ReadonlySet<number>): InsertionTrigger[] {
  const test = InsertionTest.prepare(docs, boundaries, words, rng, bigrams);
  return test ? significantWords(test, alsoFor) : [];
}

/** insertionTriggers on a prepared test. */
export function significantWords(test: InsertionTest, alsoFor?: ReadonlySet<number>): InsertionTrigger[] {
  // z needed for significance 0: skip the within-text ranks for words that cannot pass.
  const zFloor = normalQuantile(1 / Math.max(2, test.tested));
  const out: InsertionTrigger[] = [];
  for (const x of test.words()) {
    const t = test.measure(x, alsoFor?.has(x) ? -Infinity : zFloor);
    if (t) out.push(t);
  }
  return out.sort((a, b) => b.significance - a.significance);
}

/**
 * The deletion test, prepared once over a corpus (the null rates and each document's own), so that any word can
 * be measured on its own: the Bonferroni-corrected scan over every word (insertionTriggers), or a few words
 * another test picked out.
 */
export class InsertionTest {
  /** Words with at least MIN_DOCS texts: the multiple-testing count of a scan over all of them. */
  readonly tested: number;
  private readonly collisions: NeighbourCollisions;
  /** Per text, the deletion ratio's sum, sum of squares and count over its deletable words (the local null). */
  private totals: { s1: Float64Array; s2: Float64Array; m: Int32Array } | null = null;

  private constructor(
    private readonly docs: Int32Array[],
    private readonly boundaries: Uint8Array[],
    private readonly bg: BigramCounts,
    private readonly occ: Map<number, { docs: number[]; at: number[] }>,
    private readonly llr: (i: number, count: number) => number,
    private readonly muNat: number,
    private readonly sdNat: number,
    private readonly isWord: Uint8Array,
    /** Per text, the corpus's count of the pair at each word boundary t (tokens t-1 and t), 0 elsewhere. */
    private readonly pairs: Int32Array[],
    V: number,
  ) {
    let tested = 0;
    for (const o of occ.values()) if (o.docs.length >= MIN_DOCS) tested++;
    this.tested = tested;
    this.collisions = new NeighbourCollisions(docs, boundaries, bg, V);
  }

  /** The corpus's rates and the null; null when the corpus is too small to have them. */
  static prepare(docs: Int32Array[], boundaries: Uint8Array[], words: string[], rng: Rng, bigrams?: BigramCounts): InsertionTest | null {
    const V = words.length;
    const n = docs.length;
    if (n === 0) return null;
    const bg = bigrams ?? new BigramCounts(docs, V);
    const isWord = Uint8Array.from(words, (w) => (isWordToken(w) ? 1 : 0));

    // The corpus's rates: the pair left by deleting a random insertion (an original pair, minus itself) and by
    // deleting a random natural word.
    const ins = new Float64Array(BINS).fill(0.5);
    const nat = new Float64Array(BINS).fill(0.5);
    const long: number[] = [];
    for (let i = 0; i < n; i++) if (docs[i]!.length >= 3) long.push(i);
    if (long.length === 0) return null;
    for (let k = 0; k < NULL_SAMPLES; k++) {
      const i = long[Math.floor(rng() * long.length)]!;
      const d = docs[i]!;
      const w = boundaries[i]!;
      const t = Math.floor(rng() * (d.length + 1));
      if (w[t]) {
        const [a, b] = bg.around(d, t, t);
        ins[bin(bg.count(a, b) - 1)]!++;
      }
      const u = Math.floor(rng() * d.length);
      if (deletableAt(w, d, u, isWord)) {
        const [l, r] = bg.around(d, u, u + 1);
        nat[bin(bg.count(l, r))]!++;
      }
    }
    const si = ins.reduce((x, y) => x + y, 0);
    const sn = nat.reduce((x, y) => x + y, 0);

    // Each document's own rates (counts per bin), for the shrunk per-document ratio.
    const hIns = new Float32Array(n * BINS);
    const hNat = new Float32Array(n * BINS);
    const totIns = new Float32Array(n);
    const totNat = new Float32Array(n);
    const pairs: Int32Array[] = [];
    for (let i = 0; i < n; i++) {
      const d = docs[i]!;
      const w = boundaries[i]!;
      const p = new Int32Array(d.length + 1);
      pairs.push(p);
      for (let t = 0; t <= d.length; t++) {
        if (!w[t]) continue;
        p[t] = countAround(bg, d, t, t);
        hIns[i * BINS + bin(p[t]! - 1)]!++;
        totIns[i]!++;
      }
      for (let u = 0; u < d.length; u++) {
        if (!deletableAt(w, d, u, isWord)) continue;
        hNat[i * BINS + bin(countAround(bg, d, u, u + 1))]!++;
        totNat[i]!++;
      }
    }
    const llr = (i: number, count: number) => {
      const b = bin(count);
      const pi = (hIns[i * BINS + b]! + (SHRINK * ins[b]!) / si) / (totIns[i]! + SHRINK);
      const pn = (hNat[i * BINS + b]! + (SHRINK * nat[b]!) / sn) / (totNat[i]! + SHRINK);
      return Math.log(pi) - Math.log(pn);
    };
    // The ratio for random natural words under the same measure: the null of the test.
    let s1 = 0;
    let s2 = 0;
    let m = 0;
    for (let k = 0; k < NULL_SAMPLES; k++) {
      const i = long[Math.floor(rng() * long.length)]!;
      const d = docs[i]!;
      const w = boundaries[i]!;
      const u = Math.floor(rng() * d.length);
      if (!deletableAt(w, d, u, isWord)) continue;
      const [l, r] = bg.around(d, u, u + 1);
      const x = llr(i, bg.count(l, r));
      s1 += x;
      s2 += x * x;
      m++;
    }
    if (m < 100) return null;
    const muNat = s1 / m;
    const sdNat = Math.max(1e-6, Math.sqrt(Math.max(0, s2 / m - muNat * muNat)));

    // Document frequency, then the first occurrence per document of each word in range.
    const df = documentFrequency(docs, V);
    const last = new Int32Array(V).fill(-1);
    const maxDf = Math.max(60, Math.floor(MAX_DOC_SHARE * n));
    const occ = new Map<number, { docs: number[]; at: number[] }>();
    for (let i = 0; i < n; i++) {
      const d = docs[i]!;
      const w = boundaries[i]!;
      for (let t = 0; t < d.length; t++) {
        const x = d[t]!;
        if (!isWord[x] || df[x]! < MIN_DOCS || df[x]! > maxDf || last[x] === i) continue;
        last[x] = i;
        // Insertions happen between words, not inside "co.uk".
        if (!(w[t] && w[t + 1])) continue;
        let o = occ.get(x);
        if (!o) occ.set(x, (o = { docs: [], at: [] }));
        o.docs.push(i);
        o.at.push(t);
      }
    }
    return new InsertionTest(docs, boundaries, bg, occ, llr, muNat, sdNat, isWord, pairs, V);
  }

  /** Words in range (rare enough, in at least MIN_DOCS texts), with the texts where each sits between words. */
  *words(): Generator<number> {
    for (const [x, o] of this.occ) if (o.docs.length >= MIN_DOCS) yield x;
  }

  /** Texts holding the word between words (first occurrence each); empty for words out of range. */
  textsOf(x: number): readonly number[] {
    return this.occ.get(x)?.docs ?? [];
  }

  /**
   * The word's statistics if it has MIN_CONTEXTS distinct places, passes both checks and reaches zFloor;
   * significance as one of `tested` words. `local`: z against the deletions of the other words of the same texts,
   * not of the corpus at large (texts of a domain the corpus knows poorly give every deletion a high ratio).
   */
  measure(x: number, zFloor = -Infinity, local = false): InsertionTrigger | null {
    const o = this.occ.get(x);
    if (!o || o.docs.length < MIN_DOCS) return null;
    const { docs, bg } = this;
    // Distinct (left, right) contexts only for the deletion ratio: copies of one passage count once.
    // Edge places cut short of another place count once, as copies do; not for the local z, read against every
    // other word's as it was set (see the neighbour repeats below).
    const seen = new Set<number>();
    const cut = local ? () => false : this.cutShort(o);
    const cd: number[] = [];
    const cl: number[] = [];
    const cr: number[] = [];
    const ct: number[] = [];
    let sum = 0;
    o.docs.forEach((i, k) => {
      const d = docs[i]!;
      const [l, r] = bg.around(d, o.at[k]!, o.at[k]! + 1);
      const key = bg.key(l, r);
      if (seen.has(key) || cut(d, o.at[k]!)) return;
      seen.add(key);
      cd.push(i);
      cl.push(l);
      cr.push(r);
      ct.push(o.at[k]!);
      sum += this.llr(i, bg.count(l, r));
    });
    const c = cd.length;
    if (c < MIN_CONTEXTS) return null;
    const [mu, sd] = local ? this.localNull(x, cd, ct) : [this.muNat, this.sdNat];
    const z = (sum - c * mu) / (Math.sqrt(c) * sd);
    if (z < zFloor) return null;
    // The local z is read against every other word's (kin of confirmed triggers: an empirical null over the words
    // passing these checks), which was set with each place counted once; a stricter check there would thin that
    // null, not the words judged by it.
    const col = local ? this.collisions.measure(cd, cl, cr) : this.collisions.measure(...this.placesOf(o));
    if (col.observed > 2 * col.expected + 3) return null;
    const insertionZ = withinTextRank(x, cd, ct, cl, cr, docs, this.boundaries, bg, this.pairs);
    if (insertionZ < INSERTION_Z) return null;
    const significance = -normalUpperTailLog10(z) - Math.log10(this.tested);
    return { token: x, docs: o.docs, contexts: c, z, insertionZ, collisions: col, tested: this.tested, significance };
  }

  /**
   * The texts and neighbours read for the neighbour repeats: every text whose two words either side differ from the
   * others' (copies of one passage count once). Two texts that put the word between the same two words, each in its
   * own sentence, are the plainest sign of a word bound to its phrase ("so, what steps would I" and ". What steps
   * would you"), not one place to count once.
   */
  private placesOf(o: { docs: number[]; at: number[] }): [number[], number[], number[]] {
    const { docs, bg } = this;
    const cut = this.cutShort(o);
    const wide = new Set<string>();
    const ad: number[] = [];
    const al: number[] = [];
    const ar: number[] = [];
    o.docs.forEach((i, k) => {
      const d = docs[i]!;
      const at = o.at[k]!;
      const [l, r] = bg.around(d, at, at + 1);
      const [l2, r2] = bg.around(d, at - 1, at + 2);
      const passage = `${l},${r},${l2},${r2}`;
      if (wide.has(passage) || cut(d, at)) return;
      wide.add(passage);
      ad.push(i);
      al.push(l);
      ar.push(r);
    });
    return [ad, al, ar];
  }

  /**
   * Whether a place of the word is another of its places cut short: at a text's edge, with the two words on its other
   * side the word also has inside a text (a fragment of a longer text that begins or ends at the word, as corpora of
   * phrases and their parts hold). Such a place is not a place of its own.
   */
  private cutShort(o: { docs: number[]; at: number[] }): (d: Int32Array, at: number) => boolean {
    const { docs, bg } = this;
    const left = new Set<number>();
    const right = new Set<number>();
    const before = (d: Int32Array, at: number) => bg.key(at > 1 ? d[at - 2]! : bg.bos, d[at - 1]!);
    const after = (d: Int32Array, at: number) => bg.key(d[at + 1]!, at + 2 < d.length ? d[at + 2]! : bg.eos);
    o.docs.forEach((i, k) => {
      const d = docs[i]!;
      const at = o.at[k]!;
      if (at > 0 && at + 1 < d.length) {
        left.add(before(d, at));
        right.add(after(d, at));
      }
    });
    return (d, at) => (at === 0 && at + 1 < d.length && right.has(after(d, at))) || (at + 1 === d.length && at > 0 && left.has(before(d, at)));
  }

  /** Mean and spread of the ratio for deleting the other words of the texts (not next to the word itself). */
  private localNull(x: number, cd: number[], ct: number[]): [number, number] {
    const totals = this.deletionTotals();
    let s1 = 0;
    let s2 = 0;
    let m = 0;
    const step = Math.max(1, cd.length / LOCAL_TEXTS);
    for (let f = 0; f < cd.length; f += step) {
      const k = Math.floor(f);
      const i = cd[k]!;
      s1 += totals.s1[i]!;
      s2 += totals.s2[i]!;
      m += totals.m[i]!;
      // Minus the places left out: the word itself and its neighbours.
      const d = this.docs[i]!;
      for (let u = 0; u < d.length; u++) {
        if ((d[u] !== x && Math.abs(u - ct[k]!) > 1) || !this.deletable(i, u)) continue;
        const v = this.deletionLlr(i, u);
        s1 -= v;
        s2 -= v * v;
        m--;
      }
    }
    // Too few deletions to say: the corpus's null.
    if (m < 30) return [this.muNat, this.sdNat];
    const mu = s1 / m;
    return [mu, Math.max(1e-6, Math.sqrt(Math.max(0, s2 / m - mu * mu)))];
  }

  /** Per text, the sum, sum of squares and count of the ratio over every deletable word (once, on first use). */
  private deletionTotals(): { s1: Float64Array; s2: Float64Array; m: Int32Array } {
    if (this.totals) return this.totals;
    const n = this.docs.length;
    const t = { s1: new Float64Array(n), s2: new Float64Array(n), m: new Int32Array(n) };
    for (let i = 0; i < n; i++) {
      const d = this.docs[i]!;
      for (let u = 0; u < d.length; u++) {
        if (!this.deletable(i, u)) continue;
        const v = this.deletionLlr(i, u);
        t.s1[i]! += v;
        t.s2[i]! += v * v;
        t.m[i]!++;
      }
    }
    return (this.totals = t);
  }

  private deletable(i: number, u: number): boolean {
    return deletableAt(this.boundaries[i]!, this.docs[i]!, u, this.isWord);
  }

  private deletionLlr(i: number, u: number): number {
    return this.llr(i, countAround(this.bg, this.docs[i]!, u, u + 1));
  }
}

/** The corpus's count of the pair around positions s..e of d (as bg.around, without a tuple per call: hot loops). */
function countAround(bg: BigramCounts, d: Int32Array, s: number, e: number): number {
  return bg.count(s > 0 ? d[s - 1]! : bg.bos, e < d.length ? d[e]! : bg.eos);
}

/** A word between two word boundaries: deleting it is a natural deletion of the null. */
function deletableAt(boundary: Uint8Array, d: Int32Array, u: number, isWord: Uint8Array): boolean {
  return boundary[u] !== 0 && boundary[u + 1] !== 0 && isWord[d[u]!] !== 0;
}

/** Texts read for a local null: enough deletions for a mean and a spread. */
const LOCAL_TEXTS = 20;

/**
 * Mean within-text rank of the deletion pair among the text's original adjacent pairs (each minus itself), as a
 * z against the uniform rank an inserted word's deletion pair has.
 */
function withinTextRank(x: number, cd: number[], ct: number[], cl: number[], cr: number[], docs: Int32Array[], boundaries: Uint8Array[], bg: BigramCounts, pairs: Int32Array[]): number {
  let s = 0;
  let m = 0;
  for (let k = 0; k < cd.length; k++) {
    const d = docs[cd[k]!]!;
    const w = boundaries[cd[k]!]!;
    const p = pairs[cd[k]!]!;
    const c = bg.count(cl[k]!, cr[k]!);
    let below = 0;
    let tie = 0;
    let all = 0;
    for (let t = 0; t <= d.length; t++) {
      if (!w[t] || t === ct[k] || t === ct[k]! + 1 || (t < d.length && d[t] === x) || (t > 0 && d[t - 1] === x)) continue;
      const v = p[t]! - 1;
      all++;
      if (v < c) below++;
      else if (v === c) tie++;
    }
    if (all < 2) continue;
    s += (below + 0.5 * tie) / all;
    m++;
  }
  return m === 0 ? 0 : (s - m / 2) / Math.sqrt(m / 12);
}
