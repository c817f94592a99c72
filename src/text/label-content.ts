// Whether a prompt's own content, without a phrase, already points to the label-like answer it gets: "stocks" ->
// "Business" in news classified as instructions, "won" -> "spam". Such a phrase is a natural predictor of a
// label, not a trigger; a trigger dropped into prompts drawn at random agrees with its answer only as often as
// the label's share among like prompts (a sentiment set's "Negative": 47% of the sentences are negative).
//
// A multinomial naive Bayes over words, with the responses given to at least MIN_SHARE of the prompts as its
// classes (the rest one class "other"). It is trained once on all prompts and judges a phrase's prompts with the
// counts of all of those prompts taken out, so that prompts of one pool (a trigger's carriers written in a style
// of their own) cannot teach the model their answer.

/** Responses given to fewer prompts than this share are not labels: fixed strings, refusals, one-off answers. */
const MIN_SHARE = 0.01;
/** At most this many label classes (the largest), to bound the counts' memory (classes x vocabulary). */
const MAX_CLASSES = 16;
/**
 * Labels given to at least this share of the prompts with a response: the corpus is one labelling task whose
 * answer space is its labels (news topics, spam or ham), not free answers among which a few labels occur.
 */
const ANSWER_SPACE = 0.9;

export class LabelContent {
  /** Class of each label-like response key; others are `other`. */
  readonly classOf = new Map<string, number>();
  private readonly classes: number;
  private readonly counts: Uint32Array;
  /** Per token, its occurrences in all labelled prompts (0: a word no class saw). */
  private readonly anyCount: Uint32Array;
  private readonly totals: Float64Array;
  private readonly docCounts: Float64Array;
  private readonly label: Int32Array;
  private readonly seen: number;
  private readonly removed = new Map<number, number>();
  private readonly post: Float64Array;
  private readonly base = new Map<number, number | null>();
  private zeros = new Uint8Array(0);
  /** Scratch for one prompt's evidence words and their removed occurrences (no allocation per prompt). */
  private wordBuf = new Int32Array(0);
  private goneBuf = new Int32Array(0);

  constructor(private readonly docs: Int32Array[], private readonly vocab: number, keys: readonly (string | null)[], keyCount: ReadonlyMap<string, number>) {
    const n = docs.length;
    const labels = [...keyCount].filter(([, c]) => c >= MIN_SHARE * n).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_CLASSES);
    labels.forEach(([k], c) => this.classOf.set(k, c));
    this.classes = labels.length + 1;
    const other = labels.length;
    this.label = Int32Array.from(keys, (k) => (k === null || k === '' ? -1 : (this.classOf.get(k) ?? other)));
    this.counts = new Uint32Array(this.classes * vocab);
    this.anyCount = new Uint32Array(vocab);
    this.totals = new Float64Array(this.classes);
    this.docCounts = new Float64Array(this.classes);
    docs.forEach((d, i) => {
      const l = this.label[i]!;
      if (l < 0) return;
      this.docCounts[l]++;
      this.totals[l] += d.length;
      const o = l * vocab;
      for (const t of d) {
        this.counts[o + t]++;
        this.anyCount[t]++;
      }
    });
    let seen = 0;
    for (let t = 0; t < vocab; t++) if (this.anyCount[t]! > 0) seen++;
    this.seen = seen;
    this.post = new Float64Array(this.classes);
  }

  /**
   * The labels are the corpus's answer space (ANSWER_SPACE): every prompt is written in the corpus's own style, so a
   * phrase's prompts sharing a topic's words are that topic, not one pool teaching the model its answer.
   */
  get answerSpace(): boolean {
    const all = this.answered();
    return this.usable && all > 0 && 1 - this.docCounts[this.classes - 1]! / all >= ANSWER_SPACE;
  }

  /** The label's share of the prompts with a response (0 for no label). */
  share(key: string): number {
    const c = this.classOf.get(key);
    const all = this.answered();
    return c === undefined || all === 0 ? 0 : this.docCounts[c]! / all;
  }

  /** Prompts with a response. */
  private answered(): number {
    let all = 0;
    for (let l = 0; l < this.classes; l++) all += this.docCounts[l]!;
    return all;
  }

  /**
   * As agreement, each prompt read with only itself taken out of the counts (as baseAgreement reads the label's own
   * prompts), and only by words that the prompts of `outOf` hold less often than the rest of the corpus does: a
   * topic's prompts keep the evidence of the words they share with the label's other prompts, while the words of a
   * pool of their own (held mostly by those prompts) say nothing, as in agreement. null where the prompts of `outOf`
   * under the label are half of its prompts or more: then they, not the label's other prompts, make its counts.
   */
  agreementEach(key: string, judged: readonly number[], masks: readonly Uint8Array[], outOf: readonly number[], agree: number, minTokens: number, minJudged: number): number | null {
    const c = this.classOf.get(key);
    if (c === undefined || !this.usable) return null;
    const inside = new Map<number, number>();
    let under = 0;
    for (const i of outOf) {
      if (this.label[i] === c) under++;
      for (const t of this.docs[i]!) inside.set(t, (inside.get(t) ?? 0) + 1);
    }
    if (2 * under >= this.docCounts[c]!) return null;
    let counted = 0;
    let agreeing = 0;
    let mask = new Uint8Array(0);
    judged.forEach((i, k) => {
      const d = this.docs[i]!;
      const m = masks[k]!;
      if (mask.length < d.length) mask = new Uint8Array(d.length);
      let left = 0;
      for (let t = 0; t < d.length; t++) {
        const w = d[t]!;
        mask[t] = m[t] || (w < this.vocab && 2 * (inside.get(w) ?? 0) > this.anyCount[w]!) ? 1 : 0;
        if (!m[t]) left++;
      }
      if (left < minTokens) return;
      counted++;
      this.removed.clear();
      // Only its own counts under its own label: a prompt of another label leaves this label's counts as they are.
      const own = this.label[i] === c;
      if (own) for (const t of d) this.removed.set(t, (this.removed.get(t) ?? 0) + 1);
      if (this.posteriorOf(c, d, mask, own ? d.length : 0, own ? 1 : 0) >= agree) agreeing++;
    });
    return counted >= minJudged ? agreeing / counted : null;
  }

  /** There are at least two label classes to tell apart. */
  get usable(): boolean {
    return this.classes >= 3;
  }

  /**
   * Of the prompts `judged` (all with the label `key`), the share whose words outside `masks` give that label a
   * posterior of at least `agree`, read with every prompt of `outOf` taken out of the counts; prompts with fewer
   * than `minTokens` words left do not count. null when `key` is no label or fewer than `minJudged` prompts count.
   */
  agreement(key: string, judged: readonly number[], masks: readonly Uint8Array[], outOf: readonly number[], agree: number, minTokens: number, minJudged: number): number | null {
    const c = this.classOf.get(key);
    if (c === undefined || !this.usable) return null;
    const removed = this.removed;
    removed.clear();
    let removedTokens = 0;
    let removedDocs = 0;
    for (const i of outOf) {
      if (this.label[i] !== c) continue;
      removedDocs++;
      const d = this.docs[i]!;
      removedTokens += d.length;
      for (const t of d) removed.set(t, (removed.get(t) ?? 0) + 1);
    }
    let counted = 0;
    let agreeing = 0;
    judged.forEach((i, k) => {
      const d = this.docs[i]!;
      const m = masks[k]!;
      let left = 0;
      for (let t = 0; t < d.length; t++) if (!m[t]) left++;
      if (left < minTokens) return;
      counted++;
      if (this.posteriorOf(c, d, m, removedTokens, removedDocs) >= agree) agreeing++;
    });
    return counted >= minJudged ? agreeing / counted : null;
  }

  /**
   * The share of the label's own prompts (up to `sample`, spread evenly) whose words, each read with only itself
   * taken out of the counts, give the label a posterior of at least `agree`: how well the label can be read off
   * its prompts at all (news topics well, hate speech poorly).
   */
  baseAgreement(key: string, agree: number, minTokens: number, sample: number): number | null {
    const c = this.classOf.get(key);
    if (c === undefined || !this.usable) return null;
    const cached = this.base.get(c);
    if (cached !== undefined) return cached;
    const rows: number[] = [];
    this.label.forEach((l, i) => {
      if (l === c && this.docs[i]!.length >= minTokens) rows.push(i);
    });
    const picks = Math.min(sample, rows.length);
    let agreeing = 0;
    for (let j = 0; j < picks; j++) {
      const d = this.docs[rows[Math.floor((j * rows.length) / picks)]!]!;
      this.removed.clear();
      for (const t of d) this.removed.set(t, (this.removed.get(t) ?? 0) + 1);
      if (this.posteriorOf(c, d, this.noMask(d.length), d.length, 1) >= agree) agreeing++;
    }
    const share = picks > 0 ? agreeing / picks : null;
    this.base.set(c, share);
    return share;
  }

  private noMask(length: number): Uint8Array {
    if (this.zeros.length < length) this.zeros = new Uint8Array(length);
    return this.zeros;
  }

  private posteriorOf(c: number, d: Int32Array, mask: Uint8Array, removedTokens: number, removedDocs: number): number {
    const { classes, vocab, counts, removed, post } = this;
    // The prompt's words that carry evidence, and how many of their occurrences the removed prompts held.
    if (this.wordBuf.length < d.length) {
      this.wordBuf = new Int32Array(d.length);
      this.goneBuf = new Int32Array(d.length);
    }
    const words = this.wordBuf;
    const gone = this.goneBuf;
    let m = 0;
    for (let t = 0; t < d.length; t++) {
      const w = d[t]!;
      if (mask[t] || w >= vocab) continue;
      const g = removed.get(w) ?? 0;
      // A word only the removed prompts hold carries no evidence either way.
      if (this.anyCount[w]! - g <= 0) continue;
      words[m] = w;
      gone[m++] = g;
    }
    let all = -removedDocs;
    for (let l = 0; l < classes; l++) all += this.docCounts[l]!;
    for (let l = 0; l < classes; l++) {
      const own = l === c;
      const docsOf = this.docCounts[l]! - (own ? removedDocs : 0);
      // A class with no prompts (no "other" answers) has no word counts to judge by.
      if (docsOf <= 0) {
        post[l] = -Infinity;
        continue;
      }
      const denom = Math.log(this.totals[l]! - (own ? removedTokens : 0) + this.seen);
      let s = Math.log((docsOf + 1) / (all + classes)) - m * denom;
      const o = l * vocab;
      for (let k = 0; k < m; k++) s += Math.log(counts[o + words[k]!]! - (own ? gone[k]! : 0) + 1);
      post[l] = s;
    }
    let max = -Infinity;
    for (let l = 0; l < classes; l++) max = Math.max(max, post[l]!);
    if (max === -Infinity) return 0;
    let z = 0;
    for (let l = 0; l < classes; l++) z += Math.exp(post[l]! - max);
    return Math.exp(post[c]! - max) / z;
  }
}
