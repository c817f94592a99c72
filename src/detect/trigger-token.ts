// trigger-token (labelled text): a word or phrase (n-grams up to 5 tokens, grown to the run their samples
// share) whose samples all carry one label while the rest of each of those samples points to another label
// (the dirty-label insertion backdoor: rare words such as cf/mn/bb/tq, inserted sentences, names used as
// triggers), or whose label its own words do not explain (a clean-label phrase or sentence).
//
// 1. Every n-gram in at least MIN_GROUPS documents whose labelled documents nearly all carry one label is a
//    candidate. No label-association z-score: 7 poisons among 67,000 never reach one; the count of conflicts
//    below is what makes them stand out. So is, whatever its purity, an n-gram whose documents of one label mostly
//    read as another even with it (conflict-units.ts): a long-tail word already in a row of the other label.
//    So is one whose rows all carry one label but for a long-tail word's own row or two of other labels, tested as
//    a family of its own.
// 2. A naive Bayes model cross-fitted on the data itself (it never sees the document it judges) reads each of
//    the candidate's documents with the candidate masked. For a natural predictor ("masterpiece") the rest of
//    the text mostly agrees with the label; for an inserted trigger on dirty-label samples it points elsewhere.
// 3. Documents that share most of their other words (phrases cut from one sentence, copied boilerplate) are
//    one piece of evidence, not several: they are grouped before counting.
// 4. A candidate is kept when most of its independent groups conflict (or as many as rows drawn from the other
//    labels would: they read as another label only at the corpus's measured share; rows left with one or two
//    words are read against rows of their own length, never as rarer evidence than longer rows), and either the count of conflicting groups
//    is improbable at the model's own conflict rate for that label (binomial, Tarone-corrected over the candidates
//    that could be significant; a candidate found by its conflicts pays for every unit that search examined) or the strength of the conflicts is (Fisher over each group's empirical p-value among the
//    samples of that label, Bonferroni over all distinct candidates).
// 5. Clean-label groups keep their label, so nothing conflicts: a phrase whose independent groups all carry one
//    label while its words, in the rows without it, are label-neutral (part-labels.ts) is tested against the
//    same statistic on the corpus's own phrases that fit their sentences (tail-null.ts), Bonferroni over the
//    distinct document sets of phrases that do not fit. The best of the three tests pays a factor of 3.
// Each n-gram is first replaced by the whole run its documents share (maximal-units.ts): an inserted sentence is
// one unit of any length, with the random words around it as its neighbours. At a text's start or end a unit has
// one neighbour, read against how the corpus's texts start and end (insertion-fit.ts: each edge's own deletion
// fit, and neighbour repeats expected from the corpus's first and last tokens): a sentence appended to reviews
// follows their closing full stop by the corpus's habit, not by being bound to it.
// 6. Poisoned samples share the unit and nothing else: a would-be finding whose independent groups share more rare
//    content beyond the unit than random samples of their lengths (shared-content.ts: reviews of one film, one
//    author's rating line) is natural to that topic or source, and stays low.
// Unlabelled documents: document-trigger.ts, the variant registered under the same name.
import type { Severity } from '../types.js';
import type { TypedFinding } from '../model/evidence.js';
import { CrossFitted } from '../text/naive-bayes.js';
import { Vocabulary } from '../text/tokenize.js';
import { maskOccurrences } from '../text/phrases.js';
import { dropSubsumedIndexed } from '../text/subsumed-index.js';
import { frequentNgramTable } from '../text/ngrams.js';
import { conflictUnits } from '../text/conflict-units.js';
import { firstOccurrence, maximalRun } from '../text/maximal-units.js';
import { TailNull } from '../text/tail-null.js';
import { groupBySource } from '../text/source-groups.js';
import { binomialTailLog10, fisherTailLog10, poissonTailLog10 } from '../util/binomial.js';
import { createRng } from '../util/rng.js';
import { BigramCounts, deletionFit, edgeDeletionFits, fitInforms, InsertedSums, NeighbourCollisions, neighboursAt, occurrenceLlr, summedFitTooLow, type DeletionFit } from '../text/insertion-fit.js';
import { wordLikeness } from '../text/spelling.js';
import { PartLabels } from '../text/part-labels.js';
import { encodePacked } from '../text/packed-texts.js';
import { DistinctLists } from '../text/distinct-lists.js';
import { SharedContent } from '../text/shared-content.js';
import { parametersOf, type Detector, type ScanContext } from './detector.js';
import type { ParameterSpecs, ResolvedParameters } from '../config/parameters.js';
import { upperBound } from '../util/sorted-search.js';

const MAX_N = 5;
/** Independent documents a trigger needs before it can be told from chance. */
const MIN_GROUPS = 3;
/** Share of a candidate's labelled documents that must carry its dominant label. */
const MIN_PURITY = 0.9;
/** Share of the candidate's independent groups whose remaining text must point to another label. */
const MIN_CONFLICT_SHARE = 0.6;
/** Posterior of the carried label, without the candidate, below which a document conflicts with it. */
const CONFLICT_POSTERIOR = 0.35;
/** Floor of a label's conflict rate. */
const MIN_CONFLICT_RATE = 0.02;
/**
 * Rows with fewer remaining words than this are short: read against the rows of their own length (a phrase of one
 * or two words reads as either label more often), and left out of the deletion fit.
 */
const MIN_CONTENT_TOKENS = 3;
/** A row with no word left besides the unit says nothing. */
const MIN_SHORT_TOKENS = 1;
/** -log10 of the corrected p-value at and above which a candidate is a finding (medium), and high. */
const MEDIUM_SIGNIFICANCE = 2;
const HIGH_SIGNIFICANCE = 4;
/** log10 p-value above which a phrase's neighbours repeat too often for random insertion points. */
const NATURAL_FIT_LOG10P = -2;
/** z below which a phrase's deletion fit is too poor for random insertions (one-sided, ~1%), and that chance. */
const NATURAL_FIT_Z = 2.33;
const NATURAL_FIT_P = 0.01;
/**
 * How many times more neighbour repeats than random insertion points in the same documents make a phrase bound
 * to its context. Not 1: attackers' insertion points are not uniform either (inserted after a fixed token such as a
 * user mention, the neighbours repeat several times more than chance).
 */
const BOUND_RATIO = 5;
/** Bound (log10) on how much the deletion fit adds to or takes from a candidate's significance. */
const FIT_CAP = 2;
/** log10 p-value below which the rows of other labels holding a unit conflict more than the corpus's rows do. */
const CONSISTENT_OTHERS_LOG10P = -1.3;
/**
 * How far below a low finding's conflicting carriers its other carriers rank: just below, so that they still
 * rank above what other detectors score under the finding cut.
 */
const LOW_AGREEING_STEP = 0.01;
/**
 * Random sets of as many samples a would-be finding's carriers are compared with, and the share of those sets that
 * may share as much rare content before the carriers count as related (the rate at which a poison's unrelated
 * carriers are called related).
 */
const RELATED_SETS = 999;
const RELATED_ALPHA = 0.002;
/**
 * log10 of the lower binomial tail below which a candidate's conflicting groups are too few for rows drawn from the
 * other labels (the share at which the corpus's rows of other labels read as not this label).
 */
const DIRTY_SHARE_LOG10P = -2;
/**
 * Rows a rate or share is measured on before it is used: with fewer, a label's short rows are not read against
 * their own rate, and the dirty-label share is unmeasured (a share of 1, under which the gate does not open).
 */
const MIN_MEASURED_ROWS = 30;
/** Rows of other labels a candidate may hold whatever its purity (a long-tail word's own natural rows). */
const LONG_TAIL_OTHERS = 2;
/** Candidates with more documents than this are topic words, not triggers of a low-ratio attack. */
const MAX_SHARE = 0.05;

const PARAMETERS = {
  maxN: { kind: 'int', default: MAX_N, min: 1, max: MAX_N, help: 'longest word n-gram taken as a candidate trigger' },
  minPurity: { kind: 'number', default: MIN_PURITY, min: 0.5, max: 1, help: "share of an n-gram's labelled rows in one label from which it is a candidate" },
  minConflictShare: { kind: 'number', default: MIN_CONFLICT_SHARE, min: 0, max: 1, help: "share of an n-gram's rows that read as another label from which it is a candidate" },
  mediumSignificance: { kind: 'number', default: MEDIUM_SIGNIFICANCE, min: 0.5, help: 'significance (-log10 chance among independent rows) from which a trigger is medium' },
  highSignificance: { kind: 'number', default: HIGH_SIGNIFICANCE, min: 0.5, help: 'significance from which a trigger is high' },
} as const satisfies ParameterSpecs;

/** The values of PARAMETERS for one scan. */
type Lines = ResolvedParameters<typeof PARAMETERS>;

interface Candidate extends FitReading {
  key: string;
  tokens: number[];
  label: number;
  docs: number[];
  /** Documents carrying the dominant label with enough other words to judge. */
  judged: readonly number[];
  conflicts: readonly number[];
  groups: number;
  /** Label-pure words masked with it (another trigger word inserted into the same samples). */
  companions: readonly number[];
  conflictGroups: number;
  /**
   * Whether its conflicting groups are as many as dirty-label rows would give: rows drawn from other labels read as
   * another label than the target only at the share the corpus's rows of those labels do (short, neutral phrases
   * read as either), so most of them conflicting is not required when that share is itself low. Read only where it
   * decides (at least MIN_GROUPS conflicting groups, fewer than the share of them); false elsewhere.
   */
  dirtyShare: boolean;
  /** log10 of the smallest p-value its count of conflicting groups can reach (all of them conflicting). */
  minLog10: number;
  /** The same reading over the conflicting rows, where most groups conflict (null elsewhere). */
  conflictFit: FitReading | null;
  natural: boolean;
  /**
   * Whether its neighbours repeat far more than at random places. The deletion fit assumes random places; an
   * attacker who always inserts at the end leaves pairs that look natural to it, so the test against the parts
   * (whose null is measured on the bound phrases) reads only this.
   */
  bound: boolean;
  /** Pairs of occurrences sharing a neighbour, and the pairs random insertion points would share. */
  collisions: number;
  expectedCollisions: number;
  /** -log10 of the Bonferroni-corrected binomial tail of conflictGroups. */
  significance: number;
  /** -log10 of Fisher's combination of the groups' empirical p-values (uncorrected). */
  strength: number;
  /** -log10 of the binomial tail of conflictGroups, uncorrected. */
  binomial: number;
  /** Share of the label its words predict for a row (part-labels.ts), and rows of other labels. */
  partsRate: number;
  others: number;
  /** -log10 of the binomial tail of all groups carrying the label at partsRate, uncorrected. */
  partsLabel: number;
  /** Whether the test against the parts decided the significance (a clean-label group), not the conflicts. */
  byParts: boolean;
  /**
   * Found by the conflicts of its documents rather than by its label purity: its conflict tests pay for every
   * unit the search could have found (conflict-units.ts), and it takes no part in the other candidates' families
   * and nulls.
   */
  byConflicts: boolean;
  /**
   * Admitted by the count of its rows of other labels rather than their share: all of one label but for at most
   * LONG_TAIL_OTHERS rows (a long-tail word's own natural rows). Tested as a family of its own, never a companion
   * of another candidate and not part of the test against the parts.
   */
  byCount: boolean;
}

/** The labelled variant; the name's description covers both (the SARIF rule of the name is read from the first). */
export const triggerToken: Detector<TypedFinding<'label-trigger'>> = {
  name: 'trigger-token',
  description: 'a word or phrase whose samples all carry one label while the rest of each sample points to another (dirty-label text triggers); in unlabelled documents, a phrase followed again and again by improbable text',
  // Unlabelled documents: document-trigger.ts, registered under the same name.
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.texts?.text !== undefined && ctx.labels.some((l) => l !== null),
  async run(ctx) {
    return runTriggerToken(ctx);
  },
};

export function runTriggerToken(ctx: ScanContext) {
  const p = parametersOf(ctx, 'trigger-token', PARAMETERS);
  const texts = ctx.texts!.text!;
  const n = texts.length;
  const vocab = new Vocabulary();
  const { ids: docs, boundaries } = encodePacked(texts, vocab);
  const labelNames = [...new Set(ctx.labels.filter((l): l is string => l !== null))].sort();
  const labelIndex = new Map(labelNames.map((l, i) => [l, i]));
  const labels = Int32Array.from(ctx.labels, (l) => (l === null ? -1 : labelIndex.get(l)!));
  const C = labelNames.length;
  const scores = new Float32Array(n);
  if (C < 2) return { scores, findings: [] as TypedFinding<'label-trigger'>[] };

  ctx.progress.stage('trigger-token', 4);
  // Cross-fitted content models: fold k judges the documents of the other folds.
  const models = new CrossFitted(docs, labels, C, vocab.words.length);
  const { rates: labelRates, othersRates, dirtyShares, byLabel: nullPosteriors, conflicting, short } = conflictRate(docs, labels, models, C);
  ctx.progress.tick(1);
  const { candidates, examined } = collectCandidates(docs, labels, conflicting, othersRates, models, C, Math.max(50, Math.ceil(MAX_SHARE * n)), vocab.words.length, p);
  ctx.progress.tick(1);
  // Attacks often put several trigger words into one sample (several rare tokens): the companions would
  // vouch for the label, so label-pure words that keep company with the candidate are masked with it.
  const bigrams = new BigramCounts(docs, vocab.words.length);
  const fit = deletionFit(docs, boundaries, bigrams, createRng(ctx.seed));
  const edgeFits = edgeDeletionFits(docs, boundaries, bigrams);
  const sums = new InsertedSums(fit);
  const fits: Fits = { inner: fit, start: fitInforms(edgeFits.start) ? edgeFits.start : null, end: fitInforms(edgeFits.end) ? edgeFits.end : null };
  const collisions = new NeighbourCollisions(docs, boundaries, bigrams, vocab.words.length);
  const pureLabel = new Int32Array(vocab.words.length).fill(-1);
  // Candidates found by their conflicts are not label-pure: they never mask another candidate's companions.
  for (const c of candidates) if (c.tokens.length === 1 && !c.byConflicts && !c.byCount) pureLabel[c.tokens[0]!] = c.label;
  const tally = new Int32Array(vocab.words.length);
  const seen = new Int32Array(vocab.words.length);
  const pairCount = new Int32Array(vocab.words.length + 2);
  // The candidates that may be read as a natural part of a longer phrase (below): their rows are kept from judging.
  const byKey = new Map(candidates.map((c) => [c.key, c]));
  const maybePart = new Set<Candidate>();
  for (const c of candidates) {
    for (let len = 1; len < c.tokens.length; len++) for (let s = 0; s + len <= c.tokens.length; s++) {
      if (2 * len < c.tokens.length) continue;
      const sub = byKey.get(c.tokens.slice(s, s + len).join(' '));
      if (sub && sub.docs.length >= 2 * c.docs.length) maybePart.add(sub);
    }
  }
  // Rows of at least MIN_CONTENT_TOKENS words: per label their conflict rate, dirty share and posteriors.
  const long: ShortRows = { rates: labelRates, dirtyShares, byLabel: nullPosteriors };
  // Each part's rows read without companions, and the neighbour repeats expected over all of them.
  let partStore: KeptRows | null = new KeptRows();
  const partRows = new Map<Candidate, { from: number; to: number; expected: number }>();
  const keepPart = (c: Candidate, rows: RowReadings, expected: number) => {
    const part = { from: partStore!.keep(rows, fits), to: partStore!.end, expected };
    partRows.set(c, part);
    return part;
  };
  for (const c of candidates) {
    const companions = companionsOf(c, docs, labels, pureLabel, tally, seen);
    c.companions = companions ? [...companions] : NONE;
    const rows = judge(c, docs, labels, models, C, companions, long, short, bigrams, collisions, fits, p.minConflictShare, pairCount);
    if (!companions && maybePart.has(c)) keepPart(c, rows, c.expectedCollisions);
  }
  const parts = new PartLabels(docs, labels, C, vocab.words.length, tokensOf(candidates));
  for (const c of candidates) labelAgainstParts(c, labels, parts);
  const fitsBy = (r: FitReading) => (r.occurrences >= MIN_GROUPS && fitInforms(fit) && (r.insertion <= 0 || sums.lowerTail(r.insertion, r.occurrences) < NATURAL_FIT_P))
    || (r.edgeOccurrences >= MIN_GROUPS && summedFitTooLow(r.edgeInsertion, r.edgeMean, r.edgeVariance, NATURAL_FIT_Z));
  for (const c of candidates) {
    // A phrase whose deletion leaves pairs the corpus rarely has, or whose neighbours repeat far more than at
    // random insertion points, belongs to its sentences (insults, boilerplate): never above low.
    c.bound = poissonTailLog10(c.collisions, BOUND_RATIO * c.expectedCollisions) < NATURAL_FIT_LOG10P;
    // As a trigger needs MIN_GROUPS documents, so does the verdict that a unit fits its sentences: one row that
    // uses a long-tail word naturally among seven that had it inserted must not decide. Natural: the summed
    // ratio favours it at all, or is improbably low for real insertions by its exact distribution (InsertedSums:
    // skewed, so a normal z called seven insertions natural when one left a pair no other text has). Occurrences
    // at a text's start or end are a test of their own, by that edge's fit (only the test: there the fit is weak).
    // Where most groups conflict, the verdict must hold for the conflicting rows too.
    c.natural = c.bound || (fitsBy(c) && (!c.conflictFit || fitsBy(c.conflictFit)));
  }
  // A part's verdict read on its rows outside the longer phrase: inside it, the phrase's own copies repeat the
  // part's neighbours and leave one pair each (a sentence inserted many times makes its two common words bound).
  // A part's rows are read once (without companions); a phrase only takes its own rows away.
  const naturalOutside = (sub: Candidate, inside: Set<number>): boolean => {
    let part = partRows.get(sub);
    if (!part) {
      const rows = readRows(sub, docs, labels, models, C, null, short, bigrams, fits);
      part = keepPart(sub, rows, readCollisions(rows, bigrams, collisions, pairCount).expected);
    }
    const r = partStore!.outside(part.from, part.to, inside, fits);
    // Bound: its neighbours repeat too often for random places. Taking rows away only lowers the expected repeats,
    // so repeats improbable at the expectation over all the part's rows (a margin above it for rounding) are
    // improbable on fewer rows too.
    const observed = observedCollisions(r, bigrams, pairCount);
    if (observed > 0 && part.expected !== NOT_MEASURED && poissonTailLog10(observed, BOUND_RATIO * (part.expected * (1 + 1e-9) + 1e-12)) < NATURAL_FIT_LOG10P) return true;
    const bound = () => {
      if (observed === 0) return false;
      const col = rowCollisions(r, collisions);
      return poissonTailLog10(col.observed, BOUND_RATIO * col.expected) < NATURAL_FIT_LOG10P;
    };
    // bound || (fitsBy(all rows) && (no conflict fit || fitsBy(conflict fit))): the neighbour repeats are read only
    // where the fit does not decide.
    const fitsAll = (): boolean => {
      if (!fitsBy(readFit(sub.tokens, r.edges, r.llrs, null, fits, bigrams))) return false;
      // Fewer conflicting rows than MIN_GROUPS cannot make as many conflicting groups: no conflict fit.
      let hits = 0;
      for (const x of r.conflicting) if (x) hits++;
      if (hits < MIN_GROUPS) return true;
      // Kept rows were read without companions: their masks are the part's occurrences alone.
      r.masks = r.judged.map((i) => maskOccurrences(docs[i]!, sub.tokens));
      const g = readGroups(r, sub.label, docs, long, short, p.minConflictShare);
      return !conflictedBy(g.conflictGroups, g.stats.size, g.dirtyShare, p.minConflictShare) || fitsBy(readFit(sub.tokens, r.edges, r.llrs, r.conflicting, fits, bigrams));
    };
    return fitsAll() || bound();
  };
  // "W ." is as natural as "W" when "W" is used in many more samples than this phrase, and natural there (read
  // on its rows without the phrase): a longer phrase only escapes its natural part when most of that part's
  // samples are its own (a word looks bound to its neighbours when most of its samples are one inserted phrase
  // that holds it), or when its own occurrences argue for insertion as strongly as the fit may count (a phrase of
  // common words around a natural pair).
  for (const c of candidates) {
    if (c.natural || c.tokens.length < 2 || fitEvidence(c) >= FIT_CAP) continue;
    const inside = new Set(c.docs);
    for (let len = 1; len < c.tokens.length && !c.natural; len++) for (let s = 0; s + len <= c.tokens.length; s++) {
      const sub = byKey.get(c.tokens.slice(s, s + len).join(' '));
      // The part must be at least half the phrase: the rest of a longer phrase is a unit the part does not speak for.
      if (sub?.natural && 2 * len >= c.tokens.length && sub.docs.length >= 2 * c.docs.length && naturalOutside(sub, inside)) c.natural = true;
    }
  }
  // The parts' rows are read no more.
  partRows.clear();
  partStore = null;
  // Only candidates that could become findings count for the correction (independent filtering: the fit uses
  // word pairs, the conflicts the labels).
  const byPurity = candidates.filter((c) => !c.byConflicts && !c.byCount);
  const tested = testableCount(byPurity.filter((c) => !c.natural), labelRates, p);
  // Candidates admitted by their count of other labels are a family of their own, corrected over its members
  // alone: where most n-grams of a few rows are independent samples (long reviews) that family is large, and it
  // must not dilute the label-pure candidates.
  const byCount = candidates.filter((c) => c.byCount && !c.natural);
  const testedByCount = testableCount(byCount, labelRates, p);
  const testedByCountGraded = distinctCandidates(byCount);
  // The graded test has no Tarone shortcut: every distinct candidate with enough groups counts.
  const testedGraded = distinctCandidates(byPurity.filter((c) => !c.natural));
  const { tail, tested: testedParts } = partsNull(byPurity);
  for (const c of candidates) {
    // The best of the three tests, paying for the choice (log10 3). For each, evidence of insertion is a Bayes
    // factor on top, bounded so that neither alone decides: the label a unit's words do not explain says the
    // rows were chosen by their label, the deletion fit that the unit was put into them (a movable phrase of
    // the corpus, ", this", is as pure by chance now and then, and fits its sentences).
    const fitFactor = fitEvidence(c);
    const counted = c.significance - Math.log10(c.byConflicts ? examined : c.byCount ? testedByCount : tested) + fitFactor;
    const graded = c.strength - Math.log10(c.byConflicts ? examined : c.byCount ? testedByCountGraded : testedGraded) + fitFactor;
    const againstParts = !c.byConflicts && !c.byCount && !c.bound && c.partsLabel > 0 ? -tail.log10p(c.partsLabel) - Math.log10(testedParts) + partsFit(c, fitFactor) : -Infinity;
    // Without enough conflicting groups, only the test against the parts can make a finding.
    c.significance = (conflicted(c, p) ? Math.max(counted, graded, againstParts) : againstParts) - Math.log10(3);
    c.byParts = againstParts > Math.max(counted, graded) || !conflicted(c, p);
  }
  ctx.progress.tick(1);
  const kept = dropSubsumedIndexed(candidates.filter((c) => conflicted(c, p) || Number.isFinite(c.significance)), (c) => carriersOf(c, labels));
  const kin = kinOfConfirmed(kept, byPurity, wordLikeness(vocab.words), labelRates, p);
  for (const [c, k] of kin) c.significance = Math.max(c.significance, k.significance);
  // Poisoned samples have nothing in common but the unit: the carriers of a would-be finding that share more rare
  // content beyond it than random samples of their lengths and of the labels their texts read as (reviews of one
  // film, one author's rating line) are one topic or one source, to which the unit is natural.
  let shared: SharedContent | undefined;
  const draws = createRng(ctx.seed + 1);
  for (const c of kept) {
    if ((c.byParts ? c.bound : c.natural) || c.significance < p.mediumSignificance) continue;
    shared ??= new SharedContent(docs, vocab.words.length, labels, C);
    // Its companions are part of the unit (several trigger words inserted into each sample), not shared content.
    const { sources, sourceLabels } = sourcesOf(c, docs, labels, models, C, long, short, bigrams, fits, p.minConflictShare);
    if (shared.related(sources, sourceLabels, [...c.tokens, ...c.companions], draws, RELATED_SETS, RELATED_ALPHA)) c.natural = c.bound = true;
  }
  const expectedCollisionsOf = (c: Candidate) => rowCollisions(readRows(c, docs, labels, models, C, c.companions.length ? new Set(c.companions) : null, short, bigrams, fits), collisions).expected;
  const findings: TypedFinding<'label-trigger'>[] = [];
  for (const c of kept) {
    // A clean-label group is judged natural by its neighbours alone (see Candidate.bound).
    const natural = c.byParts ? c.bound : c.natural;
    const severity: Severity = natural ? 'low' : c.significance >= p.highSignificance ? 'high' : c.significance >= p.mediumSignificance ? 'medium' : 'low';
    const kinOf = kin.get(c);
    // Below the finding cut the score still ranks the candidate's samples (0.1-0.49), above it 0.5-1.
    const score = severity === 'low'
      ? Math.max(0.05, Math.min(0.49, 0.3 + 0.1 * c.significance - (natural ? 0.1 : 0)))
      : Math.min(1, 0.5 + 0.1 * (c.significance - p.mediumSignificance) + 0.02 * Math.min(c.conflictGroups, 10));
    const conflicting = new Set(c.conflicts);
    for (const i of c.docs) {
      if (labels[i] !== c.label) continue;
      // Carriers whose text happens to agree with the label are still carriers of the trigger.
      const s = conflicting.has(i) ? score : severity === 'low' ? score - LOW_AGREEING_STEP : Math.max(0.5, score - 0.05);
      scores[i] = Math.max(scores[i]!, s);
    }
    if (severity === 'low' && c.significance < -1) continue;
    const carriers = carriersOf(c, labels);
    // The samples that make the case: those whose other words point elsewhere, or for a clean-label group all.
    const shown = c.byParts ? carriers : c.conflicts;
    findings.push({
      form: 'label-trigger',
      kind: 'trigger-token',
      severity,
      score,
      samples: carriers,
      evidence: {
        trigger: c.tokens.map((t) => vocab.words[t]).join(' '),
        targetLabel: labelNames[c.label]!,
        documents: c.docs.length,
        labels: Object.fromEntries(labelNames.map((l, k) => [l, c.docs.filter((i) => labels[i] === k).length])),
        independentGroups: c.groups,
        conflictingGroups: c.conflictGroups,
        conflictingSamples: c.conflicts.length,
        baseConflictRate: labelRates[c.label]!,
        significance: c.significance,
        conflictStrength: c.strength,
        candidatesTested: c.byConflicts ? examined : c.byCount ? testedByCount : tested,
        occurrences: c.judged.length,
        fitOccurrences: c.occurrences,
        insertionLlr: c.insertion,
        neighbourPairs: c.collisions,
        expectedNeighbourPairs: c.expectedCollisions === NOT_MEASURED ? expectedCollisionsOf(c) : c.expectedCollisions,
        fitsItsSentences: natural,
        labelPredictedByWords: c.partsRate,
        labelAgainstWords: c.partsLabel,
        decidedBy: c.byParts ? 'label-against-words' : 'conflicts',
        positions: positions(docs, c.tokens, shown),
        kin: kinOf && severity !== 'low' ? { of: kinOf.of.map((t) => vocab.words[t]!), family: kinOf.family } : null,
        examples: shown.slice(0, 3).map((i) => (texts[i] ?? '').slice(0, 200)),
      },
    });
  }
  findings.sort((a, b) => b.score - a.score);
  ctx.progress.tick(1);
  return { scores, findings };
}

/**
 * log10 of the Bayes factor for insertion its measured occurrences give, bounded by FIT_CAP; from the insides and
 * the edges of texts each only with MIN_GROUPS occurrences there (as for the verdict that it fits its sentences).
 * An edge only takes away: deleting a unit that follows a complete text leaves the corpus's usual ending whether
 * it was appended or closes its texts naturally (one author's rating line), so a high edge reading says only that;
 * a low one says the unit is its texts' own ending.
 */
function fitEvidence(c: Candidate): number {
  const of = (r: FitReading) => (r.occurrences >= MIN_GROUPS ? r.insertion : 0) + (r.edgeOccurrences >= MIN_GROUPS ? Math.min(0, r.edgeInsertion) : 0);
  // Where most groups conflict, the reading of the conflicting rows when it favours insertion more.
  const llr = c.conflictFit ? Math.max(of(c), of(c.conflictFit)) : of(c);
  return Math.max(-FIT_CAP, Math.min(FIT_CAP, llr / Math.LN10));
}

/**
 * The fit's factor on the test against the parts. The deletion fit reads occurrences as if at random places; a
 * unit whose neighbours repeat more often than random insertion points would make them has contexts of its own
 * (a rating closing its reviews), where a reading that favours insertion says nothing, so only its unfavourable
 * reading counts.
 */
function partsFit(c: Candidate, fitFactor: number): number {
  return fitFactor > 0 && poissonTailLog10(c.collisions, c.expectedCollisions) < NATURAL_FIT_LOG10P ? 0 : fitFactor;
}

/** The deletion fits by where an occurrence sits; an edge whose fit tells nothing apart is null (not measured). */
interface Fits {
  inner: DeletionFit;
  start: DeletionFit | null;
  end: DeletionFit | null;
}

/**
 * At least MIN_GROUPS of the candidate's independent groups read as another label without it, and most of them do,
 * or as many as rows drawn from the other labels would (Candidate.dirtyShare).
 */
function conflicted(c: Candidate, p: Lines): boolean {
  return conflictedBy(c.conflictGroups, c.groups, c.dirtyShare, p.minConflictShare);
}

function conflictedBy(conflictGroups: number, groups: number, dirtyShare: boolean, minConflictShare: number): boolean {
  return conflictGroups >= MIN_GROUPS && (conflictGroups >= minConflictShare * groups || dirtyShare);
}

/**
 * Distribution of the number of successes of independent trials with the given chances (Poisson binomial; the
 * trials are a candidate's groups, a handful).
 */
function successCounts(chances: number[]): Float64Array {
  const pmf = new Float64Array(chances.length + 1);
  pmf[0] = 1;
  chances.forEach((q, n) => {
    for (let k = n + 1; k >= 1; k--) pmf[k] = pmf[k]! * (1 - q) + pmf[k - 1]! * q;
    pmf[0] = pmf[0]! * (1 - q);
  });
  return pmf;
}

/** log10 P(X >= k), X the successes of trials with these chances; the binomial tail when they are equal. */
function upperTailLog10(k: number, chances: number[]): number {
  if (k <= 0) return 0;
  if (chances.every((q) => q === chances[0])) return binomialTailLog10(k, chances.length, chances[0]!);
  const pmf = successCounts(chances);
  let tail = 0;
  for (let j = k; j < pmf.length; j++) tail += pmf[j]!;
  return Math.log10(Math.max(tail, Number.MIN_VALUE));
}

/** log10 P(X <= k), X the successes of trials with these chances. */
function lowerTailLog10(k: number, chances: number[]): number {
  if (k >= chances.length) return 0;
  return upperTailLog10(chances.length - k, chances.map((q) => 1 - q));
}

/** The candidates' tokens in order, without a list of them all. */
function* tokensOf(candidates: Candidate[]): Generator<number> {
  for (const c of candidates) yield* c.tokens;
}

/** The candidate's documents that carry its label. */
function carriersOf(c: Candidate, labels: Int32Array): number[] {
  return c.docs.filter((i) => labels[i] === c.label);
}

/**
 * Whether the label the candidate's independent groups carry is improbable given what its words say elsewhere:
 * documents of other labels count as one group each.
 */
function labelAgainstParts(c: Candidate, labels: Int32Array, parts: PartLabels): void {
  const rowLabels = c.docs.map((i) => labels[i]!);
  c.others = rowLabels.filter((l) => l >= 0 && l !== c.label).length;
  c.partsRate = parts.predicted(c.tokens, c.docs, c.label);
  // A single word has no parts apart from itself: its label is its meaning.
  c.partsLabel = c.groups >= MIN_GROUPS && c.tokens.length >= 2 ? -binomialTailLog10(c.groups, c.groups + c.others, c.partsRate) : 0;
}

/**
 * The null of the label-against-parts statistic, measured on the corpus's own phrases that fit their sentences:
 * per set of documents (the sub-phrases of one run are one unit) whose phrases are all natural by either test,
 * its largest statistic. The test runs over the sets holding a phrase not bound to its neighbours (Bonferroni
 * over those sets); a set may be both, and then its own value is part of the null it is judged by.
 */
function partsNull(candidates: Candidate[]): { tail: TailNull; tested: number } {
  const ids = new DistinctLists();
  const sets: { natural: boolean; bound: boolean; stat: number }[] = [];
  for (const c of candidates) {
    if (c.tokens.length < 2 || c.groups < MIN_GROUPS) continue;
    const key = ids.idOf(c.docs);
    const s = (sets[key] ??= { natural: true, bound: true, stat: 0 });
    s.natural &&= c.natural;
    s.bound &&= c.bound;
    s.stat = Math.max(s.stat, c.partsLabel);
  }
  const values: number[] = [];
  let tested = 0;
  for (const s of sets) {
    if (s.natural) values.push(s.stat);
    if (!s.bound) tested++;
  }
  return { tail: new TailNull(values), tested: Math.max(1, tested) };
}

/**
 * Second look, once a rare-token trigger is confirmed: attacks insert several tokens of one kind (several
 * rare tokens, each into its own samples), and one with few samples or weakly conflicting text stays below the
 * cut of the test over all candidates. Spelling is label-blind, so the single tokens of the confirmed trigger's
 * label that look no more like words of the corpus than the least word-like confirmed trigger form a small family,
 * tested on its own (gatekeeping: only after a confirmation; Tarone-corrected over that family, the confirmed
 * ones removed as in Holm's step-down). Without a confirmed rare-token trigger nothing changes.
 */
function kinOfConfirmed(kept: Candidate[], candidates: Candidate[], likeness: Float64Array, labelRates: Float64Array, p: Lines): Map<Candidate, { significance: number; of: number[]; family: number }> {
  const out = new Map<Candidate, { significance: number; of: number[]; family: number }>();
  const pool = candidates
    .filter((c) => c.tokens.length === 1 && !c.natural && c.groups >= MIN_GROUPS && Number.isFinite(likeness[c.tokens[0]!]))
    .sort((a, b) => likeness[a.tokens[0]!]! - likeness[b.tokens[0]!]!);
  const rank = new Map(pool.map((c, r) => [c, r]));
  const confirmed = kept.filter((c) => rank.has(c) && c.significance >= p.mediumSignificance);
  for (const label of new Set(confirmed.map((c) => c.label))) {
    const mine = confirmed.filter((c) => c.label === label);
    const worst = Math.max(...mine.map((c) => rank.get(c)!));
    const family = pool.filter((c) => c.label === label && rank.get(c)! <= worst && !mine.includes(c));
    if (family.length === 0) continue;
    const T = testableCount(family, labelRates, p);
    for (const c of family) {
      if (!kept.includes(c)) continue;
      const significance = c.binomial - Math.log10(T) + fitEvidence(c);
      out.set(c, { significance, of: mine.map((m) => m.tokens[0]!), family: family.length });
    }
  }
  return out;
}

/**
 * Per label, the share of its judged documents the cross-fitted model reads as another label (a minority label's
 * rows conflict far more often than a majority's), the same share over the rows of the other labels, and the share
 * of the rows of other labels that read as another label than this one (what rows moved to it would conflict at).
 */
function conflictRate(docs: Int32Array[], labels: Int32Array, models: CrossFitted, C: number): { rates: Float64Array; othersRates: Float64Array; dirtyShares: Float64Array; byLabel: Float64Array[]; conflicting: Uint8Array; short: ShortRows } {
  const post = new Float64Array(C);
  const conflicting = new Uint8Array(docs.length);
  const judged = new Float64Array(C);
  const conflicts = new Float64Array(C);
  const byLabel: number[][] = Array.from({ length: C }, () => []);
  // Per label l, rows of other labels that read as another label than l (dirty-label rows moved to l would conflict).
  const notRead = new Float64Array(C);
  const shortJudged = new Float64Array(C);
  const shortConflicts = new Float64Array(C);
  const shortNotRead = new Float64Array(C);
  const shortByLabel: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < docs.length; i++) {
    const l = labels[i]!;
    if (l < 0 || docs[i]!.length < MIN_SHORT_TOKENS) continue;
    if (docs[i]!.length < MIN_CONTENT_TOKENS) {
      models.posterior(i, null, post);
      for (let m = 0; m < C; m++) if (m !== l && post[m]! < CONFLICT_POSTERIOR) shortNotRead[m]++;
      shortJudged[l]++;
      shortByLabel[l]!.push(post[l]!);
      if (post[l]! < CONFLICT_POSTERIOR) shortConflicts[l]++;
      continue;
    }
    models.posterior(i, null, post);
    for (let m = 0; m < C; m++) if (m !== l && post[m]! < CONFLICT_POSTERIOR) notRead[m]++;
    judged[l]++;
    byLabel[l]!.push(post[l]!);
    if (post[l]! < CONFLICT_POSTERIOR) {
      conflicts[l]++;
      conflicting[i] = 1;
    }
  }
  const allJudged = judged.reduce((a, b) => a + b, 0);
  const allConflicts = conflicts.reduce((a, b) => a + b, 0);
  // Never below 2%: a model that fits its data too well must not make every coincidence significant.
  const rate = (k: number, n: number) => Math.max(MIN_CONFLICT_RATE, n > 0 ? k / n : 0.5);
  const shortAll = shortJudged.reduce((a, b) => a + b, 0);
  // A short row is never rarer evidence than a long one: the higher of the two rates (a judged short row is a
  // longer row without its unit, not one of the corpus's short rows). A label with too few short rows does not
  // read them.
  const enough = (n: number) => n >= MIN_MEASURED_ROWS;
  const shortRates = Float64Array.from(shortJudged, (n, l) => (enough(n) ? Math.max(rate(shortConflicts[l]!, n), rate(conflicts[l]!, judged[l]!)) : 1));
  const short: ShortRows = {
    rates: shortRates,
    dirtyShares: Float64Array.from(shortJudged, (n, l) => (enough(shortAll - n) ? shortNotRead[l]! / (shortAll - n) : 1)),
    byLabel: shortByLabel.map((b) => Float64Array.from(b).sort()),
  };
  return {
    short,
    rates: Float64Array.from(judged, (n, l) => rate(conflicts[l]!, n)),
    othersRates: Float64Array.from(judged, (n, l) => rate(allConflicts - conflicts[l]!, allJudged - n)),
    dirtyShares: Float64Array.from(judged, (n, l) => (allJudged > n ? notRead[l]! / (allJudged - n) : 1)),
    byLabel: byLabel.map((b) => Float64Array.from(b).sort()),
    conflicting,
  };
}

/**
 * Rows with fewer than MIN_CONTENT_TOKENS words, measured apart: per label their conflict rate (1 where too few
 * rows measure it: such a row can then never count as a conflict beyond chance), the share of the rows of other
 * labels read as another label than this one, and their posteriors of their own label, sorted.
 */
interface ShortRows {
  rates: Float64Array;
  dirtyShares: Float64Array;
  byLabel: Float64Array[];
}

/** Share of the label's documents whose posterior of their own label is at most p (one added to both counts). */
function empiricalP(sorted: Float64Array, p: number): number {
  return (upperBound(sorted, p) + 1) / (sorted.length + 1);
}

/**
 * How many candidates the Bonferroni correction counts (Tarone's rule for discrete tests): a candidate with m
 * independent groups cannot reach a p-value below rate^m (its label's conflict rate), so candidates that could not be significant even
 * if all their groups conflicted do not dilute the others; n-grams with the same documents are one test.
 */
function testableCount(cands: Candidate[], labelRates: Float64Array, p: Lines): number {
  const alpha = 10 ** -p.mediumSignificance;
  const sets = new DistinctLists();
  const best: number[] = [];
  for (const c of cands) {
    if (c.groups < MIN_GROUPS) continue;
    const k = sets.idOf(c.judged);
    best[k] = Math.min(best[k] ?? 0, c.minLog10);
  }
  const minLog = best.sort((a, b) => a - b);
  // Smallest T with #{minP <= alpha / T} <= T.
  let T = 1;
  for (;;) {
    const limit = Math.log10(alpha / T);
    let count = 0;
    while (count < minLog.length && minLog[count]! <= limit) count++;
    if (count <= T) return T;
    T = count;
  }
}

function distinctCandidates(cands: Candidate[]): number {
  const sets = new DistinctLists();
  for (const c of cands) if (c.groups >= MIN_GROUPS) sets.idOf(c.judged);
  return Math.max(1, sets.size);
}

/** Label-pure words of the candidate's label in at least a fifth (and two) of its carriers. */
function companionsOf(c: Candidate, docs: Int32Array[], labels: Int32Array, pureLabel: Int32Array, tally: Int32Array, seen: Int32Array): Set<number> | null {
  const touched: number[] = [];
  let carriers = 0;
  for (const i of c.docs) {
    if (labels[i] !== c.label) continue;
    carriers++;
    for (const w of docs[i]!) {
      // seen[w] holds the last document counted for w (offset by one so that 0 means never).
      if (pureLabel[w] !== c.label || seen[w] === i + 1) continue;
      seen[w] = i + 1;
      if (tally[w] === 0) touched.push(w);
      tally[w]!++;
    }
  }
  let out: Set<number> | null = null;
  for (const w of touched) {
    if (tally[w]! >= 2 && tally[w]! >= 0.2 * carriers && !c.tokens.includes(w)) (out ??= new Set()).add(w);
    tally[w] = 0;
    seen[w] = 0;
  }
  return out;
}

/** What judge reads of each judged row of a candidate, in the order of its documents. */
interface RowReadings {
  judged: number[];
  masks: Uint8Array[];
  /** Fewer than MIN_CONTENT_TOKENS words left besides the unit. */
  isShort: boolean[];
  /** Posterior of the candidate's label without the unit, and the label the row reads as. */
  posteriors: number[];
  readAs: number[];
  conflicting: boolean[];
  /** The fit that reads the row's occurrence (null: not read), its ratio, and the words left and right of it. */
  edges: (DeletionFit | null)[];
  llrs: number[];
  lefts: number[];
  rights: number[];
}

/** The readings of the candidate's documents that carry its label and keep enough words besides the unit. */
function readRows(c: Candidate, docs: Int32Array[], labels: Int32Array, models: CrossFitted, C: number, companions: Set<number> | null, short: ShortRows, bigrams: BigramCounts, fits: Fits): RowReadings {
  const post = new Float64Array(C);
  const r: RowReadings = { judged: [], masks: [], isShort: [], posteriors: [], readAs: [], conflicting: [], edges: [], llrs: [], lefts: [], rights: [] };
  for (const i of c.docs) {
    if (labels[i] !== c.label) continue;
    const d = docs[i]!;
    const mask = maskOccurrences(d, c.tokens);
    if (companions) for (let t = 0; t < d.length; t++) if (companions.has(d[t]!)) mask[t] = 1;
    let left = 0;
    for (let t = 0; t < d.length; t++) if (!mask[t]) left++;
    if (left < MIN_SHORT_TOKENS || (left < MIN_CONTENT_TOKENS && short.rates[c.label]! >= 1)) continue;
    r.judged.push(i);
    r.masks.push(mask);
    r.isShort.push(left < MIN_CONTENT_TOKENS);
    if (left < MIN_CONTENT_TOKENS) {
      // A short row counts for the conflicts alone: its neighbours and fit are not read.
      r.edges.push(null);
      r.llrs.push(0);
      r.lefts.push(-1);
      r.rights.push(-1);
    } else {
      const [a, b] = neighboursAt(d, mask.indexOf(1), mask, bigrams);
      // Inside a text, deleting the unit leaves a pair of words; at its start or end, a pair with the edge, which
      // that edge's own fit reads (texts start and end differently from their insides); a unit that is a whole
      // text leaves nothing to read.
      const edge = a === bigrams.bos ? (b === bigrams.eos ? null : fits.start) : b === bigrams.eos ? fits.end : fits.inner;
      r.edges.push(edge);
      r.llrs.push(edge ? occurrenceLlr(edge, bigrams, a, b) : 0);
      r.lefts.push(a);
      r.rights.push(b);
    }
    models.posteriorWithout(i, mask, post);
    r.posteriors.push(post[c.label]!);
    let best = 0;
    for (let l = 1; l < C; l++) if (post[l]! > post[best]!) best = l;
    r.readAs.push(best);
    r.conflicting.push(post[c.label]! < CONFLICT_POSTERIOR);
  }
  return r;
}

/**
 * RowReadings kept for later, of many candidates in one set of typed arrays (no list per candidate): each
 * candidate's rows read without companions, with neither masks (the unit's occurrences, found again from its
 * tokens) nor the labels the rows read as.
 */
class KeptRows {
  private size = 0;
  private judged = new Int32Array(1024);
  private isShort = new Uint8Array(1024);
  private posteriors = new Float64Array(1024);
  private conflicting = new Uint8Array(1024);
  /** 0: not read, 1: the inner fit, 2: the start's, 3: the end's. */
  private edges = new Uint8Array(1024);
  private llrs = new Float64Array(1024);
  private lefts = new Int32Array(1024);
  private rights = new Int32Array(1024);

  /** Keeps the rows; returns where they start (they end where the next rows kept start). */
  keep(r: RowReadings, fits: Fits): number {
    const from = this.size;
    const m = r.judged.length;
    if (from + m > this.judged.length) this.grow(from + m);
    for (let k = 0; k < m; k++) {
      const at = from + k;
      this.judged[at] = r.judged[k]!;
      this.isShort[at] = r.isShort[k] ? 1 : 0;
      this.posteriors[at] = r.posteriors[k]!;
      this.conflicting[at] = r.conflicting[k] ? 1 : 0;
      const e = r.edges[k];
      this.edges[at] = e === null || e === undefined ? 0 : e === fits.inner ? 1 : e === fits.start ? 2 : 3;
      this.llrs[at] = r.llrs[k]!;
      this.lefts[at] = r.lefts[k]!;
      this.rights[at] = r.rights[k]!;
    }
    this.size += m;
    return from;
  }

  /** Where the next rows kept will start. */
  get end(): number {
    return this.size;
  }

  /** The kept rows from..to whose document is not in `inside`, as RowReadings without masks or readAs (empty). */
  outside(from: number, to: number, inside: Set<number>, fits: Fits): RowReadings {
    const out: RowReadings = { judged: [], masks: [], isShort: [], posteriors: [], readAs: [], conflicting: [], edges: [], llrs: [], lefts: [], rights: [] };
    for (let k = from; k < to; k++) {
      const i = this.judged[k]!;
      if (inside.has(i)) continue;
      out.judged.push(i);
      out.isShort.push(this.isShort[k] === 1);
      out.posteriors.push(this.posteriors[k]!);
      out.conflicting.push(this.conflicting[k] === 1);
      const e = this.edges[k]!;
      out.edges.push(e === 0 ? null : e === 1 ? fits.inner : e === 2 ? fits.start : fits.end);
      out.llrs.push(this.llrs[k]!);
      out.lefts.push(this.lefts[k]!);
      out.rights.push(this.rights[k]!);
    }
    return out;
  }

  private grow(need: number): void {
    const n = Math.max(need, 2 * this.judged.length);
    const to = <T extends Int32Array | Uint8Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.judged = to(this.judged, new Int32Array(n));
    this.isShort = to(this.isShort, new Uint8Array(n));
    this.posteriors = to(this.posteriors, new Float64Array(n));
    this.conflicting = to(this.conflicting, new Uint8Array(n));
    this.edges = to(this.edges, new Uint8Array(n));
    this.llrs = to(this.llrs, new Float64Array(n));
    this.lefts = to(this.lefts, new Int32Array(n));
    this.rights = to(this.rights, new Int32Array(n));
  }
}

/** Observed and expected neighbour repeats over the rows whose occurrence is read (not the short ones). */
function rowCollisions(r: RowReadings, collisions: NeighbourCollisions): { observed: number; expected: number } {
  const longRows = r.judged.flatMap((_, k) => (r.isShort[k] ? [] : [k]));
  return collisions.measureAtEdges(longRows.map((k) => r.judged[k]!), longRows.map((k) => r.lefts[k]!), longRows.map((k) => r.rights[k]!));
}

/**
 * The observed count of rowCollisions alone: pairs of read occurrences sharing their left word (the start of a text
 * is no word), and pairs sharing their right word (nor is its end). `count` is zero over the tokens and the edges,
 * and left so.
 */
function observedCollisions(r: RowReadings, bigrams: BigramCounts, count: Int32Array): number {
  let pairs = 0;
  for (const side of [r.lefts, r.rights]) {
    const edge = side === r.lefts ? bigrams.bos : bigrams.eos;
    for (let k = 0; k < side.length; k++) if (!r.isShort[k] && side[k] !== edge) pairs += count[side[k]!]!++;
    for (let k = 0; k < side.length; k++) if (!r.isShort[k] && side[k] !== edge) count[side[k]!] = 0;
  }
  return pairs;
}

/**
 * Neighbour repeats of the rows: the expected count is measured only where one was observed (none observed is never
 * bound, whatever the expectation), and is otherwise NOT_MEASURED until asked for.
 */
function readCollisions(r: RowReadings, bigrams: BigramCounts, collisions: NeighbourCollisions, count: Int32Array): { observed: number; expected: number } {
  const observed = observedCollisions(r, bigrams, count);
  return observed > 0 ? rowCollisions(r, collisions) : { observed, expected: NOT_MEASURED };
}

/** An expected neighbour count not yet measured (its observed count is 0). */
const NOT_MEASURED = -1;

/** A candidate's independent groups: their count, the conflicting ones, and whether those are as many as dirty-label rows would give. */
interface GroupReading {
  group: Int32Array;
  /** Per group, in the order of its first row: rows, conflicting rows, summed posterior, whether all its rows are short. */
  stats: Map<number, { all: number; hit: number; posterior: number; short: boolean }>;
  conflictGroups: number;
  rates: number[];
  dirtyShare: boolean;
}

function readGroups(r: RowReadings, label: number, docs: Int32Array[], long: ShortRows, short: ShortRows, minConflictShare: number): GroupReading {
  const group = groupBySource(r.judged, r.masks, docs);
  const stats = new Map<number, { all: number; hit: number; posterior: number; short: boolean }>();
  r.judged.forEach((_, k) => {
    const g = stats.get(group[k]!) ?? { all: 0, hit: 0, posterior: 0, short: true };
    g.all++;
    g.posterior += r.posteriors[k]!;
    // A group with a long row is read as long rows are.
    g.short &&= r.isShort[k]!;
    if (r.conflicting[k]) g.hit++;
    stats.set(group[k]!, g);
  });
  let conflictGroups = 0;
  // A group conflicts when most of its documents do.
  for (const g of stats.values()) if (g.hit * 2 > g.all) conflictGroups++;
  const of = (g: { short: boolean }) => (g.short ? short : long);
  const groups = [...stats.values()];
  const rates = groups.map((g) => of(g).rates[label]!);
  // Read only where it decides conflictedBy: with at least MIN_GROUPS conflicting groups, short of the share.
  const dirtyShare = conflictGroups >= MIN_GROUPS && conflictGroups < minConflictShare * groups.length
    && lowerTailLog10(conflictGroups, groups.map((g) => of(g).dirtyShares[label]!)) >= DIRTY_SHARE_LOG10P;
  return { group, stats, conflictGroups, rates, dirtyShare };
}

/** Shared by the candidates whose list is empty. */
const NONE: readonly number[] = Object.freeze([]);

/** The entries of `list` whose flag is set, in a list of their number. */
function selected(list: number[], flags: boolean[]): readonly number[] {
  let m = 0;
  for (let k = 0; k < list.length; k++) if (flags[k]) m++;
  if (m === 0) return NONE;
  const out: number[] = new Array(m);
  for (let k = 0, j = 0; k < list.length; k++) if (flags[k]) out[j++] = list[k]!;
  return out;
}

/**
 * One judged document per independent group of the candidate, and the label its text reads as without the
 * candidate: read again (as judge read them) for the few candidates that ask, rather than kept for all.
 */
function sourcesOf(c: Candidate, docs: Int32Array[], labels: Int32Array, models: CrossFitted, C: number, long: ShortRows, short: ShortRows, bigrams: BigramCounts, fits: Fits, minConflictShare: number): { sources: number[]; sourceLabels: number[] } {
  const r = readRows(c, docs, labels, models, C, c.companions.length ? new Set(c.companions) : null, short, bigrams, fits);
  const { stats } = readGroups(r, c.label, docs, long, short, minConflictShare);
  return { sources: [...stats.keys()].map((k) => r.judged[k]!), sourceLabels: [...stats.keys()].map((k) => r.readAs[k]!) };
}

/** Reads the candidate's rows into its fields; returns the readings. */
function judge(c: Candidate, docs: Int32Array[], labels: Int32Array, models: CrossFitted, C: number, companions: Set<number> | null, long: ShortRows, short: ShortRows, bigrams: BigramCounts, collisions: NeighbourCollisions, fits: Fits, minConflictShare: number, pairCount: Int32Array): RowReadings {
  const r = readRows(c, docs, labels, models, C, companions, short, bigrams, fits);
  // Kept at their size (a list grown by pushes holds spare room): a million short rows make ~600k candidates.
  c.judged = r.judged.slice();
  c.conflicts = selected(r.judged, r.conflicting);
  const col = readCollisions(r, bigrams, collisions, pairCount);
  c.collisions = col.observed;
  c.expectedCollisions = col.expected;
  const { stats: groupConflict, conflictGroups, rates, dirtyShare } = readGroups(r, c.label, docs, long, short, minConflictShare);
  c.groups = groupConflict.size;
  c.conflictGroups = conflictGroups;
  c.minLog10 = rates.reduce((a, q) => a + Math.log10(q), 0);
  c.dirtyShare = dirtyShare;
  // The deletion fit over all the judged rows, and, where most groups conflict, over the conflicting rows (the rows
  // that make the case: a long-tail word's own natural rows agree with their label, and their pairs must not call
  // seven insertions natural).
  Object.assign(c, readFit(c.tokens, r.edges, r.llrs, null, fits, bigrams));
  const byConflict = conflictedBy(c.conflictGroups, c.groups, c.dirtyShare, minConflictShare);
  c.conflictFit = byConflict ? readFit(c.tokens, r.edges, r.llrs, r.conflicting, fits, bigrams) : null;
  c.significance = c.binomial = -upperTailLog10(c.conflictGroups, rates);
  // How strongly: each group's mean posterior of the carried label, as a p-value among all documents carrying
  // that label, combined over groups (Fisher). Eight samples whose text is plainly negative say more than eight
  // that are barely so.
  let x2 = 0;
  // A short group's p-value among the short rows, never below that among the long ones.
  for (const g of groupConflict.values()) {
    const longP = empiricalP(long.byLabel[c.label]!, g.posterior / g.all);
    x2 += -2 * Math.log(g.short ? Math.max(empiricalP(short.byLabel[c.label]!, g.posterior / g.all), longP) : longP);
  }
  c.strength = -fisherTailLog10(x2, c.groups);
  return r;
}

/** A deletion-fit reading of a unit's occurrences (insides, and edges by their own fits). */
interface FitReading {
  /** Judged documents whose occurrence has a word on both sides (measured for its fit). */
  occurrences: number;
  /** Log-likelihood ratio of "inserted" against "part of its sentence" over those (insertion-fit.ts). */
  insertion: number;
  /**
   * Occurrences at a text's start or end measured by that edge's own fit, their summed ratio, and its mean and
   * variance under insertion. Edges and insides are separate evidence, each needing MIN_GROUPS occurrences: the
   * natural rows of a long-tail word inside texts must not outvote seven insertions at their starts.
   */
  edgeOccurrences: number;
  edgeInsertion: number;
  edgeMean: number;
  edgeVariance: number;
}

/** The reading over the judged rows `use` selects (all when null). */
function readFit(tokens: number[], edges: (DeletionFit | null)[], llrs: number[], use: boolean[] | null, fits: Fits, bigrams: BigramCounts): FitReading {
  const r: FitReading = { occurrences: 0, insertion: 0, edgeOccurrences: 0, edgeInsertion: 0, edgeMean: 0, edgeVariance: 0 };
  let starts = 0;
  let ends = 0;
  let startSum = 0;
  let endSum = 0;
  edges.forEach((edge, k) => {
    if (!edge || (use && !use[k])) return;
    if (edge === fits.inner) {
      r.occurrences++;
      r.insertion += llrs[k]!;
      return;
    }
    if (edge === fits.end) {
      ends++;
      endSum += llrs[k]!;
    } else {
      starts++;
      startSum += llrs[k]!;
    }
    r.edgeMean += edge.meanInserted;
    r.edgeVariance += edge.sdInserted ** 2;
  });
  r.edgeOccurrences = starts + ends;
  r.edgeInsertion = edgeSplit(tokens, ends, endSum, starts, startSum, fits, bigrams);
  return r;
}

/**
 * The summed deletion ratio of a unit's occurrences at texts' ends and starts, where the unit's own edge with its
 * texts is uncertain: a unit appended to texts that all end in a full stop grows (maximal-units.ts) into the
 * full stop and what follows, and deleting that leaves texts ending in a word, which reads as natural. Under
 * insertion, the first k tokens of the run at the end (the last k at the start) may be the texts' own, shared by
 * their habit; each split is read and the one most favourable to insertion kept (the verdict that a unit fits its
 * sentences must hold for every split).
 */
function edgeSplit(tokens: number[], ends: number, endSum: number, starts: number, startSum: number, fits: Fits, bigrams: BigramCounts): number {
  let end = endSum;
  let start = startSum;
  for (let k = 1; k < tokens.length; k++) {
    if (ends > 0 && fits.end) end = Math.max(end, ends * occurrenceLlr(fits.end, bigrams, tokens[k - 1]!, bigrams.eos));
    if (starts > 0 && fits.start) start = Math.max(start, starts * occurrenceLlr(fits.start, bigrams, bigrams.bos, tokens[tokens.length - k]!));
  }
  return end + start;
}

/**
 * Frequent n-grams whose labelled documents nearly all carry one label, and those (of any purity) whose documents
 * of one label mostly read as another even with the n-gram in them (conflict-units.ts): a long-tail word the
 * corpus already holds in a row of the other label.
 */
function collectCandidates(docs: Int32Array[], labels: Int32Array, conflicting: Uint8Array, othersRates: Float64Array, models: CrossFitted, C: number, maxDocs: number, V: number, p: Lines): { candidates: Candidate[]; examined: number } {
  // Read from the flat table: an n-gram becomes lists only if it is kept.
  const t = frequentNgramTable(docs, labels, {
    maxN: p.maxN,
    minDocs: MIN_GROUPS,
    maxDocs,
    // By its count of rows of other labels, not their share: a trigger drawn from the long tail keeps the corpus's
    // own row or two of other labels, which can put it under any purity cut that keeps the candidate count small.
    keep: (_df, major, labelled) => major >= MIN_GROUPS && (major >= p.minPurity * labelled || labelled - major <= LONG_TAIL_OTHERS),
  });
  const tokensAt = (k: number) => Array.from(t.tokenList.subarray(t.tokenStart[k]!, t.tokenStart[k + 1]!));
  const docsAt = (k: number) => Array.from(t.docList.subarray(t.docStart[k]!, t.docStart[k + 1]!));
  // Those admitted by their count alone keep the contrast guard below: their rows of other labels must read as
  // their own label as often as the corpus's rows do (a long-tail word's natural rows), or the unit confuses the
  // model wherever it is. 0: not kept, 1: kept by purity, 2: by count.
  const keptAs = new Uint8Array(t.count);
  for (let k = 0; k < t.count; k++) {
    let labelled = 0;
    for (let x = t.docStart[k]!; x < t.docStart[k + 1]!; x++) if (labels[t.docList[x]!]! >= 0) labelled++;
    if (t.majorityCount[k]! >= p.minPurity * labelled) keptAs[k] = 1;
    else if (consistentOthers(tokensAt(k), docsAt(k), t.majority[k]!, docs, labels, models, C, othersRates)) keptAs[k] = 2;
  }
  const { units, examined } = conflictUnits(docs, labels, conflicting, V, { maxN: p.maxN, minDocs: MIN_GROUPS, maxDocs, share: p.minConflictShare });
  // Units that are already label-pure candidates.
  const unitKeys = new DistinctLists();
  const unitIds = units.map((g) => unitKeys.idOf(g.tokens));
  const pure = new Uint8Array(unitKeys.size);
  for (let k = 0; k < t.count; k++) {
    if (!keptAs[k]) continue;
    const id = unitKeys.find(t.tokenList, t.tokenStart[k]!, t.tokenStart[k + 1]!);
    if (id >= 0) pure[id] = 1;
  }
  // Each n-gram becomes the whole run its documents share; n-grams of one run are one candidate.
  const starts = new Int32Array(maxDocs + 1);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const add = (g: { tokens: number[]; docs: number[]; majority: number }, byConflicts: boolean, byCount: boolean) => {
    const tokens = g.docs.length <= maxDocs ? maximalRun(docs, g.docs, g.tokens, starts) : g.tokens;
    const key = tokens.join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    candidates.push({
      key, tokens, label: g.majority, docs: g.docs, judged: NONE, conflicts: NONE, groups: 0, companions: NONE, conflictGroups: 0, dirtyShare: false, minLog10: 0,
      significance: 0, strength: 0, binomial: 0, occurrences: 0, insertion: 0, edgeOccurrences: 0, edgeInsertion: 0, edgeMean: 0, edgeVariance: 0, conflictFit: null, natural: false, bound: false, collisions: 0, expectedCollisions: 0,
      partsRate: 1, others: 0, partsLabel: 0, byParts: false, byConflicts,
      byCount,
    });
  };
  for (let k = 0; k < t.count; k++) if (keptAs[k]) add({ tokens: tokensAt(k), docs: docsAt(k), majority: t.majority[k]! }, false, keptAs[k] === 2);
  // A unit whose rows of other labels read as another label too confuses the model wherever it is (a contrast
  // such as "although the"): only one whose other rows read as their own label, as often as the corpus's rows
  // do, is tested for the conflicts of its rows of one label.
  units.forEach((g, u) => {
    if (pure[unitIds[u]!] || binomialTailLog10(g.otherConflicts, g.others, othersRates[g.majority]!) < CONSISTENT_OTHERS_LOG10P) return;
    add(g, true, false);
  });
  return { candidates, examined };
}

/**
 * Whether the unit's rows of other labels, read without it, conflict no more often than the corpus's rows of those
 * labels do (without it: the cross-fitted model learns an inserted unit from its poisoned rows and would read the
 * unit's own natural rows as the target label).
 */
function consistentOthers(tokens: number[], unitDocs: number[], majority: number, docs: Int32Array[], labels: Int32Array, models: CrossFitted, C: number, othersRates: Float64Array): boolean {
  const post = new Float64Array(C);
  let others = 0;
  let otherConflicts = 0;
  for (const i of unitDocs) {
    const l = labels[i]!;
    if (l < 0 || l === majority || docs[i]!.length < MIN_CONTENT_TOKENS) continue;
    others++;
    models.posteriorWithout(i, maskOccurrences(docs[i]!, tokens), post);
    if (post[l]! < CONFLICT_POSTERIOR) otherConflicts++;
  }
  return binomialTailLog10(otherConflicts, others, othersRates[majority]!) >= CONSISTENT_OTHERS_LOG10P;
}

/** Where the trigger sits in its documents (relative position 0..1), to show it moves around. */
function positions(docs: Int32Array[], tokens: number[], shown: readonly number[]): number[] {
  return shown.slice(0, 10).map((i) => {
    const d = docs[i]!;
    const s = firstOccurrence(d, tokens);
    return s < 0 ? -1 : Math.round((100 * s) / Math.max(1, d.length - tokens.length)) / 100;
  });
}
