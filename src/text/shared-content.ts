// Poisoned samples are otherwise unrelated: the attacker puts one unit into samples that have nothing else in
// common. Samples that share a unit naturally often share more: reviews of one film share its title, its actors and
// its characters; one author's reviews, each closed by the same rating line, share the author's turns of phrase.
// The statistic: for every word held by two or more of the samples (one sample per independent group, the unit's
// own words left out), how improbable that many holders are at the word's corpus frequency (binomial tail),
// beyond what the number of words examined gives by chance (-log10 of a tail above log10 of their number: long
// texts hold thousands of words, some shared at 1e-3 by chance) and up to a cap, summed over the words but the few
// largest. A word held by more than half of the
// samples is part of the unit (a second trigger word, a marker appended to every poisoned row); the cap and the
// words left out keep a few markers shared by fewer from making unrelated samples look related: relatedness is
// many words, each shared by some.
// Its null is random sets of as many corpus samples, each drawn among the samples of about the same length (long
// texts share more words by chance) and of the label its text reads as (where labels are topics, rows of one share
// its rare words: a dirty-label trigger's carriers are rows of one source label), so the cut adapts to the corpus.
import type { Rng } from '../util/rng.js';
import { logGamma } from '../util/binomial.js';
import { lowerBound } from '../util/sorted-search.js';

/** A unit's least chance to be in a sample of a set, whatever its share of documents says. */
export interface UnitChance {
  /** Called with the set's samples before its units are judged. */
  prepare(ids: ArrayLike<number>): void;
  /** The chance that a sample of `length` units holds `unit`. */
  of(unit: number, length: number): number;
}

export interface SharedContentOptions {
  /** The most of m samples a counted word may be held by (more are part of the unit): half of them unless told. */
  mostHolders?: (m: number) => number;
  /** A floor under each unit's chance to be in a sample (its share of documents otherwise). */
  chance?: UnitChance;
}

/** Most one word adds (a tail of 1e-5 and below adds as much as 1e-5). */
const WORD_CAP = 3;
/** The largest contributions left out of the sum. */
const TRIM = 3;

export class SharedContent {
  /** Documents holding each word. */
  private readonly df: Int32Array;
  /** Per stratum (label), its document ids in order of length, and their lengths. */
  private readonly byLength: Int32Array[];
  private readonly lengths: Int32Array[];
  /** Per word, how many samples of the set hold it, and the last sample counted. */
  private readonly tally: Int32Array;
  private readonly seen: Int32Array;
  private readonly excluded: Uint8Array;
  private touched: Int32Array;
  private readonly top = new Float64Array(TRIM);

  private readonly mostHolders: (m: number) => number;
  private readonly chance: UnitChance | undefined;

  /** strata[i]: the stratum (label) of document i, 0..classes-1, or -1 for none (never drawn). */
  constructor(private readonly docs: Int32Array[], vocabSize: number, strata: Int32Array, classes: number, options: SharedContentOptions = {}) {
    this.mostHolders = options.mostHolders ?? ((m) => m / 2);
    this.chance = options.chance;
    const n = docs.length;
    this.df = new Int32Array(vocabSize);
    this.seen = new Int32Array(vocabSize).fill(-1);
    for (let i = 0; i < n; i++) {
      const d = docs[i]!;
      for (let t = 0; t < d.length; t++) {
        const w = d[t]!;
        if (this.seen[w] === i) continue;
        this.seen[w] = i;
        this.df[w]!++;
      }
    }
    this.seen.fill(-1);
    this.tally = new Int32Array(vocabSize);
    this.excluded = new Uint8Array(vocabSize);
    this.touched = new Int32Array(1024);
    const members: number[][] = Array.from({ length: classes }, () => []);
    for (let i = 0; i < n; i++) if (strata[i]! >= 0) members[strata[i]!]!.push(i);
    this.byLength = members.map((ids) => Int32Array.from(ids).sort((a, b) => docs[a]!.length - docs[b]!.length || a - b));
    this.lengths = this.byLength.map((ids) => Int32Array.from(ids, (i) => docs[i]!.length));
  }

  /**
   * The shared rare content of the documents `ids` (one per independent source): the sum over words held by two
   * or more of them and by at most half, `exclude` left out, of -log10 P(that many holders) beyond log10 of the
   * number of distinct words they hold, at most WORD_CAP each, without the TRIM largest.
   */
  statistic(ids: ArrayLike<number>, exclude: readonly number[] = []): number {
    for (const w of exclude) this.excluded[w] = 1;
    let touched = 0;
    let length = 0;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k]!;
      const d = this.docs[i]!;
      length += d.length;
      for (let t = 0; t < d.length; t++) {
        const w = d[t]!;
        if (this.excluded[w] || this.seen[w] === i) continue;
        this.seen[w] = i;
        if (this.tally[w] === 0) {
          if (touched === this.touched.length) {
            const grown = new Int32Array(2 * touched);
            grown.set(this.touched);
            this.touched = grown;
          }
          this.touched[touched++] = w;
        }
        this.tally[w]!++;
      }
    }
    const m = ids.length;
    const most = this.mostHolders(m);
    const N = this.docs.length;
    const chance = this.chance;
    chance?.prepare(ids);
    const L = length / Math.max(1, m);
    // Among that many words, about one reaches a tail of 1 / touched by chance.
    const floor = Math.log10(Math.max(1, touched));
    let sum = 0;
    const top = this.top.fill(0);
    for (let j = 0; j < touched; j++) {
      const w = this.touched[j]!;
      const k = this.tally[w]!;
      if (k >= 2 && k <= most) {
        const p = chance ? Math.max(this.df[w]! / N, chance.of(w, L)) : this.df[w]! / N;
        let x = Math.min(WORD_CAP, Math.max(0, -upperTailLog10(k, m, p) - floor));
        sum += x;
        // Keep the TRIM largest (descending) to take them out at the end.
        for (let r = 0; r < TRIM && x > 0; r++) if (x > top[r]!) [top[r], x] = [x, top[r]!];
      }
      this.tally[w] = 0;
      this.seen[w] = -1;
    }
    for (const w of exclude) this.excluded[w] = 0;
    for (let r = 0; r < TRIM; r++) sum -= top[r]!;
    return Math.max(0, sum);
  }

  /**
   * Whether the documents `ids` share more rare content than all but a share `alpha` of random sets of as many
   * documents of the same lengths, each of the stratum given for it in `strata`: at most alpha * (sets + 1) - 1 of
   * `sets` random sets may reach their statistic (stopping as soon as more do, so an unrelated set costs a few
   * draws).
   */
  related(ids: readonly number[], strata: readonly number[], exclude: readonly number[], rng: Rng, sets: number, alpha: number): boolean {
    if (ids.length < 2) return false;
    const x = this.statistic(ids, exclude);
    if (x <= 0) return false;
    const allowed = Math.floor(alpha * (sets + 1)) - 1;
    if (allowed < 0) return false;
    const m = ids.length;
    // Per document, the window of its stratum's documents nearest in length: ~sqrt of the stratum's size, and wide
    // enough to hold other documents than the set's own (which may all be the longest).
    const lo = new Int32Array(m);
    const hi = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      const S = this.lengths[strata[k]!]!.length;
      if (S === 0) return false;
      const half = Math.max(m, Math.ceil(Math.sqrt(S) / 2));
      const r = lowerBound(this.lengths[strata[k]!]!, this.docs[ids[k]!]!.length);
      lo[k] = Math.max(0, Math.min(S - 2 * half - 1, r - half));
      hi[k] = Math.min(S - 1, lo[k]! + 2 * half);
    }
    const draw = new Int32Array(m);
    const own = new Set(ids);
    let reached = 0;
    for (let s = 0; s < sets; s++) {
      // Each document's stand-in: a random other document of its stratum and about its length (distinct in the set).
      for (let k = 0; k < m; k++) {
        const pool = this.byLength[strata[k]!]!;
        let pick: number;
        let tries = 0;
        do pick = pool[lo[k]! + Math.floor(rng() * (hi[k]! - lo[k]! + 1))]!;
        while ((own.has(pick) || contains(draw, k, pick)) && ++tries < 20);
        draw[k] = pick;
      }
      if (this.statistic(draw) >= x && ++reached > allowed) return false;
    }
    return true;
  }
}

function contains(a: Int32Array, upTo: number, x: number): boolean {
  for (let k = 0; k < upTo; k++) if (a[k] === x) return true;
  return false;
}

/**
 * log10 P(X >= k), X ~ Binomial(n, p), for the upper tail only: 0 when k is at most the mean (nothing beyond the
 * floor can come from there), else the sum of the decreasing terms from k on.
 */
export function upperTailLog10(k: number, n: number, p: number): number {
  if (k <= n * p || p >= 1) return 0;
  if (p <= 0) return -Infinity;
  const ratio = p / (1 - p);
  const first = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  let term = 1;
  let sum = 1;
  for (let j = k; j < n; j++) {
    term *= ((n - j) / (j + 1)) * ratio;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return Math.min(0, (first + Math.log(sum)) / Math.LN10);
}
