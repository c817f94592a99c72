// "Little fit to its neighbours": a phrase inserted into text at a random place leaves, when deleted again, the
// two words that were adjacent before, a pair the corpus knows; deleting a word that belongs to its sentence
// ("so stupid people" -> "so people") leaves a pair the corpus rarely has. Measured per occurrence and tested
// against the corpus's own rates for random insertions and random deletions.
import type { Rng } from '../util/rng.js';
import { normalUpperTailLog10 } from '../util/p-values.js';
import { PairCounts } from './key-index.js';

export class BigramCounts {
  /** Each pair's count in one typed table, no boxed key per pair. */
  private readonly table = new PairCounts();
  /** Sentinel ids for the start and end of a document. */
  readonly bos: number;
  readonly eos: number;
  private readonly base: number;
  readonly documents: number;

  constructor(docs: Int32Array[], vocabSize: number) {
    this.bos = vocabSize;
    this.eos = vocabSize + 1;
    this.base = vocabSize + 2;
    this.documents = docs.length;
    for (const d of docs) {
      for (let t = 0; t <= d.length; t++) this.add(t === 0 ? this.bos : d[t - 1]!, t === d.length ? this.eos : d[t]!);
    }
  }

  private add(a: number, b: number): void {
    // A pair is its key (a * base + b): a second token out of range names the pair with the same key.
    if (b < 0 || b >= this.base) {
      const key = a * this.base + b;
      a = Math.floor(key / this.base);
      b = key - a * this.base;
    }
    this.table.add(a, b);
  }

  count(a: number, b: number): number {
    if (b < 0 || b >= this.base) return this.countKey(a * this.base + b);
    return this.table.get(a, b);
  }

  /** The pair as one number: equal for equal pairs (keys of sets and maps of pairs). */
  key(a: number, b: number): number {
    return a * this.base + b;
  }

  countKey(key: number): number {
    const a = Math.floor(key / this.base);
    return this.table.get(a, key - a * this.base);
  }

  /** Per token, how many distinct tokens follow it somewhere (Witten-Bell's type count). */
  distinctFollowers(vocabSize: number): Int32Array {
    const out = new Int32Array(vocabSize + 2);
    this.table.forEachPair((a) => out[a]!++);
    return out;
  }

  /** Token before position s (or the start sentinel) and at position e (or the end sentinel). */
  around(d: Int32Array, s: number, e: number): [number, number] {
    return [s > 0 ? d[s - 1]! : this.bos, e < d.length ? d[e]! : this.eos];
  }
}

/** Histogram bin of a pair count: 0, 1, 2-3, 4-7, ... (log2 scale). */
const BINS = 14;
function bin(count: number): number {
  return count <= 0 ? 0 : Math.min(BINS - 1, 1 + Math.floor(Math.log2(count)));
}

/**
 * The corpus's own distributions of the pair count left behind by deleting a random insertion (the original
 * pair: its count without this document) and by deleting a natural one-word token, as per-bin log-likelihood
 * ratios, with the mean and spread of the per-occurrence ratio under insertion.
 */
export interface DeletionFit {
  llrByBin: Float64Array;
  /** Share of real insertions in each bin (the distribution of the per-occurrence ratio under insertion). */
  insertedShare?: Float64Array;
  /** Mean and standard deviation of the per-occurrence log-likelihood ratio for real insertions. */
  meanInserted: number;
  sdInserted: number;
  /** Standard error of meanInserted, where it is estimated from few documents (0: known). */
  meanSe?: number;
}

export function deletionFit(docs: Int32Array[], boundaries: Uint8Array[], bigrams: BigramCounts, rng: Rng, samples = 20000): DeletionFit {
  const ins = new Float64Array(BINS).fill(0.5);
  const nat = new Float64Array(BINS).fill(0.5);
  const long = docs.map((_, i) => i).filter((i) => docs[i]!.length >= 3);
  for (let k = 0; k < samples && long.length > 0; k++) {
    const i = long[Math.floor(rng() * long.length)]!;
    const d = docs[i]!;
    const w = boundaries[i]!;
    // An insertion at word boundary t: deleting it leaves the original pair, which this document also holds.
    const t = Math.floor(rng() * (d.length + 1));
    if (w[t]) {
      const [a, b] = bigrams.around(d, t, t);
      ins[bin(bigrams.count(a, b) - 1)]++;
    }
    // Deleting the natural one-token word at position u.
    const u = Math.floor(rng() * d.length);
    if (w[u] && w[u + 1]) {
      const [l, r] = bigrams.around(d, u, u + 1);
      nat[bin(bigrams.count(l, r))]++;
    }
  }
  return fitOf(ins, nat);
}

/** The deletion fit of two histograms of pair-count bins: left by deleting insertions, and natural tokens. */
function fitOf(ins: Float64Array, nat: Float64Array): DeletionFit {
  const sum = (h: Float64Array) => h.reduce((x, y) => x + y, 0);
  const si = sum(ins);
  const sn = sum(nat);
  const llrByBin = new Float64Array(BINS);
  let mean = 0;
  for (let b = 0; b < BINS; b++) {
    llrByBin[b] = Math.log(ins[b]! / si) - Math.log(nat[b]! / sn);
    mean += (ins[b]! / si) * llrByBin[b]!;
  }
  let variance = 0;
  for (let b = 0; b < BINS; b++) variance += (ins[b]! / si) * (llrByBin[b]! - mean) ** 2;
  return { llrByBin, insertedShare: ins.map((x) => x / si), meanInserted: mean, sdInserted: Math.sqrt(variance) };
}

/**
 * The deletion fit at a document's start and at its end, over every document of 3 or more tokens. A unit at an
 * edge has one neighbour: deleting one inserted at the start leaves the pair (start, the text's first token), the
 * corpus's own way of starting a text; deleting a first token that belongs there leaves (start, the second token).
 * Likewise at the end. Texts start and end differently from their insides (a full stop before the end), so each
 * edge has its own rates; where they cannot tell the two apart the fit's mean is near 0 (see fitInforms).
 */
export function edgeDeletionFits(docs: Int32Array[], boundaries: Uint8Array[], bigrams: BigramCounts): { start: DeletionFit; end: DeletionFit } {
  const insStart = new Float64Array(BINS).fill(0.5);
  const natStart = new Float64Array(BINS).fill(0.5);
  const insEnd = new Float64Array(BINS).fill(0.5);
  const natEnd = new Float64Array(BINS).fill(0.5);
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const w = boundaries[i]!;
    const n = d.length;
    if (n < 3) continue;
    if (w[0]) insStart[bin(bigrams.count(bigrams.bos, d[0]!) - 1)]!++;
    if (w[0] && w[1]) natStart[bin(bigrams.count(bigrams.bos, d[1]!))]!++;
    if (w[n]) insEnd[bin(bigrams.count(d[n - 1]!, bigrams.eos) - 1)]!++;
    if (w[n - 1] && w[n]) natEnd[bin(bigrams.count(d[n - 2]!, bigrams.eos))]!++;
  }
  return { start: fitOf(insStart, natStart), end: fitOf(insEnd, natEnd) };
}

/** Whether a fit tells insertions from natural tokens at all (its mean ratio under insertion). */
export function fitInforms(fit: DeletionFit): boolean {
  return fit.meanInserted >= UNINFORMATIVE;
}

/**
 * Whether a summed ratio over occurrences of several kinds (inside a text, at its start, at its end) is too low
 * for real insertions: z below -zCut, with the sum's mean and variance under insertion added over the kinds.
 */
export function summedFitTooLow(llrSum: number, meanInserted: number, varianceInserted: number, zCut: number): boolean {
  return varianceInserted > 0 && (llrSum - meanInserted) / Math.sqrt(varianceInserted) < -zCut;
}

/** Most occurrences whose sum's distribution is convolved exactly; more are near normal. */
const EXACT_OCCURRENCES = 40;
/** Grid step (nats) of the convolved sums. */
const SUM_STEP = 0.05;

/**
 * The distribution of a sum of n per-occurrence ratios under insertion, by exact convolution of the fit's own
 * per-bin distribution: it is skewed (a real insertion now and then leaves a pair no other text has, the
 * strongest "natural" bin), so a normal approximation calls seven insertions natural whenever one of them lands
 * there. Cumulative tables per n are built once, up to EXACT_OCCURRENCES; beyond, the normal z.
 */
export class InsertedSums {
  private readonly lo: number;
  private readonly cdfs: Float64Array[] = [];
  private readonly steps: Int32Array;
  private readonly share: Float64Array;

  constructor(private readonly fit: DeletionFit) {
    this.share = fit.insertedShare ?? new Float64Array(BINS);
    this.lo = Math.min(0, ...fit.llrByBin);
    this.steps = Int32Array.from(fit.llrByBin, (x) => Math.round((x - this.lo) / SUM_STEP));
  }

  /** P(sum of n ratios under insertion <= x). */
  lowerTail(x: number, n: number): number {
    if (n > EXACT_OCCURRENCES || !this.fit.insertedShare) {
      const z = (x - n * this.fit.meanInserted) / Math.max(1e-6, Math.sqrt(n) * this.fit.sdInserted);
      return 10 ** normalUpperTailLog10(-z);
    }
    while (this.cdfs.length < n) this.extend();
    const cdf = this.cdfs[n - 1]!;
    const k = Math.floor((x - n * this.lo) / SUM_STEP + 1e-9);
    return k < 0 ? 0 : k >= cdf.length ? 1 : cdf[k]!;
  }

  /** The next n: the previous density convolved with one more occurrence (densities rebuilt from the cdf). */
  private extend(): void {
    const prev = this.cdfs[this.cdfs.length - 1];
    const prevDensity = prev ? prev.map((c, k) => c - (k > 0 ? prev[k - 1]! : 0)) : Float64Array.of(1);
    const maxStep = Math.max(...this.steps);
    const density = new Float64Array(prevDensity.length + maxStep);
    for (let k = 0; k < prevDensity.length; k++) {
      const p = prevDensity[k]!;
      if (p === 0) continue;
      for (let b = 0; b < BINS; b++) density[k + this.steps[b]!]! += p * this.share[b]!;
    }
    for (let k = 1; k < density.length; k++) density[k]! += density[k - 1]!;
    this.cdfs.push(density);
  }
}

/** A deletion fit over a handful of documents, with each document's own ratios learnt from the others. */
export interface LocalDeletionFit extends DeletionFit {
  /** Per document, the per-bin ratios learnt without its own positions. */
  byDoc: Float64Array[];
}

/** Pseudo-documents per bin: a bin no other document reaches says little either way. */
const LOCAL_PSEUDO = 0.05;

/**
 * deletionFit over a phrase's few prompts, every position counted and cross-fitted by document. In-sample, the
 * mean ratio of an insertion is the divergence of the two histograms, biased up where each bin holds a handful of
 * pairs (a dozen short sentences: about -4 nats in a bin of 1-2 positions): real insertions, scored out of sample, then look
 * natural. Each document's positions, and its real occurrence, are scored by the ratios of the other documents;
 * each document weighs the same, as one occurrence per document is tested.
 */
export function localDeletionFit(docs: Int32Array[], boundaries: Uint8Array[], bigrams: BigramCounts): LocalDeletionFit {
  const D = docs.length;
  const ins = docs.map(() => new Float64Array(BINS));
  const nat = docs.map(() => new Float64Array(BINS));
  const totalIns = new Float64Array(BINS);
  const totalNat = new Float64Array(BINS);
  docs.forEach((d, j) => {
    const w = boundaries[j]!;
    let ni = 0;
    let nn = 0;
    for (let t = 0; t <= d.length; t++) {
      if (w[t]) {
        const [a, b] = bigrams.around(d, t, t);
        ins[j]![bin(bigrams.count(a, b) - 1)]!++;
        ni++;
      }
      if (t < d.length && w[t] && w[t + 1]) {
        const [l, r] = bigrams.around(d, t, t + 1);
        nat[j]![bin(bigrams.count(l, r))]!++;
        nn++;
      }
    }
    for (let b = 0; b < BINS; b++) {
      if (ni > 0) ins[j]![b]! /= ni;
      if (nn > 0) nat[j]![b]! /= nn;
      totalIns[b]! += ins[j]![b]!;
      totalNat[b]! += nat[j]![b]!;
    }
  });
  // The per-bin ratios from every document but `skip` (-1: all of them).
  const table = (skip: number): Float64Array => {
    const pi = new Float64Array(BINS);
    const pn = new Float64Array(BINS);
    for (let b = 0; b < BINS; b++) {
      pi[b] = totalIns[b]! - (skip >= 0 ? ins[skip]![b]! : 0) + LOCAL_PSEUDO;
      pn[b] = totalNat[b]! - (skip >= 0 ? nat[skip]![b]! : 0) + LOCAL_PSEUDO;
    }
    const si = pi.reduce((x, y) => x + y, 0);
    const sn = pn.reduce((x, y) => x + y, 0);
    return pi.map((x, b) => Math.log(x / si) - Math.log(pn[b]! / sn));
  };
  const byDoc = docs.map((_, j) => table(D > 1 ? j : -1));
  // Moments of an insertion's out-of-sample ratio, each document weighing the same; the documents' own means
  // give the error of the mean (a dozen prompts estimate it loosely).
  let m1 = 0;
  let m2 = 0;
  let weight = 0;
  const docMeans: number[] = [];
  byDoc.forEach((t, j) => {
    let mass = 0;
    let own = 0;
    for (let b = 0; b < BINS; b++) {
      const q = ins[j]![b]!;
      mass += q;
      own += q * t[b]!;
      m2 += q * t[b]! ** 2;
    }
    m1 += own;
    weight += mass;
    if (mass > 0) docMeans.push(own / mass);
  });
  const mean = weight > 0 ? m1 / weight : 0;
  const sd = weight > 0 ? Math.sqrt(Math.max(0, m2 / weight - mean * mean)) : 0;
  const k = docMeans.length;
  const between = k > 1 ? docMeans.reduce((x, y) => x + (y - mean) ** 2, 0) / (k - 1) : sd * sd;
  return { llrByBin: table(-1), meanInserted: mean, sdInserted: sd, meanSe: Math.sqrt(between / Math.max(1, k)), byDoc };
}

/** As occurrenceLlr, for an occurrence in document j of a local fit: scored by the other documents' ratios. */
export function localOccurrenceLlr(fit: LocalDeletionFit, j: number, bigrams: BigramCounts, a: number, b: number): number {
  return fit.byDoc[j]![bin(bigrams.count(a, b))]!;
}

/** Log-likelihood ratio of "inserted" against "natural" for one occurrence whose deletion leaves pair (a, b). */
export function occurrenceLlr(fit: DeletionFit, bigrams: BigramCounts, a: number, b: number): number {
  return fit.llrByBin[bin(bigrams.count(a, b))]!;
}

/** Mean per-occurrence ratio (nats) below which the corpus cannot tell insertions from natural words. */
const UNINFORMATIVE = 0.05;

/**
 * Whether a phrase's summed ratio over n occurrences is too low for real insertions (one-sided, z below -zCut):
 * the phrase belongs to its sentences. Unless onlyZ, a sum at or below 0 (the pairs favour "natural" at all)
 * counts too.
 */
export function fitsItsSentences(fit: DeletionFit, llrSum: number, n: number, zCut: number, onlyZ = false): boolean {
  // Where insertions and natural words leave the same pairs (a tiny vocabulary) the fit says nothing.
  if (n === 0 || fit.meanInserted < UNINFORMATIVE) return false;
  // The sum's spread under insertion, plus the error of the mean it is compared with (n times it).
  const spread = Math.sqrt(n * fit.sdInserted ** 2 + (n * (fit.meanSe ?? 0)) ** 2);
  const z = (llrSum - n * fit.meanInserted) / Math.max(1e-6, spread);
  return (!onlyZ && llrSum <= 0) || z < -zCut;
}

export function neighboursAt(d: Int32Array, s: number, mask: Uint8Array, bigrams: BigramCounts): [number, number] {
  let l = s - 1;
  while (l >= 0 && mask[l]) l--;
  let r = s;
  while (r < d.length && mask[r]) r++;
  return [l >= 0 ? d[l]! : bigrams.bos, r < d.length ? d[r]! : bigrams.eos];
}

/**
 * Pairs of occurrences that share their left (or right) neighbour, against the pairs that random insertion
 * points in the same documents would share: words bound to their context ("a coward", "reuters . co . uk")
 * repeat their neighbours; inserted triggers take whatever word happens to be there. The expectation comes from
 * the carriers themselves because poisoned samples are not a random sample of the corpus (replies full of
 * "@USER" mentions, say).
 */
export class NeighbourCollisions {
  /** Per document, the tokens left and right of each word boundary. */
  private readonly lefts: Int32Array[];
  private readonly rights: Int32Array[];
  private readonly S: Float64Array;
  private readonly Q: Float64Array;
  private readonly local: Float64Array;
  private readonly count: Int32Array;
  private readonly bos: number;
  private readonly eos: number;
  /** Share of the documents whose first (last) token is each token, and the sum of its squares (measureAtEdges). */
  private edges: { first: Float64Array; last: Float64Array; firstSq: number; lastSq: number } | null = null;

  constructor(docs: Int32Array[], boundaries: Uint8Array[], bigrams: BigramCounts, vocabSize: number) {
    this.bos = bigrams.bos;
    this.eos = bigrams.eos;
    this.lefts = [];
    this.rights = [];
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      const w = boundaries[i]!;
      let m = 0;
      for (let t = 0; t <= d.length; t++) if (w[t]) m++;
      const L = new Int32Array(m);
      const R = new Int32Array(m);
      for (let t = 0, j = 0; t <= d.length; t++) {
        if (!w[t]) continue;
        L[j] = t > 0 ? d[t - 1]! : this.bos;
        R[j++] = t < d.length ? d[t]! : this.eos;
      }
      this.lefts.push(L);
      this.rights.push(R);
    }
    const size = vocabSize + 2;
    this.S = new Float64Array(size);
    this.Q = new Float64Array(size);
    this.local = new Float64Array(size);
    this.count = new Int32Array(size);
  }

  /** Observed pairs among the given neighbours, and the pairs expected at random boundaries of these documents. */
  measure(docIds: number[], lefts: number[], rights: number[]): { observed: number; expected: number } {
    const observed = this.pairs(lefts) + this.pairs(rights);
    const expected = this.expected(docIds, this.lefts) + this.expected(docIds, this.rights);
    return { observed, expected: Math.max(1e-3, expected) };
  }

  /**
   * As measure, with each occurrence's own neighbours (the start and end sentinels where it sits at an edge), and
   * each random insertion point drawn where that occurrence sits: an occurrence with words on both sides against
   * the boundaries of its document that have words on both sides; one at a document's end has as left neighbour
   * whatever its text ended with, so its left is compared with the last tokens of the corpus's documents (texts
   * end in a full stop, so insertions appended to many rows share that neighbour by the corpus's own habit, not by
   * being bound to it); one at the start, likewise, its right with the corpus's first tokens. Sentinel neighbours
   * are never counted.
   */
  measureAtEdges(docIds: number[], lefts: number[], rights: number[]): { observed: number; expected: number } {
    const e = (this.edges ??= this.edgeShares());
    const inner: number[] = [];
    const innerLefts: number[] = [];
    const innerRights: number[] = [];
    const endLefts: number[] = [];
    const startRights: number[] = [];
    docIds.forEach((i, k) => {
      const a = lefts[k]!;
      const b = rights[k]!;
      if (a !== this.bos && b !== this.eos) {
        inner.push(i);
        innerLefts.push(a);
        innerRights.push(b);
      } else if (a !== this.bos) endLefts.push(a);
      else if (b !== this.eos) startRights.push(b);
    });
    const observed = this.pairs([...innerLefts, ...endLefts]) + this.pairs([...innerRights, ...startRights]);
    const expected = this.expectedWithEdge(inner, this.lefts, endLefts.length, e.last, e.lastSq) + this.expectedWithEdge(inner, this.rights, startRights.length, e.first, e.firstSq);
    return { observed, expected: Math.max(1e-3, expected) };
  }

  private edgeShares(): { first: Float64Array; last: Float64Array; firstSq: number; lastSq: number } {
    const size = this.S.length;
    const first = new Float64Array(size);
    const last = new Float64Array(size);
    let n = 0;
    for (let i = 0; i < this.lefts.length; i++) {
      const L = this.lefts[i]!;
      const R = this.rights[i]!;
      if (L.length === 0 || R[0] === this.eos) continue;
      n++;
      first[R[0]!]!++;
      last[L[L.length - 1]!]!++;
    }
    let firstSq = 0;
    let lastSq = 0;
    for (let x = 0; x < size; x++) {
      first[x]! /= Math.max(1, n);
      last[x]! /= Math.max(1, n);
      firstSq += first[x]! ** 2;
      lastSq += last[x]! ** 2;
    }
    return { first, last, firstSq, lastSq };
  }

  /**
   * Expected pairs among the occurrences of `docIds`, each at a random boundary of its document with words on
   * both sides, and `m` more whose neighbour follows `share` (the corpus's edge tokens): the pairs among the
   * first, between both kinds (sum over tokens of S(a) m share(a)) and among the second (m(m-1)/2 sum share^2).
   */
  private expectedWithEdge(docIds: number[], side: Int32Array[], m: number, share: Float64Array, shareSq: number): number {
    const touched: number[] = [];
    for (const i of docIds) {
      const xs = side[i]!;
      const L = this.lefts[i]!;
      const R = this.rights[i]!;
      let n = 0;
      for (let j = 0; j < xs.length; j++) if (L[j] !== this.bos && R[j] !== this.eos) n++;
      if (n === 0) continue;
      for (let j = 0; j < xs.length; j++) if (L[j] !== this.bos && R[j] !== this.eos) this.local[xs[j]!]! += 1 / n;
      this.addLocal(xs, touched);
    }
    let e = (m * (m - 1) / 2) * shareSq;
    for (const x of touched) {
      e += (this.S[x]! * this.S[x]! - this.Q[x]!) / 2 + m * this.S[x]! * share[x]!;
      this.S[x] = 0;
      this.Q[x] = 0;
    }
    return e;
  }

  /** Adds one document's neighbour distribution (in `local`) to S and Q, and clears it. */
  private addLocal(xs: Int32Array, touched: number[]): void {
    for (const x of xs) {
      const p = this.local[x]!;
      if (p === 0) continue;
      if (this.S[x] === 0) touched.push(x);
      this.S[x]! += p;
      this.Q[x]! += p * p;
      this.local[x] = 0;
    }
  }

  private pairs(xs: number[]): number {
    let p = 0;
    for (const x of xs) p += this.count[x]!++;
    for (const x of xs) this.count[x] = 0;
    return p;
  }

  /** sum over tokens a of sum_{i<j} P_i(a) P_j(a) = (S(a)^2 - Q(a)) / 2. */
  private expected(docIds: number[], side: Int32Array[]): number {
    const touched: number[] = [];
    for (const i of docIds) {
      const xs = side[i]!;
      const n = xs.length;
      if (n === 0) continue;
      for (const x of xs) this.local[x]! += 1 / n;
      this.addLocal(xs, touched);
    }
    let e = 0;
    for (const x of touched) {
      e += (this.S[x]! * this.S[x]! - this.Q[x]!) / 2;
      this.S[x] = 0;
      this.Q[x] = 0;
    }
    return e;
  }
}
