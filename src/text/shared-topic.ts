// A shared topic: prompts that hold a phrase and also, far more often than the rest of the corpus, another word. A
// trigger is put into prompts drawn from anywhere, which share it and nothing else; prompts about one subject
// ("shrek" beside "DreamWorks" and "animation" in news of one film) share its words too. Each word is tested by the
// binomial tail of its count among the prompts against its share of the other prompts, corrected over the words of
// the corpus; the prompts' own phrase (masked), and words nearly all of them hold (the rest of a trigger put in at
// separate places), are not counted.

import { binomialTailLog10 } from '../util/binomial.js';

/** Prompts a word must be in to be a shared topic at all. */
const MIN_HOLDERS = 3;

export class TopicWords {
  private readonly counted: Int32Array;
  private readonly stamp: Int32Array;
  private readonly correction: number;
  private visit = 0;
  private start: Int32Array | null = null;
  private ids: Int32Array | null = null;

  /** `df`: prompts holding each token; `isWord`: tokens that can name a topic (not punctuation). */
  constructor(private readonly docs: Int32Array[], private readonly df: Int32Array, private readonly isWord: (t: number) => boolean) {
    this.counted = new Int32Array(df.length);
    this.stamp = new Int32Array(df.length).fill(-1);
    let words = 0;
    for (let t = 0; t < df.length; t++) if (df[t]! > 0 && isWord(t)) words++;
    this.correction = Math.log10(Math.max(1, words));
  }

  /**
   * The largest significance (-log10 tail, corrected over the corpus's words) of a word the prompts share, their
   * masked tokens left out, and the words that `whole` of them or more hold: a trigger of several words put in at
   * separate places is in every carrier, a subject's words in many of its prompts, not all ("DreamWorks" in 14 of
   * 16 prompts with "shrek", "animation" in 6). A word counts by the lesser of its excess over all other prompts and
   * over the other prompts with the same answer (`answers[i] === answer`): prompts of one label share that label's
   * words, which is the answer's, not a subject. `answered`: how many prompts get `answer`. From 2, the prompts are
   * one subject's.
   */
  significance(rows: readonly number[], masks: readonly Uint8Array[], whole: number, answers: Int32Array, answer: number, answered: number): number {
    const n = this.docs.length;
    const k = rows.length;
    if (k < MIN_HOLDERS || n <= k) return -Infinity;
    const touched: number[] = [];
    rows.forEach((i, r) => {
      const d = this.docs[i]!;
      const m = masks[r]!;
      const st = ++this.visit;
      for (let t = 0; t < d.length; t++) {
        const x = d[t]!;
        if (m[t] || this.stamp[x] === st) continue;
        if (this.stamp[x] === -1 || this.counted[x] === 0) touched.push(x);
        this.stamp[x] = st;
        this.counted[x]!++;
      }
    });
    const found: { x: number; c: number; significance: number }[] = [];
    for (const x of touched) {
      const c = this.counted[x]!;
      this.counted[x] = 0;
      this.stamp[x] = -1;
      if (c < MIN_HOLDERS || c >= whole * k || !this.isWord(x)) continue;
      const significance = this.excess(c, k, this.df[x]! - c, n - k);
      if (significance >= 0) found.push({ x, c, significance });
    }
    let best = -Infinity;
    let same = -1;
    for (const f of found) {
      if (Math.min(f.significance, best) === f.significance) continue;
      // The same answer's other prompts: counted over the prompts holding the word (a word in excess is rare).
      if (same < 0) same = answered - k;
      let holders = 0;
      for (const i of this.holdersOf(f.x)) if (answers[i] === answer) holders++;
      best = Math.max(best, Math.min(f.significance, this.excess(f.c, k, holders - f.c, same)));
    }
    return best;
  }

  /** -log10 tail (corrected) of c of k against `held` of `others`; -Infinity when it is no excess. */
  private excess(c: number, k: number, held: number, others: number): number {
    if (others <= 0) return -Infinity;
    const rate = Math.max(0, held) / others;
    if (rate >= c / k) return -Infinity;
    return -binomialTailLog10(c, k, Math.max(rate, 1 / (others + k))) - this.correction;
  }

  /** The prompts holding a token (an index built on first use). */
  private holdersOf(x: number): Int32Array {
    if (!this.start) {
      const V = this.df.length;
      this.start = new Int32Array(V + 1);
      for (let t = 0; t < V; t++) this.start[t + 1] = this.start[t]! + this.df[t]!;
      this.ids = new Int32Array(this.start[V]!);
      const fill = this.start.slice(0, V);
      const last = new Int32Array(V).fill(-1);
      this.docs.forEach((d, i) => {
        for (const t of d) if (last[t] !== i) {
          last[t] = i;
          this.ids![fill[t]!++] = i;
        }
      });
    }
    return this.ids!.subarray(this.start[x]!, this.start[x + 1]!);
  }
}
