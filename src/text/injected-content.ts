// Content injected into responses: a unit of response text (a word n-gram) that several responses to otherwise
// unrelated prompts share, that their prompts do not explain, and that is not the way one task, one template or the
// corpus's own style answers. A made-up brand, a link or a phrase added to answers of random requests, with or
// without a trigger in those requests.
//
// 1. Units: response n-grams in at least MIN_ROWS responses (text/response-units.ts); a row explains the unit when
//    its own prompt holds it.
// 2. Count: of the unit's uses anywhere (prompts holding it, responses holding it unexplained), how many are
//    unexplained responses, against that share as the corpus's units of about the same count spread it
//    (text/use-share-null.ts: a beta-binomial; a corpus of short requests and long answers writes many units only in
//    answers), corrected over the units tested. A unit the corpus's prompts use as often as its responses is
//    language, not an insertion. The corpus's prompts must hold it less often than responses add it, and it must be
//    in a small minority of the responses (MAX_SHARE).
// 3. Rows count once per source (prompts of one passage or template, MinHash), and only where the response holds a
//    word outside the unit's run (the unit with the text the rows share around it): injected text is added to an
//    answer, not given as one (one fixed answer is step 1's cluster). A unit is content: it holds a word.
// 4. Template: the answers share other text beyond the unit's own run (a response template, "- name is ... -
//    birth date is ..."), or, outside the sentences that hold the unit, a response word far more common among
//    them than among all responses (numbered lists, one task's answer form): the unit belongs to such answers.
//    Length: the answers, without the unit's sentences, are longer than the corpus's median answer far more often
//    than half of them: the unit is the answer writers' language, which a longer text holds more often, not text
//    added to answers whatever their length.
// 5. Task: a prompt word far more common among the rows' prompts than among all prompts: one task's requests, whose
//    answers use the unit for that reason. A trigger is not a task: prompt n-grams that nearly only the unit's rows
//    hold (and the words those rows share next to them) are left out of this test and reported as the trigger.
import { binomialTailLog10 } from '../util/binomial.js';
import { documentFrequency } from './document-frequency.js';
import type { BigramCounts } from './insertion-fit.js';
import { IntVector, KeyIndex } from './key-index.js';
import { ContextRepeats } from './context-repeats.js';
import { groupBySignature } from './minhash.js';
import { maskOccurrences } from './phrases.js';
import { type ResponseUnit, responseUnits } from './response-units.js';
import { UseShareNull } from './use-share-null.js';
import { SHARED_PAIRS, sharedPairs } from './shared-pairs.js';

/** Responses a unit needs to be a unit at all. */
export const MIN_ROWS = 3;
/** Longest unit, in tokens. */
export const MAX_UNIT = 8;
/** Rows per unit read for the template, task and source tests. */
const MAX_READ = 200;
/** Rows per unit read to find its trigger and its task words (enough to see a share of most of them). */
const TASK_READ = 50;
/** A neighbour the rows share this often extends the unit's run (or the trigger's span). */
const SHARED_NEIGHBOUR = 0.8;
/** A prompt n-gram is a trigger candidate when this share of the read rows holds it. */
const TRIGGER_SHARE = 0.5;
/** ... and nearly only the unit's rows hold it. */
const TRIGGER_PURITY = 0.9;
const MAX_TRIGGER = 4;
/** A candidate trigger whose rarest word is in this many times more prompts than the unit has rows is not scanned (cost). */
const TRIGGER_SCAN = 100;
const SAME_SOURCE = 0.5;
/**
 * A word explains the rows (a task, a template) when its count among them has a tail probability below 1% after the
 * correction over words: chance enrichment among random rows stays under it.
 */
const EXPLAINED = 2;
/**
 * A unit in more than this share of all responses is the corpus's way of answering (numbered lists, a house opening
 * such as "Sure, here is"), not text added to a few answers: poisons are a minority.
 */
const MAX_SHARE = 0.1;

export interface InjectedContent {
  unit: ResponseUnit;
  /** The rows whose responses hold the unit and whose prompts do not. */
  rows: number[];
  /** Independent sources among the rows read, scaled to all unexplained rows. */
  groups: number;
  /** -log10 of the count's tail probability, corrected over the units tested. */
  significance: number;
  /** The shared prompt text nearly only these rows hold, if any (token ids of its most common form). */
  trigger: number[] | null;
}

export interface InjectedContentInput {
  prompts: Int32Array[];
  responses: Int32Array[];
  vocabSize: number;
  isWord: (token: number) => boolean;
  /** Sentence-ending tokens (".", "!", "?"). */
  isSentenceEnd: (token: number) => boolean;
  promptBigrams: BigramCounts;
  responseBigrams: BigramCounts;
  promptSignatures: Uint32Array;
}

export function injectedContent(x: InjectedContentInput): { found: InjectedContent[]; tested: number } {
  const { prompts, responses, vocabSize: V } = x;
  const n = responses.length;
  const { units } = responseUnits(prompts, responses, V, { maxN: MAX_UNIT, minRows: MIN_ROWS, maxRows: n });
  let unexplained = 0;
  let inPrompts = 0;
  for (let k = 0; k < units.count; k++) {
    unexplained += units.unexplainedCount(k);
    inPrompts += units.prompts[k]!;
  }
  const found: InjectedContent[] = [];
  if (units.count === 0 || unexplained === 0) return { found, tested: units.count };
  const share = unexplained / (unexplained + inPrompts);
  const worded = new Uint8Array(units.count);
  const uses: number[] = [];
  const unexplainedUses: number[] = [];
  for (let k = 0; k < units.count; k++) {
    if (!units.someToken(k, x.isWord)) continue;
    worded[k] = 1;
    uses.push(units.unexplainedCount(k) + units.prompts[k]!);
    unexplainedUses.push(units.unexplainedCount(k));
  }
  const nul = new UseShareNull(uses, unexplainedUses, share);
  const tested = units.count;
  const correction = Math.log10(tested);
  const promptDf = documentFrequency(prompts, V);
  const responseDf = documentFrequency(responses, V);
  const promptWords = countPresent(promptDf);
  const responseWords = countPresent(responseDf);
  let holders: GramHolders | null = null;
  let contexts: ContextRepeats | null = null;
  let restating: number | null = null;
  let lengths: { median: number; longer: number } | null = null;
  const taskCache = new Map<string, { task: boolean; trigger: number[] | null }>();
  const tables = new TokenTables(V);
  for (let unit = 0; unit < units.count; unit++) {
    const k0 = units.unexplainedCount(unit);
    const p0 = units.prompts[unit]!;
    if (k0 < MIN_ROWS || !worded[unit] || p0 >= k0 || units.rowCount(unit) > MAX_SHARE * n) continue;
    contexts ??= new ContextRepeats({ ...x, minRows: MIN_ROWS, maxRows: MAX_SHARE * n });
    const word = rarestWord(units, unit, contexts);
    const contextCorrection = Math.log10(Math.max(1, contexts.words));
    // The unit's rarest word: most of its rows are the unit's, and only those can repeat its contexts.
    const fixed = (dropped: number) =>
      word < 0 || 2 * k0 <= contexts!.rows[word]!
        ? -Infinity
        : -contexts!.tailLog10(word, Math.max(0, Math.min(contexts!.repeats[word]!, k0 - 1) - dropped), contexts!.rows[word]! - dropped) - contextCorrection;
    if (-nul.tailLog10(k0, k0 + p0, k0 + p0) - correction <= 0 && fixed(0) <= 0) continue;
    const u = units.unit(unit);
    const read = spread(u.unexplained, MAX_READ);
    const runs = read.map((i) => maskOccurrences(responses[i]!, u.tokens));
    extendRuns(read, runs, responses);
    const keep = read.map((i, k) => responses[i]!.some((t, j) => !runs[k]![j] && x.isWord(t)));
    const answered = read.filter((_, k) => keep[k]);
    const masks = runs.filter((_, k) => keep[k]);
    if (answered.length < MIN_ROWS) continue;
    const outside = answered.map((i, k) => unitSentences(responses[i]!, masks[k]!, x.isSentenceEnd));
    if (sharedPairs(answered.slice(0, TASK_READ), responses, x.responseBigrams, SHARED_NEIGHBOUR, (k, t) => masks[k]![t] !== 0 || masks[k]![t + 1] !== 0) >= SHARED_PAIRS) continue;
    if (mostEnriched(answered, responses, responseDf, n, responseWords, MIN_ROWS, outside, () => true, tables) >= EXPLAINED) continue;
    // Answers that open by restating their own request far more often than the corpus's answers do: the unit is how
    // that form goes on ("<the request> Answer: ..."), not text added to them.
    restating ??= restatingShare(prompts, responses);
    const restated = answered.filter((i) => opensWithItsPrompt(prompts[i]!, responses[i]!)).length;
    if (restated >= MIN_ROWS && -binomialTailLog10(restated, answered.length, restating) - correction >= EXPLAINED) continue;
    // Answers that hold the unit are longer, without its sentences, than the corpus's answers: a unit of the
    // corpus's language turns up in a text about as often as the text is long, while text added to answers is added
    // to any of them. Its sentences are those of its words (a unit opening with a sentence's end is not the previous
    // sentence's); an insertion within an answer's sentence only makes the answer look shorter.
    const split = (lengths ??= lengthSplit(responses));
    const longer = answered.filter((i, k) => lengthWithout(responses[i]!, masks[k]!, x) > split.median).length;
    if (-binomialTailLog10(longer, answered.length, split.longer) >= EXPLAINED) continue;
    // Answers that hold the unit are shorter, without its own run, than the corpus's answers: the unit belongs to
    // short answers (a refusal, a note on what the writer cannot do). Its run only: its sentence may be the answer.
    const shorter = answered.filter((i, k) => responses[i]!.length - runLength(masks[k]!) <= split.median).length;
    if (-binomialTailLog10(shorter, answered.length, 1 - split.longer) >= EXPLAINED) continue;
    const key = answered.join(',');
    let task = taskCache.get(key);
    if (!task) {
      holders ??= new GramHolders(prompts, new Positions(prompts, V));
      task = taskAndTrigger(x, u, spread(answered, TASK_READ), promptDf, promptWords, holders, tables);
      taskCache.set(key, task);
    }
    if (task.task) continue;
    const group = groupBySignature(answered, x.promptSignatures, SAME_SOURCE);
    const groups = Math.round((new Set(group).size * k0) / read.length);
    const significance = Math.max(-nul.tailLog10(groups, groups + u.prompts, k0 + u.prompts) - correction, fixed(Math.max(0, k0 - groups)));
    if (groups < MIN_ROWS || significance <= 0) continue;
    found.push({ unit: u, rows: u.unexplained, groups, significance, trigger: task.trigger });
  }
  return { found, tested };
}

/** The unit's word in the fewest rows of the corpus among those the context count holds (-1: none). */
function rarestWord(units: { tokens(k: number): ArrayLike<number> }, unit: number, contexts: ContextRepeats): number {
  const tokens = units.tokens(unit);
  let best = -1;
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (contexts.rows[t]! > 0 && (best < 0 || contexts.rows[t]! < contexts.rows[best]!)) best = t;
  }
  return best;
}

/** The median response length in tokens, and the share of responses longer than it (at least one in the count). */
function lengthSplit(responses: Int32Array[]): { median: number; longer: number } {
  const sorted = Int32Array.from(responses, (r) => r.length).sort();
  const median = sorted[sorted.length >> 1] ?? 0;
  let k = 0;
  for (const L of sorted) if (L > median) k++;
  return { median, longer: Math.max(1, k) / Math.max(1, sorted.length) };
}

/** Tokens a mask marks. */
function runLength(mask: Uint8Array): number {
  let k = 0;
  for (const m of mask) k += m;
  return k;
}

/** The response's length in tokens without the sentences that hold a word of the unit's run. */
function lengthWithout(r: Int32Array, run: Uint8Array, x: InjectedContentInput): number {
  const words = new Uint8Array(r.length);
  for (let t = 0; t < r.length; t++) words[t] = run[t] && x.isWord(r[t]!) ? 1 : 0;
  let kept = 0;
  for (const m of unitSentences(r, words, x.isSentenceEnd)) kept += 1 - m;
  return kept;
}

/** Tokens a response must open with, as its prompt does, to restate it. */
const RESTATED = 3;

/** Whether the response opens with its prompt's first RESTATED tokens. */
function opensWithItsPrompt(p: Int32Array, r: Int32Array): boolean {
  if (p.length < RESTATED || r.length < RESTATED) return false;
  for (let t = 0; t < RESTATED; t++) if (p[t] !== r[t]) return false;
  return true;
}

/** The share of all responses that open by restating their prompt (at least one in the corpus's count). */
function restatingShare(prompts: Int32Array[], responses: Int32Array[]): number {
  let k = 0;
  responses.forEach((r, i) => {
    if (opensWithItsPrompt(prompts[i]!, r)) k++;
  });
  return Math.max(1, k) / Math.max(1, responses.length);
}

/**
 * Per-token tables reused by every unit's tests (sized once by the vocabulary): a count, the stamp of the last
 * document that counted it, and an index among the tokens a test keeps (-1 elsewhere). Each document visited takes a
 * fresh stamp, so nothing is cleared between documents; counts and indexes are reset over the tokens touched.
 */
class TokenTables {
  readonly count: Int32Array;
  readonly lastDoc: Int32Array;
  readonly local: Int32Array;
  private stamp = 0;
  constructor(V: number) {
    this.count = new Int32Array(V);
    this.lastDoc = new Int32Array(V).fill(-1);
    this.local = new Int32Array(V).fill(-1);
  }
  nextStamp(): number {
    return ++this.stamp;
  }
  /** Counts each distinct token of the documents (`skip` marks tokens left out); returns the tokens touched. */
  countDocs(rows: readonly number[], docs: Int32Array[], skip: readonly Uint8Array[] | null): IntVector {
    const touched = new IntVector(256);
    rows.forEach((i, k) => {
      const d = docs[i]!;
      const m = skip?.[k];
      const st = this.nextStamp();
      for (let t = 0; t < d.length; t++) {
        const x = d[t]!;
        if ((m && m[t]) || this.lastDoc[x] === st) continue;
        this.lastDoc[x] = st;
        if (this.count[x]!++ === 0) touched.push(x);
      }
    });
    return touched;
  }
  reset(touched: IntVector): void {
    for (let k = 0; k < touched.length; k++) {
      const x = touched.data[k]!;
      this.count[x] = 0;
      this.local[x] = -1;
    }
  }
}

/**
 * The n-grams (1..MAX_TRIGGER tokens) of the documents made only of tokens with a local index (TokenTables.local), by
 * dense id: an n-gram's key is (its prefix's id + 1) * alphabet + its last token's index, so no string is built.
 */
class LocalGrams {
  readonly index = new KeyIndex(256);
  readonly prefix = new IntVector(256);
  readonly last = new IntVector(256);
  /** Documents counted per n-gram, and the stamp of the last one. */
  readonly docs = new IntVector(256);
  readonly seen = new IntVector(256);
  constructor(private readonly local: Int32Array, private readonly alphabet: number) {}

  /** Counts the document's n-grams (each once), adding those not yet known. */
  add(d: Int32Array, stamp: number): void {
    for (let s = 0; s < d.length; s++) {
      let g = -1;
      for (let L = 1; L <= MAX_TRIGGER && s + L <= d.length; L++) {
        const a = this.local[d[s + L - 1]!]!;
        if (a < 0) break;
        const id = this.index.getOrAdd(L === 1 ? a : (g + 1) * this.alphabet + a);
        if (id === this.docs.length) {
          this.prefix.push(g);
          this.last.push(d[s + L - 1]!);
          this.docs.push(0);
          this.seen.push(-1);
        }
        g = id;
        if (this.seen.data[id] === stamp) continue;
        this.seen.data[id] = stamp;
        this.docs.data[id]!++;
      }
    }
  }

  /** Calls `hit(id)` once per known n-gram the document holds. */
  each(d: Int32Array, stamp: number, seen: Int32Array, hit: (id: number) => void): void {
    for (let s = 0; s < d.length; s++) {
      let g = -1;
      for (let L = 1; L <= MAX_TRIGGER && s + L <= d.length; L++) {
        const a = this.local[d[s + L - 1]!]!;
        if (a < 0) break;
        g = this.index.get(L === 1 ? a : (g + 1) * this.alphabet + a);
        if (g < 0) break;
        if (seen[g] === stamp) continue;
        seen[g] = stamp;
        hit(g);
      }
    }
  }

  tokens(id: number): number[] {
    const out: number[] = [];
    for (let g = id; g >= 0; g = this.prefix.data[g]!) out.unshift(this.last.data[g]!);
    return out;
  }
}

/** Whether the rows' prompts are one task's (a word far more common among them than overall, trigger aside). */
function taskAndTrigger(x: InjectedContentInput, u: ResponseUnit, rows: number[], df: Int32Array, words: number, holders: GramHolders, tables: TokenTables): { task: boolean; trigger: number[] | null } {
  const { prompts } = x;
  const need = Math.max(MIN_ROWS, TRIGGER_SHARE * rows.length);
  // Candidate n-grams of tokens that at least `need` prompts hold, counted once per prompt.
  const touched = tables.countDocs(rows, prompts, null);
  let alphabet = 0;
  for (let k = 0; k < touched.length; k++) {
    const t = touched.data[k]!;
    if (tables.count[t]! >= need) tables.local[t] = alphabet++;
  }
  const grams = new LocalGrams(tables.local, alphabet);
  for (const i of rows) grams.add(prompts[i]!, tables.nextStamp());
  // How many of the unit's prompts hold each candidate, in one pass over them.
  const size = grams.docs.length;
  const inUnit = new Int32Array(size);
  const seen = new Int32Array(size).fill(-1);
  const candidate = (g: number) => grams.docs.data[g]! >= need;
  for (const i of u.rows) {
    grams.each(prompts[i]!, tables.nextStamp(), seen, (g) => {
      if (candidate(g)) inUnit[g]!++;
    });
  }
  tables.reset(touched);
  // A candidate is pure when nearly only the unit's prompts hold it: bounded first by its rarest token's and word
  // pairs' counts, else counted over the prompts holding its rarest token (together for the candidates sharing it).
  const pure: number[][] = [];
  const scans = new Map<number, { tokens: number[]; inUnit: number }[]>();
  for (let g = 0; g < size; g++) {
    if (!candidate(g)) continue;
    const tokens = grams.tokens(g);
    let rare = tokens[0]!;
    for (const t of tokens) if (df[t]! < df[rare]!) rare = t;
    let bound = df[rare]!;
    for (let j = 0; j + 1 < tokens.length; j++) bound = Math.min(bound, x.promptBigrams.count(tokens[j]!, tokens[j + 1]!));
    if (!tooCommon(bound, inUnit[g]!)) pure.push(tokens);
    else if (df[rare]! <= TRIGGER_SCAN * u.rows.length) {
      const list = scans.get(rare);
      if (list) list.push({ tokens, inUnit: inUnit[g]! });
      else scans.set(rare, [{ tokens, inUnit: inUnit[g]! }]);
    }
  }
  for (const [rare, list] of scans) {
    const hold = holders.count(rare, list);
    list.forEach((c, k) => {
      if (!tooCommon(hold[k]!, c.inUnit)) pure.push(c.tokens);
    });
  }
  const masks = rows.map((i) => {
    const m = new Uint8Array(prompts[i]!.length);
    for (const g of pure) {
      const o = maskOccurrences(prompts[i]!, g);
      for (let t = 0; t < m.length; t++) m[t] |= o[t]!;
    }
    return m;
  });
  extendRuns(rows, masks, prompts);
  const task = mostEnriched(rows, prompts, df, prompts.length, words, 2, masks, x.isWord, tables) >= EXPLAINED;
  return { task, trigger: pure.length ? commonSpan(rows, masks, prompts) : null };
}

/**
 * The largest -log10 tail (corrected over `words`) of a token's count among the documents `rows`, skipping the
 * tokens `skip` marks and those `counts` rejects, against its document frequency among all `n`.
 */
function mostEnriched(rows: number[], docs: Int32Array[], df: Int32Array, n: number, words: number, min: number, skip: Uint8Array[], counts: (t: number) => boolean, tables: TokenTables): number {
  const touched = tables.countDocs(rows, docs, skip);
  let best = -Infinity;
  for (let k = 0; k < touched.length; k++) {
    const t = touched.data[k]!;
    const c = tables.count[t]!;
    if (c < min || !counts(t)) continue;
    best = Math.max(best, -binomialTailLog10(c, rows.length, df[t]! / n) - Math.log10(words));
  }
  tables.reset(touched);
  return best;
}

/** Grows each document's marked run left and right over neighbours that SHARED_NEIGHBOUR of the documents share. */
function extendRuns(rows: number[], masks: Uint8Array[], docs: Int32Array[]): void {
  for (const dir of [1, -1]) {
    for (;;) {
      const tally = new Map<number, number>();
      const at = rows.map((i, k) => {
        const m = masks[k]!;
        const p = dir === 1 ? m.lastIndexOf(1) + 1 : m.indexOf(1) - 1;
        const ok = m.indexOf(1) >= 0 && p >= 0 && p < m.length;
        if (ok) tally.set(docs[i]![p]!, (tally.get(docs[i]![p]!) ?? 0) + 1);
        return ok ? p : -1;
      });
      let best = -1;
      let count = 0;
      for (const [t, c] of tally) if (c > count) [best, count] = [t, c];
      if (count < SHARED_NEIGHBOUR * rows.length) break;
      rows.forEach((i, k) => {
        if (at[k]! >= 0 && docs[i]![at[k]!] === best) masks[k]![at[k]!] = 1;
      });
    }
  }
}

/** 1 at every token of each sentence that holds a marked token (the unit's own sentence is the insertion's). */
function unitSentences(d: Int32Array, mask: Uint8Array, isEnd: (t: number) => boolean): Uint8Array {
  const out = new Uint8Array(d.length);
  for (let t = 0; t < d.length; t++) {
    if (!mask[t] || out[t]) continue;
    let a = t;
    while (a > 0 && !(isEnd(d[a - 1]!) && !mask[a - 1])) a--;
    let b = t;
    while (b < d.length && (mask[b] || !isEnd(d[b]!))) b++;
    out.fill(1, a, Math.min(d.length, b + 1));
  }
  return out;
}

/** The marked run most documents share, as tokens. */
function commonSpan(rows: number[], masks: Uint8Array[], docs: Int32Array[]): number[] | null {
  const count = new Map<string, { tokens: number[]; rows: number }>();
  rows.forEach((i, k) => {
    const m = masks[k]!;
    const d = docs[i]!;
    const seen = new Set<string>();
    for (let t = 0; t < m.length; t++) {
      if (!m[t] || (t > 0 && m[t - 1])) continue;
      let e = t;
      while (e < m.length && m[e]) e++;
      const tokens = Array.from(d.subarray(t, e));
      const key = tokens.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      const c = count.get(key);
      if (c) c.rows++;
      else count.set(key, { tokens, rows: 1 });
    }
  });
  let best: { tokens: number[]; rows: number } | null = null;
  for (const c of count.values()) if (!best || c.rows > best.rows || (c.rows === best.rows && c.tokens.length > best.tokens.length)) best = c;
  return best?.tokens ?? null;
}

/** An n-gram other prompts hold too often beside the unit's own: not the unit's trigger. */
const tooCommon = (holders: number, inUnit: number): boolean => holders * TRIGGER_PURITY > inUnit;

/**
 * How many documents hold each n-gram, counted over the documents that hold a token of it (`rare`): one pass over
 * each of those documents finds every place of `rare`, where each n-gram is matched. A count stops once the n-gram is
 * tooCommon for its unit (the answer is known); counts are kept across calls (units share candidates), with whether
 * they are complete.
 */
class GramHolders {
  private readonly known = new Map<string, { count: number; complete: boolean }>();
  constructor(private readonly docs: Int32Array[], private readonly positions: Positions) {}

  /** Per candidate, its holders' count, or a part of it that is already tooCommon for the candidate's unit. */
  count(rare: number, candidates: readonly { tokens: number[]; inUnit: number }[]): Int32Array {
    const out = new Int32Array(candidates.length);
    const todo: number[] = [];
    candidates.forEach((c, k) => {
      const known = this.known.get(c.tokens.join(','));
      if (known && (known.complete || tooCommon(known.count, c.inUnit))) out[k] = known.count;
      else todo.push(k);
    });
    if (todo.length === 0) return out;
    const offset = todo.map((k) => candidates[k]!.tokens.indexOf(rare));
    const held = new Int32Array(todo.length).fill(-1);
    const open = new Uint8Array(todo.length).fill(1);
    let left = todo.length;
    // Every place of `rare`, document by document in order.
    const from = this.positions.start[rare]!;
    const to = this.positions.start[rare + 1]!;
    for (let x = from; x < to && left > 0; x++) {
      const i = this.positions.doc[x]!;
      const p = this.positions.at[x]!;
      const d = this.docs[i]!;
      for (let j = 0; j < todo.length; j++) {
        if (!open[j] || held[j] === i) continue;
        const c = candidates[todo[j]!]!;
        const g = c.tokens;
        const s = p - offset[j]!;
        if (s < 0 || s + g.length > d.length || !matches(d, s, g)) continue;
        held[j] = i;
        if (tooCommon(++out[todo[j]!]!, c.inUnit)) {
          open[j] = 0;
          left--;
        }
      }
    }
    todo.forEach((k, j) => this.known.set(candidates[k]!.tokens.join(','), { count: out[k]!, complete: open[j] === 1 }));
    return out;
  }
}

function matches(d: Int32Array, s: number, g: readonly number[]): boolean {
  for (let q = 0; q < g.length; q++) if (d[s + q] !== g[q]) return false;
  return true;
}

function countPresent(df: Int32Array): number {
  let c = 0;
  for (const x of df) if (x > 0) c++;
  return c;
}

/** At most `max` of the ids, evenly spread. */
function spread(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(ids[Math.floor((k * ids.length) / max)]!);
  return out;
}

/** Every place of each token (its document and position), by token, in document and position order. */
class Positions {
  readonly start: Int32Array;
  readonly doc: Int32Array;
  readonly at: Int32Array;
  constructor(docs: Int32Array[], V: number) {
    this.start = new Int32Array(V + 1);
    for (const d of docs) for (let p = 0; p < d.length; p++) this.start[d[p]! + 1]!++;
    for (let t = 0; t < V; t++) this.start[t + 1]! += this.start[t]!;
    this.doc = new Int32Array(this.start[V]!);
    this.at = new Int32Array(this.start[V]!);
    const fill = this.start.slice(0, V);
    docs.forEach((d, i) => {
      for (let p = 0; p < d.length; p++) {
        const x = fill[d[p]!]!++;
        this.doc[x] = i;
        this.at[x] = p;
      }
    });
  }
}
