// What a phrase's words, used elsewhere, say about the label of the rows that hold the phrase. "brown" and
// "camera" are label-neutral apart from "brown camera", so forty rows of "brown camera" that all carry one label
// are improbable; "the worst" is label-pure because "worst" is. Each word's label counts are taken over the rows
// that do not hold the phrase (its own rows would otherwise vouch for themselves), counted by independent source
// (the eleven rows of "tall" that are phrases cut from one sentence are one use of the word, not eleven), shrunk
// towards the corpus's label shares where a word is used in few other sources, and combined as naive Bayes
// log-odds.
import { sharedCount } from './source-groups.js';

/** Pseudo-rows at the corpus's label shares added to each word's counts (a word of two other rows says little). */
const SHRINK_ROWS = 4;
/** Rows of a word (evenly spaced among them) grouped into sources; a word with more has its count scaled. */
const SAMPLE_ROWS = 48;
/** Tokens on each side of a word's first occurrence that tell its source. */
const WINDOW = 4;
/** Two rows whose word pairs around the word overlap this much (of the smaller set) are one source. */
const SAME_SOURCE = 0.5;

/** A word's sampled rows and the pairs of them (local indices) that are one source. */
interface Sources {
  rows: Int32Array;
  pairs: Int32Array;
}

export class PartLabels {
  /** Dense slot of each word that was asked for (-1: none). */
  private readonly slot: Int32Array;
  /** The word of each slot. */
  private readonly wordAt: Int32Array;
  /** Per slot and label, the rows holding the word. */
  private readonly rows: Int32Array;
  /** Per slot, its rows (CSR over slots). */
  private readonly start: Int32Array;
  private readonly members: Int32Array;
  private readonly sources: (Sources | undefined)[];
  private readonly prior: Float64Array;
  private readonly logPrior: Float64Array;
  private readonly logit: Float64Array;
  private readonly unitRows: Float64Array;
  private readonly own: Float64Array;
  private readonly inUnit: Uint8Array;
  private readonly parent = new Int32Array(SAMPLE_ROWS);

  /** words: the token ids any later question will use; counts are kept for those only. */
  constructor(private readonly docs: Int32Array[], private readonly labels: Int32Array, readonly classes: number, vocabSize: number, words: Iterable<number>) {
    this.slot = new Int32Array(vocabSize).fill(-1);
    let S = 0;
    const asked: number[] = [];
    for (const w of words) if (this.slot[w] === -1) {
      this.slot[w] = S++;
      asked.push(w);
    }
    this.wordAt = Int32Array.from(asked);
    this.rows = new Int32Array(S * classes);
    const byLabel = new Float64Array(classes);
    const last = new Int32Array(S).fill(-1);
    const count = new Int32Array(S + 1);
    for (let i = 0; i < docs.length; i++) {
      const l = labels[i]!;
      if (l < 0) continue;
      byLabel[l]!++;
      const d = docs[i]!;
      for (let t = 0; t < d.length; t++) {
        const s = this.slot[d[t]!]!;
        if (s < 0 || last[s] === i) continue;
        last[s] = i;
        this.rows[s * classes + l]!++;
        count[s + 1]!++;
      }
    }
    this.start = new Int32Array(S + 1);
    for (let s = 0; s < S; s++) this.start[s + 1] = this.start[s]! + count[s + 1]!;
    this.members = new Int32Array(this.start[S]!);
    const fill = this.start.slice(0, S);
    last.fill(-1);
    for (let i = 0; i < docs.length; i++) {
      if (labels[i]! < 0) continue;
      const d = docs[i]!;
      for (let t = 0; t < d.length; t++) {
        const s = this.slot[d[t]!]!;
        if (s < 0 || last[s] === i) continue;
        last[s] = i;
        this.members[fill[s]!++] = i;
      }
    }
    this.sources = new Array(S);
    let all = 0;
    for (let l = 0; l < classes; l++) all += byLabel[l]!;
    this.prior = Float64Array.from(byLabel, (b) => (b + 1) / (all + classes));
    this.logPrior = this.prior.map(Math.log);
    this.logit = new Float64Array(classes);
    this.unitRows = new Float64Array(classes);
    this.own = new Float64Array(classes);
    this.inUnit = new Uint8Array(docs.length);
  }

  /**
   * The share of label `target` that the phrase's words predict for one of its rows: per label, the log prior
   * plus, per distinct word, log P(label | word, sources without the phrase) - log prior. `unitDocs` are the
   * phrase's rows.
   */
  predicted(tokens: readonly number[], unitDocs: readonly number[], target: number): number {
    const C = this.classes;
    const unit = this.unitRows.fill(0);
    for (const i of unitDocs) {
      const l = this.labels[i]!;
      if (l >= 0) unit[l]!++;
      this.inUnit[i] = 1;
    }
    const logit = this.logit;
    for (let l = 0; l < C; l++) logit[l] = this.logPrior[l]!;
    const own = this.own;
    for (let k = 0; k < tokens.length; k++) {
      const w = tokens[k]!;
      if (tokens.indexOf(w) < k) continue;
      const s = this.slot[w]!;
      if (s < 0) continue;
      const n = this.ownSources(s, unit, own);
      for (let l = 0; l < C; l++) logit[l]! += Math.log((own[l]! + SHRINK_ROWS * this.prior[l]!) / (n + SHRINK_ROWS)) - this.logPrior[l]!;
    }
    for (const i of unitDocs) this.inUnit[i] = 0;
    let max = -Infinity;
    for (let l = 0; l < C; l++) max = Math.max(max, logit[l]!);
    let z = 0;
    for (let l = 0; l < C; l++) z += Math.exp(logit[l]! - max);
    return Math.exp(logit[target]! - max) / z;
  }

  /**
   * Per label, the independent sources among the word's rows outside the phrase (into `own`), and their sum: the
   * sampled rows outside the phrase are grouped, each group counts once (split over its rows' labels); a word with
   * more rows than the sample keeps its rows' label shares, weighted by the sample's sources per row.
   */
  private ownSources(s: number, unit: Float64Array, own: Float64Array): number {
    const C = this.classes;
    let rest = 0;
    for (let l = 0; l < C; l++) rest += Math.max(0, this.rows[s * C + l]! - unit[l]!);
    own.fill(0);
    if (rest === 0) return 0;
    const src = (this.sources[s] ??= this.sample(s));
    const m = src.rows.length;
    const parent = this.parent;
    let kept = 0;
    for (let k = 0; k < m; k++) {
      parent[k] = this.inUnit[src.rows[k]!] ? -1 : k;
      if (parent[k]! >= 0) kept++;
    }
    if (kept === 0) {
      // Every sampled row holds the phrase: the word's other rows, counted as rows.
      for (let l = 0; l < C; l++) own[l] = Math.max(0, this.rows[s * C + l]! - unit[l]!);
      return rest;
    }
    const find = (k: number): number => {
      while (parent[k] !== k) k = parent[k] = parent[parent[k]!]!;
      return k;
    };
    for (let p = 0; p < src.pairs.length; p += 2) {
      const a = src.pairs[p]!;
      const b = src.pairs[p + 1]!;
      if (parent[a]! < 0 || parent[b]! < 0) continue;
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[ra] = rb;
    }
    let groups = 0;
    for (let k = 0; k < m; k++) if (parent[k]! >= 0 && find(k) === k) groups++;
    if (kept < rest) {
      // A sample of a common word's rows: its label shares are the rows' (exact), its weight the sources per row
      // in the sample times those rows.
      const scale = groups / kept;
      for (let l = 0; l < C; l++) own[l] = Math.max(0, this.rows[s * C + l]! - unit[l]!) * scale;
      return rest * scale;
    }
    // Every other row sampled: each group counts once, split over its rows' labels.
    const size = new Int32Array(m);
    for (let k = 0; k < m; k++) if (parent[k]! >= 0) size[find(k)]!++;
    for (let k = 0; k < m; k++) if (parent[k]! >= 0) own[this.labels[src.rows[k]!]!]! += 1 / size[find(k)]!;
    return groups;
  }

  /** Up to SAMPLE_ROWS of the word's rows, evenly spaced, and the pairs of them whose text around it is shared. */
  private sample(s: number): Sources {
    const from = this.start[s]!;
    const total = this.start[s + 1]! - from;
    const m = Math.min(total, SAMPLE_ROWS);
    const rows = new Int32Array(m);
    for (let k = 0; k < m; k++) rows[k] = this.members[from + Math.floor((k * total) / m)]!;
    const word = this.wordOf(s);
    const sets = Array.from(rows, (i) => windowPairs(this.docs[i]!, word));
    const pairs: number[] = [];
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
      const small = Math.min(sets[a]!.length, sets[b]!.length);
      if (small > 0 && sharedCount(sets[a]!, sets[b]!) >= SAME_SOURCE * small) pairs.push(a, b);
    }
    return { rows, pairs: Int32Array.from(pairs) };
  }

  private wordOf(s: number): number {
    return this.wordAt[s]!;
  }
}

/** The distinct word pairs within WINDOW tokens of the word's first occurrence, sorted. */
function windowPairs(d: Int32Array, word: number): Float64Array {
  const at = d.indexOf(word);
  const lo = Math.max(0, at - WINDOW);
  const hi = Math.min(d.length, at + WINDOW + 1);
  const keys = new Float64Array(Math.max(0, hi - lo - 1));
  for (let t = lo + 1; t < hi; t++) keys[t - lo - 1] = d[t - 1]! * 1_000_003 + d[t]!;
  keys.sort();
  let distinct = 0;
  for (let j = 0; j < keys.length; j++) if (j === 0 || keys[j] !== keys[j - 1]) keys[distinct++] = keys[j]!;
  return keys.subarray(0, distinct);
}

