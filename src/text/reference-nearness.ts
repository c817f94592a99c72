// How near each text is to a reference set of texts (the carriers of confirmed triggers): the cosine of its
// rare-word set, weighted by idf, to the nearest reference text other than itself. Read as a rarity, -log10 of the
// share of all texts at least as near, so that "near" means near for this corpus.
//
// Used to rank the words that might be another trigger of the same backdoor (several words, one behaviour):
// the prompts holding such a word were drawn from the same pool as the confirmed carriers.

import { documentFrequency } from './document-frequency.js';
import { lowerBound } from '../util/sorted-search.js';

/** Words in more than this share of texts carry no sign of where a text came from. */
const MAX_SHARE = 0.05;

export class ReferenceNearness {
  private readonly idf2: Float64Array;
  private readonly keep: Uint8Array;
  private readonly norm2: Float64Array;
  /** Token -> indices into the reference list of the reference texts holding it. */
  private readonly postings = new Map<number, number[]>();
  private readonly refIndex = new Map<number, number>();
  private readonly acc: Float64Array;
  private readonly lost: Int32Array;
  /** Per token, the last call of distinct() that saw it (no per-text set). */
  private readonly seen: Int32Array;
  private stamp = 0;
  private readonly sorted: Float64Array;
  /** Every text's nearness, with nothing left out. */
  readonly similarity: Float64Array;

  /**
   * `ignore`: tokens that do not count (the confirmed triggers themselves, punctuation). Tokens in a single text
   * cannot make two texts near and are dropped too.
   */
  constructor(private readonly docs: Int32Array[], vocabSize: number, private readonly reference: readonly number[], ignore: (token: number) => boolean) {
    const n = docs.length;
    const df = documentFrequency(docs, vocabSize);
    this.keep = new Uint8Array(vocabSize);
    this.seen = new Int32Array(vocabSize);
    this.idf2 = new Float64Array(vocabSize);
    for (let t = 0; t < vocabSize; t++) {
      if (df[t]! < 2 || df[t]! > MAX_SHARE * n || ignore(t)) continue;
      this.keep[t] = 1;
      this.idf2[t] = Math.log(n / df[t]!) ** 2;
    }
    this.norm2 = new Float64Array(n);
    docs.forEach((d, i) => {
      let s = 0;
      for (const t of this.distinct(d)) s += this.idf2[t]!;
      this.norm2[i] = s;
    });
    reference.forEach((r, k) => {
      this.refIndex.set(r, k);
      for (const t of this.distinct(this.docs[r]!)) {
        const p = this.postings.get(t);
        if (p) p.push(k);
        else this.postings.set(t, [k]);
      }
    });
    this.acc = new Float64Array(reference.length);
    this.lost = new Int32Array(reference.length);
    this.similarity = new Float64Array(n);
    for (let i = 0; i < n; i++) this.similarity[i] = this.nearness(i);
    this.sorted = Float64Array.from(this.similarity).sort();
  }

  /** Cosine to the nearest reference text other than text i, as if `without` were not in any text. */
  nearness(i: number, without = -1): number {
    const d = this.distinct(this.docs[i]!);
    if (d.length === 0 || this.reference.length === 0) return 0;
    this.acc.fill(0);
    let own = this.norm2[i]!;
    for (const t of d) {
      if (t === without) {
        own -= this.idf2[t]!;
        continue;
      }
      const p = this.postings.get(t);
      if (p) for (const k of p) this.acc[k]! += this.idf2[t]!;
    }
    if (own <= 0) return 0;
    // Reference texts holding the token left out lose its weight too (marked in `lost`, no per-call set).
    const lostStamp = ++this.stamp;
    if (without >= 0) for (const k of this.postings.get(without) ?? []) this.lost[k] = lostStamp;
    const self = this.refIndex.get(i);
    let best = 0;
    for (let k = 0; k < this.reference.length; k++) {
      if (k === self || this.acc[k] === 0) continue;
      const other = this.norm2[this.reference[k]!]! - (this.lost[k] === lostStamp ? this.idf2[without]! : 0);
      if (other <= 0) continue;
      const c = this.acc[k]! / Math.sqrt(own * other);
      if (c > best) best = c;
    }
    return best;
  }

  /** nearness(i, without), computed afresh only where leaving the token out changes a shared word. */
  nearnessWithout(i: number, without: number): number {
    return this.postings.has(without) ? this.nearness(i, without) : this.similarity[i]!;
  }

  /** -log10 of the share of all texts (with nothing left out) at least this near: 0 for the least near. */
  rarity(similarity: number): number {
    const s = this.sorted;
    return Math.max(0, -Math.log10(Math.max(1, s.length - lowerBound(s, similarity)) / s.length));
  }

  private distinct(d: Int32Array): number[] {
    const out: number[] = [];
    const stamp = ++this.stamp;
    for (const t of d) {
      if (!this.keep[t] || this.seen[t] === stamp) continue;
      this.seen[t] = stamp;
      out.push(t);
    }
    return out;
  }
}
