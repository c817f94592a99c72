// Multinomial naive Bayes over unigrams and hashed bigrams, cross-fitted in two folds: each document is judged
// by a model that never saw it. Used to ask "what label does this text point to without the candidate trigger?".

const BIGRAM_BUCKETS = 1 << 20;

export interface NaiveBayes {
  classes: number;
  vocab: number;
  /** log P(feature | class), classes x (vocab + BIGRAM_BUCKETS). */
  logLik: Float32Array;
  logPrior: Float64Array;
}

function bigramKey(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 1, 0x85ebca6b)) >>> 12;
}

export function trainNaiveBayes(docs: Int32Array[], labels: Int32Array, classes: number, vocab: number, use: (i: number) => boolean): NaiveBayes {
  const f = vocab + BIGRAM_BUCKETS;
  const counts = new Float32Array(classes * f);
  const totals = new Float64Array(classes);
  const docCounts = new Float64Array(classes);
  for (let i = 0; i < docs.length; i++) {
    if (!use(i)) continue;
    const l = labels[i]!;
    if (l < 0) continue;
    docCounts[l]++;
    const d = docs[i]!;
    const o = l * f;
    for (let t = 0; t < d.length; t++) {
      counts[o + d[t]!]++;
      if (t + 1 < d.length) counts[o + vocab + bigramKey(d[t]!, d[t + 1]!)]++;
    }
    totals[l] += 2 * d.length - 1;
  }
  // Laplace smoothing over the features this fold saw. A feature no class saw carries no evidence (NaN, skipped):
  // smoothing it would favour the class with fewer tokens for every unseen word, which wrecks imbalanced data.
  let seen = 0;
  for (let k = 0; k < f; k++) {
    let any = false;
    for (let l = 0; l < classes && !any; l++) any = counts[l * f + k]! > 0;
    if (any) seen++;
    else for (let l = 0; l < classes; l++) counts[l * f + k] = NaN;
  }
  const logLik = new Float32Array(classes * f);
  for (let l = 0; l < classes; l++) {
    const denom = Math.log(totals[l]! + seen);
    for (let k = 0; k < f; k++) logLik[l * f + k] = Math.log(counts[l * f + k]! + 1) - denom;
  }
  const all = docCounts.reduce((a, b) => a + b, 0);
  const logPrior = Float64Array.from(docCounts, (c) => Math.log((c + 1) / (all + classes)));
  return { classes, vocab, logLik, logPrior };
}

function orZero(x: number): number {
  return x === x ? x : 0;
}

/**
 * Posterior of each class for document d, ignoring the tokens whose positions are masked (and bigrams that touch
 * them). Writes into `out` and returns it.
 */
export function posterior(m: NaiveBayes, d: Int32Array, masked: Uint8Array | null, out: Float64Array): Float64Array {
  const f = m.vocab + BIGRAM_BUCKETS;
  for (let l = 0; l < m.classes; l++) {
    let s = m.logPrior[l]!;
    const o = l * f;
    for (let t = 0; t < d.length; t++) {
      if (masked && masked[t]) continue;
      const w = d[t]!;
      // Words unseen in training carry no evidence (their id may exceed this fold's counts).
      if (w < m.vocab) s += orZero(m.logLik[o + w]!);
      if (t + 1 < d.length && !(masked && masked[t + 1])) s += orZero(m.logLik[o + m.vocab + bigramKey(w, d[t + 1]!)]!);
    }
    out[l] = s;
  }
  let max = -Infinity;
  for (let l = 0; l < m.classes; l++) max = Math.max(max, out[l]!);
  let z = 0;
  for (let l = 0; l < m.classes; l++) z += (out[l] = Math.exp(out[l]! - max));
  for (let l = 0; l < m.classes; l++) out[l]! /= z;
  return out;
}

/**
 * As posterior, from the document's unmasked log scores (full[at + class], before normalising): only the masked
 * tokens and the bigrams touching them are taken out, so a long document with a short unit masked costs the
 * unit's length, not the document's.
 */
export function posteriorWithout(m: NaiveBayes, d: Int32Array, masked: Uint8Array, full: Float64Array, at: number, out: Float64Array): Float64Array {
  const f = m.vocab + BIGRAM_BUCKETS;
  for (let l = 0; l < m.classes; l++) out[l] = full[at + l]!;
  for (let t = 0; t < d.length; t++) {
    const here = masked[t] === 1;
    // The bigram (t, t+1) left the sum when either end is masked; the unigram at t when t is.
    const bigram = t + 1 < d.length && (here || masked[t + 1] === 1);
    if (!here && !bigram) continue;
    const w = d[t]!;
    const key = bigram ? m.vocab + bigramKey(w, d[t + 1]!) : -1;
    for (let l = 0; l < m.classes; l++) {
      const o = l * f;
      if (here && w < m.vocab) out[l]! -= orZero(m.logLik[o + w]!);
      if (bigram) out[l]! -= orZero(m.logLik[o + key]!);
    }
  }
  return normalise(m.classes, out);
}

/** Log scores of each class for the whole of document d (posterior before normalising). */
function logScores(m: NaiveBayes, d: Int32Array, out: Float64Array, at: number): void {
  const f = m.vocab + BIGRAM_BUCKETS;
  for (let l = 0; l < m.classes; l++) {
    let s = m.logPrior[l]!;
    const o = l * f;
    for (let t = 0; t < d.length; t++) {
      const w = d[t]!;
      if (w < m.vocab) s += orZero(m.logLik[o + w]!);
      if (t + 1 < d.length) s += orZero(m.logLik[o + m.vocab + bigramKey(w, d[t + 1]!)]!);
    }
    out[at + l] = s;
  }
}

function normalise(classes: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let l = 0; l < classes; l++) max = Math.max(max, out[l]!);
  let z = 0;
  for (let l = 0; l < classes; l++) z += (out[l] = Math.exp(out[l]! - max));
  for (let l = 0; l < classes; l++) out[l]! /= z;
  return out;
}

/** K models; document i is judged by the one trained without fold i % K. */
export class CrossFitted {
  private readonly models: NaiveBayes[];
  /** Per document, its unmasked log score of each class (filled on first use). */
  private scores: Float64Array | null = null;
  private readonly classes: number;
  constructor(private readonly docs: Int32Array[], labels: Int32Array, classes: number, vocab: number, readonly folds = 5) {
    this.classes = classes;
    this.models = Array.from({ length: folds }, (_, k) => trainNaiveBayes(docs, labels, classes, vocab, (i) => i % folds !== k));
  }

  posterior(i: number, masked: Uint8Array | null, out: Float64Array): Float64Array {
    return posterior(this.models[i % this.folds]!, this.docs[i]!, masked, out);
  }

  /** posterior(i, masked, out), in time proportional to the masked part of the document. */
  posteriorWithout(i: number, masked: Uint8Array, out: Float64Array): Float64Array {
    const C = this.classes;
    if (!this.scores) {
      this.scores = new Float64Array(this.docs.length * C);
      this.docs.forEach((d, j) => logScores(this.models[j % this.folds]!, d, this.scores!, j * C));
    }
    return posteriorWithout(this.models[i % this.folds]!, this.docs[i]!, masked, this.scores, i * C, out);
  }
}
