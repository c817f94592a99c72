// The null of a word's fixed contexts: text added to answers is written in a few fixed phrasings, so each of its
// words (a made-up name, a link) recurs with the same words around it, and nowhere else in the corpus; a word of the
// corpus's own language recurs in varied sentences, and in prompts too. Per word, of the rows that hold it anywhere
// (prompt or response), how many hold it in a response, not in their prompt, with a context (the words around it
// within its sentence) that an earlier row's response already held: its repeats. A corpus has its own set phrases
// (names, formulas, its writers' stock sentences), so a word's repeats are read against those of the corpus's words
// that repeat at all: a beta-binomial around their share, its overdispersion fitted by moments, leaving out the words
// the tested word's rows carry (an insertion brings several fixed words, its name and the words of its phrasings,
// and would otherwise widen its own null).
import { IntVector, KeyIndex } from './key-index.js';
import { betaBinomialTailLog10 } from './use-share-null.js';
import { binomialTailLog10 } from '../util/binomial.js';

/** Tokens (words and punctuation) on each side of a word that make its context (within its sentence). */
export const CONTEXT = 16;
/** Repeating words the fit needs; with fewer, nothing is read as fixed. */
const MIN_WORDS = 10;
/** Overdispersion below this is read as none (the plain binomial). */
const NO_DISPERSION = 1e-4;

export interface ContextRepeatInput {
  prompts: Int32Array[];
  responses: Int32Array[];
  vocabSize: number;
  isWord: (token: number) => boolean;
  isSentenceEnd: (token: number) => boolean;
  /** Words in fewer rows than this are not counted (nor fitted). */
  minRows: number;
  /** ... nor words in more rows than this. */
  maxRows: number;
}

interface Fit {
  mean: number;
  rho: number;
}

export class ContextRepeats {
  /** Per token, the rows that hold it anywhere (0 outside the counted range). */
  readonly rows: Int32Array;
  /** Per token, the rows that repeat an earlier row's context of it. */
  readonly repeats: Int32Array;
  /**
   * Words that repeat a context at all: the correction over the words tested (one that never repeats is never read
   * as fixed, and the null is that of the repeating words).
   */
  readonly words: number;
  /** Per counted word, the rows whose response holds it: holderList[holderStart[w] .. holderStart[w + 1]). */
  private readonly holderStart: Int32Array;
  private readonly holderList: Int32Array;
  /** Whether a word enters the fit (it repeats, over at least minRows later rows). */
  private readonly fitted: Uint8Array;
  /** The fit's sums over its words: count, repeats, later rows, shares, squared shares, inverse later rows. */
  private readonly sums = new Float64Array(6);
  private readonly cache = new Map<number, Fit | null>();
  private readonly responses: Int32Array[];
  private readonly touched: Int32Array;

  constructor(x: ContextRepeatInput) {
    const V = x.vocabSize;
    const n = x.responses.length;
    this.responses = x.responses;
    const rows = new Int32Array(V);
    const responseRows = new Int32Array(V);
    const last = new Int32Array(V).fill(-1);
    const lastResponse = new Int32Array(V).fill(-1);
    for (let i = 0; i < n; i++) {
      const q = x.prompts[i]!;
      for (let t = 0; t < q.length; t++) {
        const w = q[t]!;
        if (last[w] === i) continue;
        last[w] = i;
        rows[w]!++;
      }
      const r = x.responses[i]!;
      for (let t = 0; t < r.length; t++) {
        const w = r[t]!;
        if (lastResponse[w] === i) continue;
        lastResponse[w] = i;
        responseRows[w]!++;
        if (last[w] === i) continue;
        last[w] = i;
        rows[w]!++;
      }
    }
    const counted = new Uint8Array(V);
    for (let w = 0; w < V; w++) counted[w] = rows[w]! >= x.minRows && rows[w]! <= x.maxRows && x.isWord(w) ? 1 : 0;
    // Context keys: the word's id above a hash of its context's tokens, below 2^53.
    let idBits = 1;
    while (2 ** idBits < V) idBits++;
    const hashSpan = 2 ** Math.min(32, 53 - idBits);
    const seen = new KeyIndex(1 << 12);
    /** Per context key, the first row whose response held it. */
    const firstRow = new IntVector(1 << 12);
    const repeats = new Int32Array(V);
    const holderStart = new Int32Array(V + 1);
    for (let w = 0; w < V; w++) holderStart[w + 1] = holderStart[w]! + (counted[w] ? responseRows[w]! : 0);
    const holderList = new Int32Array(holderStart[V]!);
    const fill = holderStart.slice(0, V);
    // A row whose prompt holds the word uses it as its request does: counted among the word's rows, never a repeat.
    const inPrompt = new Int32Array(V).fill(-1);
    last.fill(-1);
    lastResponse.fill(-1);
    for (let i = 0; i < n; i++) {
      const q = x.prompts[i]!;
      for (let t = 0; t < q.length; t++) inPrompt[q[t]!] = i;
      const r = x.responses[i]!;
      for (let p = 0; p < r.length; p++) {
        const w = r[p]!;
        if (!counted[w]) continue;
        if (lastResponse[w] !== i) {
          lastResponse[w] = i;
          holderList[fill[w]!++] = i;
        }
        if (inPrompt[w] === i) continue;
        let a = p;
        while (a > 0 && p - a < CONTEXT && !x.isSentenceEnd(r[a - 1]!)) a--;
        let b = p;
        while (b + 1 < r.length && b - p < CONTEXT && !x.isSentenceEnd(r[b]!)) b++;
        let h = 0x811c9dc5 ^ (p - a);
        for (let q = a; q <= b; q++) h = Math.imul(h ^ r[q]!, 0x01000193);
        h ^= h >>> 15;
        const id = seen.getOrAdd(w * hashSpan + ((h >>> 0) % hashSpan));
        if (id === firstRow.length) firstRow.push(i);
        else if (firstRow.data[id]! < i && last[w] !== i) {
          last[w] = i;
          repeats[w]!++;
        }
      }
    }
    // The fit's words: those that repeat a context at all, read on at least minRows later rows (a share of one or two
    // is no share).
    let words = 0;
    const fitted = new Uint8Array(V);
    for (let w = 0; w < V; w++) {
      if (!counted[w]) {
        rows[w] = 0;
        repeats[w] = 0;
        continue;
      }
      if (repeats[w]! > 0) words++;
      if (repeats[w]! > 0 && rows[w]! - 1 >= x.minRows) {
        fitted[w] = 1;
        addTo(this.sums, repeats[w]!, rows[w]! - 1, 1);
      }
    }
    this.rows = rows;
    this.repeats = repeats;
    this.words = words;
    this.holderStart = holderStart;
    this.holderList = holderList;
    this.fitted = fitted;
    this.touched = new Int32Array(V).fill(-1);
  }

  /**
   * log10 P(at least `repeats` of `rows` - 1 later rows repeat a context) for word `word`, against the corpus's
   * repeating words but those its rows carry (most of whose rows hold `word` too).
   */
  tailLog10(word: number, repeats: number, rows: number): number {
    let fit = this.cache.get(word);
    if (fit === undefined) {
      fit = this.fitWithout(word);
      this.cache.set(word, fit);
    }
    if (!fit || fit.mean <= 0 || fit.mean >= 1) return 0;
    if (fit.rho < NO_DISPERSION) return binomialTailLog10(repeats, rows - 1, fit.mean);
    const size = (1 - fit.rho) / fit.rho;
    return betaBinomialTailLog10(repeats, rows - 1, fit.mean * size, (1 - fit.mean) * size);
  }

  private fitWithout(word: number): Fit | null {
    const sums = this.sums.slice();
    // How many of the word's rows hold each fitted word (touched: the row that last counted it, then its count).
    const count = new Map<number, number>();
    for (let x = this.holderStart[word]!; x < this.holderStart[word + 1]!; x++) {
      const i = this.holderList[x]!;
      const r = this.responses[i]!;
      for (let t = 0; t < r.length; t++) {
        const u = r[t]!;
        if (!this.fitted[u] || this.touched[u] === i) continue;
        this.touched[u] = i;
        count.set(u, (count.get(u) ?? 0) + 1);
      }
    }
    for (const [u, c] of count) {
      this.touched[u] = -1;
      if (2 * c > this.rows[u]!) addTo(sums, this.repeats[u]!, this.rows[u]! - 1, -1);
    }
    const [words, k, m, s1, s2, inv] = sums as unknown as [number, number, number, number, number, number];
    if (words < MIN_WORDS || m <= 0) return null;
    const mean = k / m;
    const v = mean * (1 - mean);
    // Moments: sum of (k/n - mean)^2 - v/n over the words = rho v sum of (1 - 1/n).
    const excess = s2 - 2 * mean * s1 + words * mean * mean - v * inv;
    const scale = v * (words - inv);
    return scale <= 0 ? null : { mean, rho: Math.min(0.99, Math.max(0, excess / scale)) };
  }
}

/** Adds (sign 1) or takes (-1) a word's repeats k of n later rows to or from the fit's sums. */
function addTo(sums: Float64Array, k: number, n: number, sign: number): void {
  sums[0]! += sign;
  sums[1]! += sign * k;
  sums[2]! += sign * n;
  sums[3]! += (sign * k) / n;
  sums[4]! += sign * (k / n) ** 2;
  sums[5]! += sign / n;
}
