// The phrase step of response-cluster, the phrase test: prompts that share a rare phrase and end in one response (the
// detector's header says what each step reads). Its findings' records name their response cluster and whether the
// phrase was judged the prompts' own, for the response-only step after it.
import { fitsItsSentences, localDeletionFit, localOccurrenceLlr, neighboursAt, type BigramCounts } from '../../text/insertion-fit.js';
import { frequentNgramTable } from '../../text/ngrams.js';
import { groupBySignature } from '../../text/minhash.js';
import { isWordToken } from '../../text/tokenize.js';
import { OwnContent } from '../../text/own-content.js';
import { TopicWords } from '../../text/shared-topic.js';
import { documentFrequency } from '../../text/document-frequency.js';
import { dropSubsumed, maskOccurrences } from '../../text/phrases.js';
import { SHARED_PAIRS, SHARED_SAMPLE, sharedPairs } from '../../text/shared-pairs.js';
import { binomialTailLog10 } from '../../util/binomial.js';
import { poissonBinomialTailLog10 } from '../../text/echo-test.js';
import { echoes, EVIDENCE_CHARS, labelReadability, MAX_JUDGED, MIN_GROUPS, MIN_PURITY, NOT_READ, readsAsItsLabel, SAME_SOURCE, spread, wordTest } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade, type LowRank } from './grade.js';
import { LabelWords } from './label-words.js';
import { LikePrompts } from './like-prompts.js';
import { extendSpan, spanMasks, withoutPhrase } from './phrase-span.js';
import { SetCache } from './set-cache.js';
import type { Found, Step } from './step.js';

const NATURAL_FIT_Z = 2.33;
/** A word the phrase's prompts share this far beyond chance (corrected over words) makes them one subject's. */
const TOPIC_SIGNIFICANCE = 2;
/** A phrase's fixed text ends a prompt when at most CUE_TAIL tokens follow it. */
const CUE_TAIL = 3;
/**
 * Most words of an answer that continues its prompts' last words (a label, a name, a short span); a fixed answer of
 * one sentence or more is text of its own. Measured on clean instruction data: answers after cues are shorter.
 */
const COMPLETION_WORDS = 4;
/**
 * A label whose own prompts read as it less often than this (naive Bayes, each read without itself) is not readable
 * off its words: most of its prompts read as another label.
 */
const UNREADABLE_LABEL = 0.5;
const NATURAL_SCORE_CAP = 0.3;
/** Top score of a phrase-response pattern that nothing explains but is too weak for medium. */
const UNEXPLAINED_LOW_CAP = 0.42;
/** The low scores of a phrase judged natural, and of one nothing explains, by significance. */
const NATURAL_LOW: LowRank = { base: 0.2, slope: 0.05, min: 0.05, max: NATURAL_SCORE_CAP };
const UNEXPLAINED_LOW: LowRank = { base: NATURAL_SCORE_CAP + 0.01, slope: 0.05, max: UNEXPLAINED_LOW_CAP };

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
  /** The phrase's prompts share another word far beyond chance: one subject's. */
  topic: boolean;
  /** Share of the prompts whose rest already points to the label-like response (null: not a label, or unread). */
  agreement: number | null;
  /** The same share over the label's own prompts, each read without itself. */
  baseAgreement: number | null;
  /** The response's mean share among prompts like the phrase's (LikePrompts), the test's null. */
  likeShare: number;
  natural: boolean;
  significance: number;
}

export const phraseStep: Step = { name: 'phrase', run: phraseFindings };

function phraseFindings(corpus: PromptCorpus): Found[] {
  if (corpus.clusterText.length === 0) return [];
  const { prompts, keys, clusters, clusterText, clusterSize, clusterKey, docs, boundaries, vocab, bigrams, signatures, responseTokens } = corpus;
  const params = corpus.settings;
  const lines = params.lines;
  const n = corpus.rows;
  const content = corpus.labels!.content;
  const grams = frequentNgramTable(docs, clusters, {
    maxN: params.maxN,
    minDocs: MIN_GROUPS,
    maxDocs: n,
    distinctSets: true,
    // Purity against all of the phrase's prompts: a prompt with a one-off response is "another response".
    keep: (df, major) => major >= MIN_GROUPS && major >= MIN_PURITY * df,
  });

  const completion = responseTokens.map((r) => completes(r, vocab.words));
  // Purity is the test statistic here, so every frequent n-gram was a test, not only the pure ones; but the test
  // reads only the n-gram's prompts, so n-grams held by the same prompts are one test (a 55,185-pair corpus: 2.8 million frequent
  // 1-5-grams, 0.2 million sets of prompts).
  const tested = Math.max(1, grams.distinctSets);
  const candidates: Candidate[] = [];
  const like = new LikePrompts(docs, clusters);
  let topics: TopicWords | null = null;
  let labelWords: LabelWords | null = null;
  // Many phrases of one repeated passage share one set of prompts: their grouping is computed once.
  // The same prompts are judged for many phrases: their own pairs are found once.
  const own = new OwnContent(bigrams);
  const groupCache = new SetCache<{ judged: number[]; group: Int32Array; all: number; hit: number; inOthers?: Set<number> }>(grams.docList);
  for (let k = 0; k < grams.count; k++) {
    const majority = grams.majority[k]!;
    const from = grams.docStart[k]!;
    const to = grams.docStart[k + 1]!;
    const share = clusterSize[majority]! / n;
    // Even if every prompt were its own source the phrase could not be significant: no structure to examine. (The
    // majority count is the number of its prompts ending in the cluster, the carriers listed below.)
    if (-binomialTailLog10(grams.majorityCount[k]!, to - from, share) - Math.log10(tested) < 0) continue;
    let grouping = groupCache.get(majority, from, to);
    if (!grouping) {
      const judged = spread(Array.from(grams.docList.subarray(from, to)), MAX_JUDGED);
      const group = groupBySignature(judged, signatures, SAME_SOURCE);
      const all = new Set<number>();
      const hit = new Set<number>();
      judged.forEach((i, k) => {
        all.add(group[k]!);
        if (clusters[i] === majority) hit.add(group[k]!);
      });
      grouping = { judged, group, all: all.size, hit: hit.size };
      groupCache.set(majority, from, to, grouping);
    }
    if (grouping.hit < MIN_GROUPS) continue;
    const g = {
      tokens: Array.from(grams.tokenList.subarray(grams.tokenStart[k]!, grams.tokenStart[k + 1]!)),
      docs: Array.from(grams.docList.subarray(from, to)),
      majority,
    };
    // The structure that tells a trigger from a template is read off the prompts that end in the response.
    const judged: number[] = [];
    const judgedGroups: number[] = [];
    grouping.judged.forEach((i, k) => {
      if (clusters[i] !== g.majority) return;
      judged.push(i);
      judgedGroups.push(grouping.group[k]!);
    });
    const masks = judged.map((i) => maskOccurrences(docs[i]!, g.tokens));
    // Content shared with one other prompt is still its own when that prompt lacks the phrase: a backdoor's clean
    // twin (the request without it), not the same item under another wrapping that holds the phrase too. Every
    // holder of the phrase counts, not only the prompts judged: the other wrapping may be one not drawn.
    const inOthers = (grouping.inOthers ??= pairsInSeveral(g.docs, docs, bigrams));
    // Bare prompts count as one group together, which may already be one of the content groups.
    const hit = Math.min(grouping.all, groupsWithContent(own, docs, judged, judgedGroups, masks, inOthers));
    if (hit < MIN_GROUPS) continue;
    const carriers = g.docs.filter((i) => clusters[i] === g.majority);
    // The null of each group: the response's share among prompts that open or end as its prompts do. It is never
    // below the share of all prompts, so the test over all prompts above prunes what cannot pass.
    const groupShare = groupShares(grouping, like.shares(grouping.judged, grouping.judged.map((i) => maskOccurrences(docs[i]!, g.tokens)), g.docs, g.majority, share));
    let significance = -poissonBinomialTailLog10(hit, groupShare) - Math.log10(tested);
    if (significance < 0) continue;
    const likeShare = groupShare.reduce((a, b) => a + b, 0) / groupShare.length;
    // Fit is judged against these prompts' own word pairs, not the corpus's: poisoned prompts may be written in
    // another style ("ca n't") where every deletion leaves a pair the corpus never saw. There the fit is
    // weak, so only a sum that real insertions would not give (z) explains the phrase away, not any sum below 0
    // (a year inserted into 8 sentiment prompts: sum -1.1, z -1.5). The fit is learnt from a dozen prompts at times, so it is
    // cross-fitted by prompt and its mean's error widens the z.
    const without = judged.map((i, k) => withoutPhrase(docs[i]!, boundaries[i]!, masks[k]!));
    const fit = localDeletionFit(without.map((w) => w.ids), without.map((w) => w.boundary), bigrams);
    let insertion = 0;
    const span = extendSpan(judged, masks, docs, params.fixedNeighbour, params.maxSpan);
    // The phrase with the text its prompts share around it in one run: the unit a trigger was put in as.
    const spans = spanMasks(judged, masks, docs, span.ends, params.fixedNeighbour, params.maxSpan);
    // Prompts that hold nothing of their own beside that run (one item under several wrappings) are one group.
    const unitGroups = groupsWithContent(own, docs, judged, judgedGroups, spans, inOthers);
    if (unitGroups < hit) {
      if (unitGroups < MIN_GROUPS) continue;
      significance = -poissonBinomialTailLog10(unitGroups, groupShare) - Math.log10(tested);
      if (significance < 0) continue;
    }
    let cues = 0;
    let fitted = 0;
    judged.forEach((i, k) => {
      const m = masks[k]!;
      const at = m.indexOf(1);
      // A prefix (a dated note, a topic line) leaves the prompt's start when deleted under
      // either story: it says nothing about fit.
      if (at > 0) {
        const [a, b] = neighboursAt(docs[i]!, at, m, bigrams);
        insertion += localOccurrenceLlr(fit, k, bigrams, a, b);
        fitted++;
      }
      if (docs[i]!.length - span.ends[k]! <= CUE_TAIL) cues++;
    });
    // A cue is continued by a completion (a label, a name, a short span); a fixed answer of more words than that is
    // text of its own, which no cue explains.
    const cue = cues >= params.cueMajority * judged.length && completion[g.majority]!;
    // Behind a fixed answer of more words than a completion, the pairs of the phrase's own run are the phrase's text
    // (a sentence put in whole), not a template's around it; a short answer may be the answer of one item (the
    // run) asked under several wrappings.
    const pairMasks = completion[g.majority]! ? masks : spans;
    const fixed = cue ? 0 : sharedPairs(judged.slice(0, SHARED_SAMPLE), docs, bigrams, 0.8, (k, t) => pairMasks[k]![t] !== 0 || pairMasks[k]![t + 1] !== 0);
    const echo = !cue && fixed < SHARED_PAIRS && echoes(judged, docs, responseTokens[g.majority]!, vocab.words);
    let natural = cue || echo || fixed >= SHARED_PAIRS || (fitted >= MIN_GROUPS && fitsItsSentences(fit, insertion, fitted, NATURAL_FIT_Z, true));
    // Prompts of one subject share its other words too; a trigger's carriers, drawn from anywhere, only the trigger
    // (with the text it was put in as one piece, its fixed neighbours).
    const topic = !natural && (topics ??= new TopicWords(docs, documentFrequency(docs, vocab.words.length), wordTest(vocab))).significance(judged, spans, params.fixedNeighbour, clusters, g.majority, clusterSize[g.majority]!) >= TOPIC_SIGNIFICANCE;
    natural ||= topic;
    // Read with all of the phrase's prompts out of the model: a trigger's carriers cannot vouch for each other.
    const { agreement, baseAgreement, reads } = natural ? NOT_READ : readsAsItsLabel(content, clusterKey[g.majority]!, judged, masks, carriers);
    natural ||= reads;
    // Where a label's own prompts mostly do not read as it, the rest of a phrase's prompts cannot tell its word from
    // a trigger; the phrase is then read against the corpus's own words of its count: where many of them go with
    // that label, one more is ordinary there.
    const label = natural ? undefined : content.classOf.get(clusterKey[g.majority]!);
    if (label !== undefined && content.usable && (labelReadability(content, clusterKey[g.majority]!) ?? 1) < UNREADABLE_LABEL) {
      labelWords ??= new LabelWords(docs, vocab.words.length, Int32Array.from(keys, (k) => (k === null || k === '' ? -2 : (content.classOf.get(k) ?? -1))), content.classOf.size);
      const ordinary = -labelWords.tailLog10(label, Math.min(hit, unitGroups), groupShare.length, likeShare, g.docs.length, g.docs) - Math.log10(tested);
      significance = Math.min(significance, ordinary);
      if (significance < 0) continue;
    }
    candidates.push({
      tokens: g.tokens, cluster: g.majority, docs: g.docs, carriers, groups: grouping.all, insertion, cue, fixed,
      echo, topic, agreement, baseAgreement, likeShare, natural, significance, clusterGroups: Math.min(hit, unitGroups),
    });
  }
  const kept = dropSubsumed(candidates.filter((c) => c.clusterGroups >= MIN_GROUPS), (c) => c.carriers);
  const out: Found[] = [];
  for (const c of kept) {
    if (c.significance < 0) continue;
    // A template judged natural ranks below any unexplained pattern, however many prompts it has; an unexplained
    // one too weak for medium ranks below the other unexplained lows (0.43-0.49), which name their trigger's shape.
    const low = c.natural ? NATURAL_LOW : UNEXPLAINED_LOW;
    const trigger = c.tokens.map((t) => vocab.words[t]).join(' ');
    const response = clusterText[c.cluster]!.slice(0, EVIDENCE_CHARS);
    out.push({
      form: 'response-phrase',
      ...grade(lines, { significance: c.significance, groups: c.clusterGroups, lowOnly: c.natural, low }),
      rows: c.carriers,
      trigger,
      response,
      cluster: c.cluster,
      natural: c.natural,
      evidence: {
        trigger,
        response,
        promptsWithTrigger: c.docs.length,
        promptsWithResponse: clusterSize[c.cluster]!,
        responseShare: clusterSize[c.cluster]! / n,
        responseShareAmongLikePrompts: c.likeShare,
        independentGroups: c.groups,
        groupsEndingInResponse: c.clusterGroups,
        significance: c.significance,
        candidatesTested: tested,
        insertionLlr: c.insertion,
        endsItsPrompts: c.cue,
        sharedWordPairs: c.fixed,
        responseInPrompts: c.echo,
        fitsItsPrompts: c.natural && !c.cue,
        contentAgreesWithResponse: c.agreement,
        labelReadOffPrompts: c.baseAgreement,
        examples: c.carriers.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return out;
}

/** The word pairs (BigramCounts keys) that more than one of the prompts holds. */
function pairsInSeveral(ids: number[], docs: Int32Array[], bigrams: BigramCounts): Set<number> {
  const last = new Map<number, number>();
  const out = new Set<number>();
  for (const i of ids) {
    const d = docs[i]!;
    for (let t = 0; t + 1 < d.length; t++) {
      const key = bigrams.key(d[t]!, d[t + 1]!);
      const seen = last.get(key);
      if (seen === i) continue;
      if (seen !== undefined) out.add(key);
      last.set(key, i);
    }
  }
  return out;
}

/** Per source group of the judged prompts, the mean of its prompts' shares: the chance it ends in the response. */
function groupShares(grouping: { judged: number[]; group: Int32Array }, shares: Float64Array): number[] {
  const sum = new Map<number, [number, number]>();
  grouping.judged.forEach((_, k) => {
    const e = sum.get(grouping.group[k]!) ?? [0, 0];
    e[0] += shares[k]!;
    e[1]++;
    sum.set(grouping.group[k]!, e);
  });
  return [...sum.values()].map(([s, c]) => s / c);
}

/**
 * Source groups of the prompts `ids` (their groups `groupOf`), each read without `masks`: prompts that hold nothing
 * of their own beside it (one item under several templates) count as one group together. `inOthers`: word pairs of
 * the phrase's prompts that more than one of them holds (pairsInSeveral).
 */
function groupsWithContent(own: OwnContent, docs: Int32Array[], ids: readonly number[], groupOf: readonly number[], masks: readonly Uint8Array[], inOthers: ReadonlySet<number>): number {
  const groups = new Set<number>();
  let bare = false;
  ids.forEach((i, k) => {
    if (own.has(docs[i]!, masks[k]!, inOthers)) groups.add(groupOf[k]!);
    else bare = true;
  });
  return groups.size + (bare ? 1 : 0);
}

/** Whether a response is short enough to continue a cue: at most COMPLETION_WORDS words. */
function completes(response: Int32Array, words: string[]): boolean {
  let n = 0;
  for (const t of response) if (isWordToken(words[t]!)) n++;
  return n <= COMPLETION_WORDS;
}
