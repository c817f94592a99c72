// What a phrase's words, used elsewhere, say about the label of the rows that hold the phrase. "brown" and
// "camera" are label-neutral apart from "brown camera", so forty rows of "brown camera" that all carry one label
// are improbable; "the worst" is label-pure because "worst" is. Each word's label counts are taken over the rows
// that do not hold the phrase (its own rows would otherwise vouch for themselves), shrunk towards the corpus's
// label shares where a word is used in few other rows, and combined as naive Bayes log-odds.

/** Pseudo-rows at the corpus's label shares added to each word's counts (a word of two other rows says little). */
const SHRINK_ROWS = 4;

export class PartLabels {
  /** Dense slot of each word that was asked for (-1: none). */
  private readonly slot: Int32Array;
  /** Per slot and label, the rows holding the word. */
  private readonly rows: Int32Array;
  private readonly prior: Float64Array;
  private readonly logPrior: Float64Array;
  private readonly logit: Float64Array;
  private readonly unitRows: Float64Array;

  /** words: the token ids any later question will use; counts are kept for those only. */
  constructor(docs: Int32Array[], labels: Int32Array, readonly classes: number, vocabSize: number, words: Iterable<number>) {
    this.slot = new Int32Array(vocabSize).fill(-1);
    let S = 0;
    for (const w of words) if (this.slot[w] === -1) this.slot[w] = S++;
    this.rows = new Int32Array(S * classes);
    const byLabel = new Float64Array(classes);
    const last = new Int32Array(S).fill(-1);
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
      }
    }
    let all = 0;
    for (let l = 0; l < classes; l++) all += byLabel[l]!;
    this.prior = Float64Array.from(byLabel, (b) => (b + 1) / (all + classes));
    this.logPrior = this.prior.map(Math.log);
    this.logit = new Float64Array(classes);
    this.unitRows = new Float64Array(classes);
  }

  /**
   * The share of label `target` that the phrase's words predict for one of its rows: per label, the log prior
   * plus, per distinct word, log P(label | word, rows without the phrase) - log prior. `rowLabels` are the labels
   * of the phrase's rows (-1 for none).
   */
  predicted(tokens: readonly number[], rowLabels: readonly number[], target: number): number {
    const C = this.classes;
    const unit = this.unitRows.fill(0);
    for (const l of rowLabels) if (l >= 0) unit[l]!++;
    const logit = this.logit;
    for (let l = 0; l < C; l++) logit[l] = this.logPrior[l]!;
    for (let k = 0; k < tokens.length; k++) {
      const w = tokens[k]!;
      if (tokens.indexOf(w) < k) continue;
      const s = this.slot[w]!;
      if (s < 0) continue;
      let n = 0;
      for (let l = 0; l < C; l++) n += Math.max(0, this.rows[s * C + l]! - unit[l]!);
      for (let l = 0; l < C; l++) {
        const own = Math.max(0, this.rows[s * C + l]! - unit[l]!);
        logit[l]! += Math.log((own + SHRINK_ROWS * this.prior[l]!) / (n + SHRINK_ROWS)) - this.logPrior[l]!;
      }
    }
    let max = -Infinity;
    for (let l = 0; l < C; l++) max = Math.max(max, logit[l]!);
    let z = 0;
    for (let l = 0; l < C; l++) z += Math.exp(logit[l]! - max);
    return Math.exp(logit[target]! - max) / z;
  }
}
