// trigger-token for documents (text without labels, as in pretraining corpora), the variant of trigger-token
// registered for them: a phrase that recurs across documents and is followed, again and again, by text the corpus
// finds improbable. The 250-document LLM backdoor (Souly et al. 2025) is this shape: some text, then a trigger such
// as "<SUDO>", then hundreds of random tokens.
//
// 1. Each word gets a surprise, -log P(word | previous word), from the corpus's own Witten-Bell bigram model with
//    this occurrence left out (so a document cannot vouch for its own gibberish). Punctuation is skipped.
// 2. The words after a phrase (up to documentsWindow) are scored as a z against the corpus's mean surprise, minus
//    the same z for the words before it when those are surprising too (a writer full of rare words is not a trigger).
//    Above the corpus's own 99.9th percentile of that score at random positions is "followed by improbable text"
//    (base rate p0 about 0.1% by construction).
// 3. For each phrase (1-3 tokens), its first occurrence in each document either is or is not followed so. k of
//    its df documents are (copies of one document count once); a phrase followed so in at least half of its
//    documents is tested by the binomial tail of k given df and p0, Bonferroni-corrected over every phrase that
//    could have been tested (every phrase in at least documentsMinDocs documents). The phrases come from the shared
//    n-gram table (text/marked-phrases.ts): a document can hold a followed phrase only if some place in it is
//    followed by improbable text, so only phrases with documentsMinDocs such documents, at least half of theirs,
//    are listed and looked at.
import type { Severity } from '../types.js';
import type { TypedFinding } from '../model/evidence.js';
import { BigramCounts } from '../text/insertion-fit.js';
import { groupBySignature, minhashSignatures } from '../text/minhash.js';
import { isWordToken, Vocabulary } from '../text/tokenize.js';
import { dropSubsumed } from '../text/phrases.js';
import { firstOccurrenceIn, markedPhrases } from '../text/marked-phrases.js';
import { binomialTailLog10 } from '../util/binomial.js';
import { createRng } from '../util/rng.js';
import { parametersOf, type Detector, type DetectorOutput, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import { KNOWN_LIMITS } from './limits.js';
import { SharedContent } from '../text/shared-content.js';
import { RandomPairChance, wordPairs, type WordPairs } from '../text/word-pairs.js';

/** Fewer than MIN_WINDOW words after a phrase: not measured. */
const MIN_WINDOW = 16;

// Named for documents: the labelled-text variant of the same detector name declares its own.
const PARAMETERS = {
  documentsMaxN: { kind: 'int', default: 3, min: 1, max: 5, help: 'documents: longest phrase tested, in tokens' },
  documentsMinDocs: { kind: 'int', default: 3, min: 2, help: 'documents: fewest documents in which a phrase must be followed by improbable text' },
  documentsWindow: { kind: 'int', default: 256, min: MIN_WINDOW, help: 'documents: words after (and before) a phrase whose surprise is measured' },
  documentsAnomalyQuantile: { kind: 'number', default: 0.999, min: 0.5, max: 1, help: "documents: the corpus's own quantile of window surprise above which text counts as improbable" },
  documentsMinFollowedShare: { kind: 'number', default: 0.5, min: 0, max: 1, help: "documents: share of a phrase's documents in which improbable text must follow it" },
  documentsMediumSignificance: { kind: 'number', default: 2, min: 0, help: 'documents: significance (-log10 of the corrected p) from which a finding is medium' },
  documentsHighSignificance: { kind: 'number', default: 4, min: 0, help: 'documents: significance (-log10 of the corrected p) from which a finding is high' },
} as const satisfies ParameterSpecs;
const NULL_SAMPLES = 50000;
const SAME_DOCUMENT = 0.5;
const EXAMPLE_TOKENS = 24;
/** Random sets the shared-content test draws, and the share of them that may reach a set of related documents. */
const RELATED_SETS = 999;
const RELATED_ALPHA = 0.002;

interface Candidate {
  key: string;
  tokens: number[];
  docs: number[];
  followed: number[];
  /** Per followed document, the token where the phrase's first occurrence starts. */
  starts: number[];
  significance: number;
  /** Its followed documents share phrasing beyond the phrase (one source). */
  related?: boolean;
}

export const documentTrigger: Detector<TypedFinding<'followed-phrase'>> = {
  name: 'trigger-token',
  description: 'in unlabelled documents, a phrase followed again and again by improbable text',
  parameters: PARAMETERS,
  // What the name's table says of trigger-token, but its group size is a parameter of this variant.
  limits: { ...KNOWN_LIMITS['trigger-token']!, minGroup: { parameter: 'documentsMinDocs' } },
  // Documents have no label to conflict with: their trigger is known by what follows it.
  appliesTo: (ctx) => ctx.texts?.text !== undefined && !ctx.labels.some((l) => l !== null),
  async run(ctx) {
    return runDocumentTrigger(ctx);
  },
};

export function runDocumentTrigger(ctx: ScanContext): DetectorOutput<TypedFinding<'followed-phrase'>> {
  const params = parametersOf(ctx, 'trigger-token', PARAMETERS);
  const maxN = params.documentsMaxN;
  const minDocs = params.documentsMinDocs;
  const windowWords = params.documentsWindow;
  const texts = ctx.texts!.text!;
  const n = texts.length;
  const scores = new Float32Array(n);
  ctx.progress.stage('trigger-token (documents)', 3);
  const vocab = new Vocabulary();
  const docs = texts.map((t) => vocab.encode(t ?? ''));
  const V = vocab.words.length;
  // Surprise is measured over words, each given the word before it: punctuation is predictable anywhere and
  // would dilute random text ("stir anuses . < br" is three random words and three ordinary pairs).
  const isWord = Uint8Array.from(vocab.words, (w) => (isWordToken(w) ? 1 : 0));
  const wordDocs = docs.map((d) => d.filter((t) => isWord[t] === 1));
  const { prefix, mu, sigma } = surprisePrefixes(wordDocs, V);
  /** Per document, the number of words before each token position. */
  const wordsBefore = docs.map((d) => {
    const w = new Int32Array(d.length + 1);
    for (let t = 0; t < d.length; t++) w[t + 1] = w[t]! + isWord[d[t]!]!;
    return w;
  });
  /**
   * How far the words after a phrase ending at token e (exclusive) are above the corpus's mean surprise, as a z
   * over up to documentsWindow words (long random runs stand out more the longer they are), skipping the first word (its
   * pair with the phrase is rare for any rare phrase); NaN when fewer than MIN_WINDOW words follow.
   */
  const z = (p: Float64Array, from: number, to: number): number => (p[to]! - p[from]! - (to - from) * mu) / (sigma * Math.sqrt(to - from));
  const afterOnly = (i: number, e: number): number => {
    const p = prefix[i]!;
    const from = wordsBefore[i]![e]! + 1;
    const to = Math.min(p.length - 1, from + windowWords);
    return to - from < MIN_WINDOW ? NaN : z(p, from, to);
  };
  /**
   * The words after the phrase (start s, end e exclusive) against the words before it: a writer whose every
   * sentence is rare ("this gloriously bent, batty and berserk ...") is surprising on both sides of any phrase;
   * a trigger ends ordinary text and starts random text. Text before the phrase counts only when it is
   * surprising, and only when there is enough of it.
   */
  const after = (i: number, s: number, e: number): number => {
    const a = afterOnly(i, e);
    if (!Number.isFinite(a)) return NaN;
    const p = prefix[i]!;
    const to = wordsBefore[i]![s]!;
    const from = Math.max(0, to - windowWords);
    return to - from < MIN_WINDOW ? a : a - Math.max(0, z(p, from, to));
  };
  const { threshold, rate } = anomalyThreshold(docs, after, createRng(ctx.seed), params.documentsAnomalyQuantile);
  ctx.progress.tick(1);

  // Every phrase in at least minDocs documents could have been tested: the table counts them.
  const { candidates: judged, testable } = followedPhrases(docs, { maxN, minDocs, minShare: params.documentsMinFollowedShare, threshold, afterOnly, after });
  const tested = Math.max(1, testable);
  ctx.progress.tick(1);

  const significance = (c: Candidate): number => {
    // Copies of one document (reposted reviews, mirrored pages) are one observation, not several.
    const copies = c.followed.length - independent(c.followed, docs);
    return -binomialTailLog10(c.followed.length - copies, c.docs.length - copies, rate) - Math.log10(tested);
  };
  for (const c of judged) c.significance = significance(c);
  // A context that is often followed by rare words (a colon before a cast list, "http :" before a URL) raises the
  // rate a little over many documents; a trigger is followed by anomalous text in most of the documents it is in.
  const holds = (c: Candidate): boolean => c.significance >= 0 && c.followed.length >= params.documentsMinFollowedShare * c.docs.length;
  const accepted = withoutPayload(judged.filter(holds), docs, wordsBefore, windowWords, significance, holds);
  const kept = dropSubsumed(accepted, (c) => c.followed);
  // Poisoned documents share the phrase and its payload and nothing else; documents of one source (one author's
  // reviews, one outlet's articles) share their phrasing beyond it. A would-be finding whose independent followed
  // documents share more rare word pairs than random documents of their lengths is one source's habit: it stays low.
  let shared: { test: SharedContent; pairs: WordPairs } | undefined;
  const draws = createRng(ctx.seed + 1);
  for (const c of kept) {
    if (c.significance < params.documentsMediumSignificance) continue;
    if (!shared) {
      const pairs = wordPairs(wordDocs, V);
      // A pair in every followed document is part of the trigger (a longer one than the phrase); fewer is content.
      const options = { mostHolders: (m: number) => m - 1, chance: new RandomPairChance(wordDocs, pairs, V) };
      shared = { test: new SharedContent(pairs.units, pairs.first.length, new Int32Array(n), 1, options), pairs };
    }
    const ids = sources(c.followed, docs);
    const phrase = new Set(c.tokens);
    const exclude: number[] = [];
    const { first, second } = shared.pairs;
    for (let u = 0; u < first.length; u++) if (phrase.has(first[u]!) || phrase.has(second[u]!)) exclude.push(u);
    c.related = shared.test.related(ids, new Array<number>(ids.length).fill(0), exclude, draws, RELATED_SETS, RELATED_ALPHA);
  }
  const findings: TypedFinding<'followed-phrase'>[] = [];
  for (const c of kept) {
    const severity: Severity = c.related ? 'low' : c.significance >= params.documentsHighSignificance ? 'high' : c.significance >= params.documentsMediumSignificance ? 'medium' : 'low';
    const score = severity === 'low'
      ? Math.min(0.49, 0.2 + 0.1 * c.significance)
      : Math.min(1, 0.5 + 0.05 * (c.significance - params.documentsMediumSignificance) + 0.01 * Math.min(c.followed.length, 10));
    for (const i of c.followed) scores[i] = Math.max(scores[i]!, score);
    // Documents with the phrase but ordinary text after it are listed, scored lower: the trigger may sit there too.
    for (const i of c.docs) scores[i] = Math.max(scores[i]!, 0.5 * score);
    findings.push({
      form: 'followed-phrase',
      kind: 'trigger-token',
      severity,
      score,
      samples: c.followed,
      evidence: {
        trigger: c.tokens.map((t) => vocab.words[t]).join(' '),
        documentsWithTrigger: c.docs.length,
        windowTokens: windowWords,
        surpriseThreshold: threshold,
        baselineRate: rate,
        significance: c.significance,
        phrasesTestable: tested,
        example: continuation(docs[c.followed[0]!]!, c.tokens, vocab.words),
        otherDocuments: c.docs.filter((i) => !c.followed.includes(i)).slice(0, 20),
        ...(c.related ? { sharedPhrasing: true } : {}),
      },
    });
  }
  findings.sort((a, b) => b.score - a.score);
  ctx.progress.tick(1);
  return { scores, findings };
}

/**
 * Per token, -log P(t | previous) under Witten-Bell interpolation of bigram and unigram counts, each count
 * reduced by this occurrence (leave one out). The first token of a document gets its unigram surprise. Kept as
 * each document's prefix sums (of the values at float precision), with the mean and spread over the corpus: the
 * per-token values and the counts are let go on return.
 */
function surprisePrefixes(docs: Int32Array[], V: number): { prefix: Float64Array[]; mu: number; sigma: number } {
  const unigram = new Float64Array(V);
  let total = 0;
  for (const d of docs) for (let t = 0; t < d.length; t++) {
    unigram[d[t]!]!++;
    total++;
  }
  const bigrams = new BigramCounts(docs, V);
  const followers = bigrams.distinctFollowers(V);
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  const prefix = docs.map((d) => {
    const p = new Float64Array(d.length + 1);
    for (let t = 0; t < d.length; t++) {
      const b = d[t]!;
      const pUni = (Math.max(0, unigram[b]! - 1) + 0.5) / (total + 0.5 * V);
      let x: number;
      if (t === 0) x = Math.fround(-Math.log(pUni));
      else {
        const a = d[t - 1]!;
        const ca = unigram[a]! - 1;
        const cab = Math.max(0, bigrams.count(a, b) - 1);
        const u = followers[a]!;
        const lambda = ca > 0 ? ca / (ca + u) : 0;
        x = Math.fround(-Math.log(lambda * (cab / Math.max(1, ca)) + (1 - lambda) * pUni));
      }
      p[t + 1] = p[t]! + x;
      sum += x;
      sumSq += x * x;
      count++;
    }
    return p;
  });
  const mu = count > 0 ? sum / count : 0;
  const sigma = count > 1 ? Math.sqrt(Math.max(1e-9, sumSq / count - mu * mu)) : 1;
  return { prefix, mu, sigma };
}

/** The `quantile` of window surprise at random positions, and the share of positions at or above it. */
function anomalyThreshold(docs: Int32Array[], after: (i: number, s: number, e: number) => number, rng: () => number, quantile: number): { threshold: number; rate: number } {
  const eligible = docs.map((d, i) => (d.length > MIN_WINDOW + 1 ? i : -1)).filter((i) => i >= 0);
  const values: number[] = [];
  for (let k = 0; k < NULL_SAMPLES && eligible.length > 0; k++) {
    const i = eligible[Math.floor(rng() * eligible.length)]!;
    const e = Math.floor(rng() * (docs[i]!.length + 1));
    const v = after(i, e, e);
    if (Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return { threshold: Infinity, rate: 1 };
  values.sort((a, b) => a - b);
  const threshold = values[Math.min(values.length - 1, Math.floor(quantile * values.length))]!;
  let above = 0;
  for (const v of values) if (v >= threshold) above++;
  // The rate is estimated; one more observation keeps it away from zero on tiny corpora.
  return { threshold, rate: (above + 1) / (values.length + 1) };
}

interface FollowedOptions {
  maxN: number;
  minDocs: number;
  minShare: number;
  threshold: number;
  /** The score of the words after a phrase ending at token e of document i, alone. */
  afterOnly(i: number, e: number): number;
  /** That score less the surprise before the phrase (start s): never above afterOnly. */
  after(i: number, s: number, e: number): number;
}

/**
 * The phrases of 1..maxN tokens whose first occurrence is followed by improbable text (after >= threshold) in at
 * least minDocs documents, with every document that holds them. Such a phrase's followed documents are among those
 * with some place whose words after it alone reach the threshold (marked), so the n-gram table lists only the phrases
 * with minDocs marked documents that are at least minShare of all theirs (what the finding needs); each phrase's
 * first occurrence is then found in its marked documents. In the order their first followed occurrence comes in
 * the corpus (document, place, length).
 */
function followedPhrases(docs: Int32Array[], o: FollowedOptions): { candidates: Candidate[]; testable: number } {
  const marked = new Uint8Array(docs.length);
  for (let i = 0; i < docs.length; i++) {
    const len = docs[i]!.length;
    for (let e = 1; e <= len && !marked[i]; e++) if (o.afterOnly(i, e) >= o.threshold) marked[i] = 1;
  }
  const t = markedPhrases(docs, marked, { maxN: o.maxN, minDocs: o.minDocs, minMarked: o.minDocs, minShare: o.minShare });
  const found: { c: Candidate; doc: number; start: number }[] = [];
  for (let k = 0; k < t.count; k++) {
    const from = t.tokenStart[k]!;
    const to = t.tokenStart[k + 1]!;
    const followed: number[] = [];
    const starts: number[] = [];
    for (let x = t.docStart[k]!; x < t.docStart[k + 1]!; x++) {
      const i = t.docList[x]!;
      if (!marked[i]) continue;
      const s = firstOccurrenceIn(docs[i]!, t.tokenList, from, to);
      if (s < 0 || !(o.after(i, s, s + to - from) >= o.threshold)) continue;
      followed.push(i);
      starts.push(s);
    }
    if (followed.length < o.minDocs) continue;
    const tokens = Array.from(t.tokenList.subarray(from, to));
    found.push({ c: { key: tokens.join(','), tokens, docs: Array.from(t.docList.subarray(t.docStart[k]!, t.docStart[k + 1]!)), followed, starts, significance: 0 }, doc: followed[0]!, start: starts[0]! });
  }
  found.sort((a, b) => a.doc - b.doc || a.start - b.start || a.c.tokens.length - b.c.tokens.length);
  return { candidates: found.map((f) => f.c), testable: t.frequent };
}

/**
 * The candidates that stand once each document's text after a stronger one's phrase is read as that phrase's
 * payload. Strongest first (ties in the given order): in a document where an accepted candidate was followed, the
 * words it was measured on (from the end of its first occurrence, windowWords words) are its improbable text; a
 * weaker phrase whose first occurrence lies there is a piece of that text, so the document is taken out of its
 * count, neither followed nor not. A word two random runs happen to share is then left with the documents it is
 * independently in, and is tested again on those (the number of phrases testable is unchanged). Returned in the
 * given order.
 */
function withoutPayload(
  cands: Candidate[],
  docs: Int32Array[],
  wordsBefore: Int32Array[],
  windowWords: number,
  significance: (c: Candidate) => number,
  holds: (c: Candidate) => boolean,
): Candidate[] {
  const order = cands.map((_, k) => k).sort((a, b) => cands[b]!.significance - cands[a]!.significance || a - b);
  /** Per document, the accepted windows as token start (inclusive) and word end (exclusive) pairs. */
  const windows = new Map<number, number[]>();
  const inPayload = (i: number, s: number): boolean => {
    const w = windows.get(i);
    if (w === undefined) return false;
    for (let x = 0; x < w.length; x += 2) if (s >= w[x]! && wordsBefore[i]![s]! < w[x + 1]!) return true;
    return false;
  };
  const keep = new Uint8Array(cands.length);
  for (const k of order) {
    let c = cands[k]!;
    if (c.docs.some((i) => windows.has(i))) {
      const phrase = Int32Array.from(c.tokens);
      const payload = new Set<number>();
      for (const i of c.docs) if (windows.has(i) && inPayload(i, firstOccurrenceIn(docs[i]!, phrase, 0, phrase.length))) payload.add(i);
      if (payload.size > 0) {
        const followed: number[] = [];
        const starts: number[] = [];
        c.followed.forEach((i, x) => {
          if (!payload.has(i)) {
            followed.push(i);
            starts.push(c.starts[x]!);
          }
        });
        c = { ...c, docs: c.docs.filter((i) => !payload.has(i)), followed, starts };
        c.significance = followed.length > 0 ? significance(c) : -Infinity;
        if (!holds(c)) continue;
        cands[k] = c;
      }
    }
    keep[k] = 1;
    c.followed.forEach((i, x) => {
      const s = c.starts[x]!;
      const e = s + c.tokens.length;
      const p = wordsBefore[i]!;
      const w = windows.get(i) ?? [];
      // The words measured after the phrase: the first one and up to windowWords more (see afterOnly).
      w.push(e, p[e]! + 1 + windowWords);
      windows.set(i, w);
    });
  }
  return cands.filter((_, k) => keep[k] === 1);
}

/** Groups of near-identical documents (estimated Jaccard of word pairs at least SAME_DOCUMENT) among ids. */
function independent(ids: number[], docs: Int32Array[]): number {
  return sources(ids, docs).length;
}

/** One document of each group of near-identical documents among ids, in their order. */
function sources(ids: number[], docs: Int32Array[]): number[] {
  const sub = ids.map((i) => docs[i]!);
  const group = groupBySignature(sub.map((_, k) => k), minhashSignatures(sub), SAME_DOCUMENT);
  return ids.filter((_, k) => group[k] === k);
}

function continuation(d: Int32Array, phrase: number[], words: string[]): string {
  for (let s = 0; s + phrase.length <= d.length; s++) {
    let hit = true;
    for (let t = 0; t < phrase.length && hit; t++) hit = d[s + t] === phrase[t];
    if (hit) return Array.from(d.subarray(Math.max(0, s - 6), Math.min(d.length, s + phrase.length + EXAMPLE_TOKENS)), (w) => words[w]).join(' ');
  }
  return '';
}
