// "Little fit to its neighbours": a phrase inserted into text at a random place leaves, when deleted again, the
// two words that were adjacent before, a pair the corpus knows; deleting a word that belongs to its sentence
// ("so stupid people" -> "so people") leaves a pair the corpus rarely has. Measured per occurrence and tested
// against the corpus's own rates for random insertions and random deletions.
import type { Rng } from '../util/rng.js';
import { IntVector, KeyIndex } from './key-index.js';

export class BigramCounts {
  /** Pair key (a * base + b) to a dense id, and each id's count: typed tables, no boxed key per pair. */
  private readonly index = new KeyIndex();
  private readonly counts = new IntVector();
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
    const id = this.index.getOrAdd(a * this.base + b);
    if (id === this.counts.length) this.counts.push(1);
    else this.counts.data[id]!++;
  }

  count(a: number, b: number): number {
    return this.countKey(a * this.base + b);
  }

  key(a: number, b: number): number {
    return a * this.base + b;
  }

  countKey(key: number): number {
    const id = this.index.get(key);
    return id < 0 ? 0 : this.counts.data[id]!;
  }

  /** Per token, how many distinct tokens follow it somewhere (Witten-Bell's type count). */
  distinctFollowers(vocabSize: number): Int32Array {
    const out = new Int32Array(vocabSize + 2);
    this.index.forEachKey((key) => out[Math.floor(key / this.base)]!++);
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
  return { llrByBin, meanInserted: mean, sdInserted: Math.sqrt(variance) };
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
 * pairs (13 SST-2 sentences: -4.2 nats in a bin of 1-2 positions): real insertions, scored out of sample, then look
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

  constructor(docs: Int32Array[], boundaries: Uint8Array[], bigrams: BigramCounts, vocabSize: number) {
    this.lefts = [];
    this.rights = [];
    docs.forEach((d, i) => {
      const w = boundaries[i]!;
      const L: number[] = [];
      const R: number[] = [];
      for (let t = 0; t <= d.length; t++) {
        if (!w[t]) continue;
        const [a, b] = bigrams.around(d, t, t);
        L.push(a);
        R.push(b);
      }
      this.lefts.push(Int32Array.from(L));
      this.rights.push(Int32Array.from(R));
    });
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
      for (const x of xs) {
        const p = this.local[x]!;
        if (p === 0) continue;
        if (this.S[x] === 0) touched.push(x);
        this.S[x]! += p;
        this.Q[x]! += p * p;
        this.local[x] = 0;
      }
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
