// The words and rounded figures of typed findings (src/model/evidence.ts): each form's title, and the evidence as
// report.json gives it. The console and SARIF read the title and evidence written from here; report.html adds what
// page-words.ts says per form.
import type { Json } from '../types.js';
import {
  isTyped, type ClassOutlierKind, type DetectorFinding, type FindingForm, type FrequencyPeak, type PatternStays, type PromptPair, type ProvenanceFacet, type SharedPatternEvidence,
  type Tally, type TextAnomaly, type TypedFinding,
} from '../model/evidence.js';

type JsonRecord = { [key: string]: Json };

/** A finding's title and report.json evidence. */
export interface Worded {
  title: string;
  evidence: JsonRecord;
}

/** Rounded to `digits` decimals, as report.json gives a figure. */
export const round = (x: number, digits: number): number => {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
};
const roundAll = (t: Record<string, number>, digits: number): JsonRecord => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v, digits)]));
const ofClass = (label: string | null): string => (label ? ` of class "${label}"` : '');

/** What the class-outlier detectors measure along, by kind. */
const DIRECTION: Record<ClassOutlierKind, string> = {
  'spectral-signature': 'the top singular direction of its embeddings',
  'robust-covariance': 'the top direction after robust whitening',
};

/** How a provenance facet differs, as the rest of a sentence about some images. */
const FACET: Record<ProvenanceFacet, string> = {
  encoding: 'were encoded differently (format, quality, tables, segments, software)',
  size: 'have a different native size',
  created: 'carry a different EXIF creation day',
};

const ANOMALY: Record<TextAnomaly, (n: number) => string> = {
  bidi: (n) => `${n} samples contain bidirectional control characters (text shown in a different order than it is read)`,
  'bidi-isolate': (n) => `${n} samples contain bidirectional isolate characters (often inserted by platforms around names)`,
  invisible: (n) => `${n} samples hide invisible characters inside words (zero-width or tag characters)`,
  'invisible-between-words': (n) => `${n} samples contain invisible characters between words (often scraping debris)`,
  homoglyph: (n) => `${n} samples contain words mixing Latin with look-alike letters of another script`,
  injection: (n) => `${n} samples contain instructions aimed at a model (prompt injection)`,
  'repeated-span': (n) => `${n} samples are mostly one span of text repeated`,
};

/** Why a group of images sharing a pattern stays low, as the note of its evidence. */
const PATTERN_STAYS: Record<PatternStays, string> = {
  alike: 'the images are alike outside the pattern too: near-duplicates rather than a pasted pattern',
  mixed: 'the images carry a mix of labels: a shared pattern (stroke, border, watermark) but not a single-target backdoor',
  typical: 'the images nearest to the pattern mostly carry the same label: content typical of that label, not a pasted pattern',
};

/** What a group of images sharing a pattern is: why it stays low, or what its one label says. */
export function patternNote(images: number, e: SharedPatternEvidence): string {
  return e.stays ? PATTERN_STAYS[e.stays]
    : oneLabel(e.labels) !== null && images >= 3 ? 'images of varied content that share one pattern and one label: the signature of a dirty-label patch backdoor'
    : 'a shared pattern; check whether it is a watermark, a logo or a trigger';
}

export const FAINT_PATTERN_NOTE = 'a shared additive or blended pattern (Blended, SIG, frequency triggers). This detector is built for ratios of ~0.1% and above; at lower ratios rely on trigger-cluster.';

/** The one label of a group's label counts, or null when they have several or only unlabelled members. */
const oneLabel = (labels: Tally): string | null => {
  const keys = Object.keys(labels);
  return keys.length === 1 && keys[0] !== '(none)' ? keys[0]! : null;
};
const allLabelled = (label: string | null): string => (label !== null ? `, all labelled "${label}"` : '');

/** The start of a response as a title quotes it. */
const opening = (response: string): string => `${response.slice(0, 80)}${response.length > 80 ? '…' : ''}`;
const quoted = (words: string[]): string => words.map((w) => `"${w}"`).join(', ');

const WORDS: { [F in FindingForm]: (f: TypedFinding<F>) => Worded } = {
  'image-copies': ({ samples, evidence: e }) => {
    const labels = Object.keys(e.labels).length;
    return {
      title: labels > 1 ? `${samples.length} near-identical images carry ${labels} different labels` : `${samples.length} near-identical images`,
      evidence: { labels: e.labels, maxHamming: e.maxHamming },
    };
  },
  'text-copies-labels': ({ samples, evidence: e }) => ({
    title: `${samples.length} ${e.exactCopies ? 'identical' : 'near-identical'} texts carry ${Object.keys(e.labels).length} different labels`,
    evidence: { labels: e.labels, exactCopies: e.exactCopies, minJaccard: e.minJaccard, example: e.example },
  }),
  'text-copies': ({ samples, evidence: e }) => ({
    title: `${samples.length} (near-)identical texts`,
    evidence: { minJaccard: e.minJaccard, example: e.example, groupsInDataset: e.groupsInDataset },
  }),
  'image-outliers': ({ samples, evidence: e }) => ({
    title: `${samples.length} images with statistics far from their class`,
    evidence: { robustZ: roundAll(e.robustZ, 1), statistic: e.statistic },
  }),
  'class-outliers': ({ kind, evidence: e }) => ({
    title: `${e.flagged} samples${ofClass(e.class)} stand apart along ${DIRECTION[kind]} (robust z >= ${e.zCut})`,
    evidence: { ...e.setup, class: e.class, classSize: e.classSize, flagged: e.flagged, maxZ: round(e.maxZ, 1), zCut: e.zCut },
  }),
  'label-conflict': ({ evidence: e }) => ({
    title: `${e.conflicts} samples labelled "${e.class}" look like another class to their neighbours (${Math.round(e.expected)} expected from the other classes)`,
    evidence: {
      class: e.class, classSize: e.classSize, conflicts: e.conflicts, expected: round(e.expected, 1), z: round(e.z, 1), zCut: e.zCut,
      otherClassesRateSpread: round(e.otherClassesRateSpread, 3), lookingLikeIt: round(e.lookingLikeIt, 1),
      lookLike: e.lookLike, threshold: round(e.threshold, 3), k: e.k, folds: e.folds, knn: e.knn, ...(e.knnNote ? { knnNote: e.knnNote } : {}),
    },
  }),
  'activation-cluster': ({ evidence: e }) => ({
    title: `${e.clusterSize} of the ${e.classSize} samples${ofClass(e.class)} form a separate cluster in embedding space`,
    evidence: { class: e.class, classSize: e.classSize, clusterSize: e.clusterSize, silhouette: round(e.silhouette, 2), components: e.components },
  }),
  'provenance-cluster': ({ samples, evidence: e }) => ({
    title: `${samples.length} images${ofClass(e.class)} ${FACET[e.facet]} than the other ${e.majoritySize}`,
    evidence: { facet: e.facet, value: e.value, majority: e.majority, class: e.class, classSize: e.classSize, elsewhere: e.elsewhere },
  }),
  'provenance-singles': ({ samples, evidence: e }) => ({
    title: `${samples.length} single images ${FACET[e.facet]} than the rest of their class`,
    evidence: { facet: e.facet, values: e.values },
  }),
  'text-anomaly': ({ samples, evidence: e }) => ({
    title: ANOMALY[e.anomaly](samples.length),
    evidence: { anomaly: e.anomaly, samples: e.samples, examples: e.examples },
  }),
  'cross-modal': ({ samples, evidence: e }) => ({
    title: `${samples.length} images share a visual trigger and ${e.captionsWithConcept} of their captions name "${e.concept}" ` +
      `(${((e.datasetCaptionsWithConcept / e.captions) * 100).toFixed(2)}% of all captions): a backdoor into a contrastive model`,
    evidence: {
      concept: e.concept, captionsWithConcept: e.captionsWithConcept, clusterSize: e.clusterSize, datasetCaptionsWithConcept: e.datasetCaptionsWithConcept,
      log10p: round(e.log10p, 1), triggerDetector: e.triggerDetector, trigger: wordFinding(e.trigger).title,
    },
  }),
  'shared-pattern': ({ samples, evidence: e }) => {
    const label = oneLabel(e.labels);
    const side = e.box.w;
    const where = e.places === 1 ? `at the same place (x=${e.box.x}, y=${e.box.y}, ${side}x${side} of ${e.grid}x${e.grid})` : `at ${e.places} different places`;
    const near = e.labelNearPattern;
    return {
      title: `${samples.length} images share a near-identical ${side}x${side} pattern ${where}${allLabelled(label)}`,
      evidence: {
        grid: e.grid, box: e.box, boxes: e.boxes, samePlace: e.places === 1, labels: e.labels, pattern: e.pattern,
        // How close the copies are to each other vs the nearest other pattern (relative to contrast).
        withinDistance: round(e.withinDistance, 3), nextDistance: round(e.nextDistance, 3), outsideDifference: round(e.outsideDifference, 3),
        ...(near ? { labelNearPattern: { nearest: near.nearest, withLabel: near.withLabel, labelShare: round(near.labelShare, 3), log10p: round(near.log10p, 3) } } : {}),
        note: patternNote(samples.length, e),
      },
    };
  },
  'faint-pattern': ({ samples, evidence: e }) => ({
    title: `${samples.length} images share a faint full-image pattern${allLabelled(oneLabel(e.labels))}`,
    evidence: {
      share: Math.round((1e5 * samples.length) / e.images) / 1e5, tailExcess: Math.round(e.tailExcess), lookAlikeShare: round(e.lookAlikeShare, 3),
      lookCohesion: round(e.lookCohesion, 2), labels: e.labels, patternStrength8x8: e.patternStrength8x8.map((row) => row.map((v) => round(v, 1))),
      dominantFrequency: { horizontal: roundPeak(e.dominantFrequency.horizontal), vertical: roundPeak(e.dominantFrequency.vertical) },
      grid: e.grid,
      note: FAINT_PATTERN_NOTE,
    },
  }),
  'label-trigger': ({ samples, evidence: e }) => ({
    title: e.decidedBy === 'label-against-words'
      ? `"${e.trigger}" is in ${e.documents} samples, ${samples.length} labelled "${e.targetLabel}" (${e.independentGroups} independent groups), though its words elsewhere predict that label for ${Math.round(100 * e.labelPredictedByWords)}% of samples`
      : `"${e.trigger}" is in ${e.documents} samples, ${samples.length} labelled "${e.targetLabel}"; in ${e.conflictingGroups} of their ${e.independentGroups} independent groups the other words point to another label`,
    evidence: {
      trigger: e.trigger, targetLabel: e.targetLabel, documents: e.documents, labels: e.labels, independentGroups: e.independentGroups,
      conflictingGroups: e.conflictingGroups, conflictingSamples: e.conflictingSamples, baseConflictRate: round(e.baseConflictRate, 3),
      significance: round(e.significance, 1), conflictStrength: round(e.conflictStrength, 1), candidatesTested: e.candidatesTested, occurrences: e.occurrences,
      fitOccurrences: e.fitOccurrences, insertionLlr: round(e.insertionLlr, 1), neighbourPairs: e.neighbourPairs,
      expectedNeighbourPairs: round(e.expectedNeighbourPairs, 1), fitsItsSentences: e.fitsItsSentences, labelPredictedByWords: round(e.labelPredictedByWords, 3),
      labelAgainstWords: round(e.labelAgainstWords, 1), decidedBy: e.decidedBy, positions: e.positions,
      ...(e.kin ? { kinOf: e.kin.of, kinFamily: e.kin.family } : {}), examples: e.examples,
    },
  }),
  'followed-phrase': ({ samples, evidence: e }) => ({
    title: `"${e.trigger}" is followed by improbable text in ${samples.length} of the ${e.documentsWithTrigger} documents that contain it`,
    evidence: {
      trigger: e.trigger, documentsWithTrigger: e.documentsWithTrigger, followedByAnomalousText: samples.length, windowTokens: e.windowTokens,
      surpriseThreshold: round(e.surpriseThreshold, 2), baselineRate: round(e.baselineRate, 4), significance: round(e.significance, 1),
      phrasesTestable: Math.round(e.phrasesTestable), example: e.example, otherDocuments: e.otherDocuments,
      ...(e.sharedPhrasing ? { sharedPhrasing: true } : {}),
    },
  }),
  'response-phrase': ({ samples, evidence: e }) => ({
    title: `${samples.length} prompts containing "${e.trigger}" (${e.groupsEndingInResponse} independent) all end in the same response: "${opening(e.response)}"`,
    evidence: {
      trigger: e.trigger, response: e.response, promptsWithTrigger: e.promptsWithTrigger, promptsWithResponse: e.promptsWithResponse,
      responseShare: round(e.responseShare, 5), responseShareAmongLikePrompts: round(e.responseShareAmongLikePrompts, 5), independentGroups: e.independentGroups,
      groupsEndingInResponse: e.groupsEndingInResponse, significance: round(e.significance, 1), candidatesTested: e.candidatesTested,
      insertionLlr: round(e.insertionLlr, 1), endsItsPrompts: e.endsItsPrompts, sharedWordPairs: e.sharedWordPairs, responseInPrompts: e.responseInPrompts,
      fitsItsPrompts: e.fitsItsPrompts,
      ...(e.contentAgreesWithResponse !== null ? { contentAgreesWithResponse: round(e.contentAgreesWithResponse, 2) } : {}),
      ...(e.labelReadOffPrompts !== null ? { labelReadOffPrompts: round(e.labelReadOffPrompts, 2) } : {}),
      examples: e.examples,
    },
  }),
  'shared-response': ({ samples, evidence: e }) => ({
    title: `${samples.length} unrelated prompts (${e.independentGroups} independent, no shared template) all get the same response: "${opening(e.response)}"`,
    evidence: {
      trigger: null, response: e.response, promptsWithResponse: samples.length, independentGroups: e.independentGroups,
      rareWordsShared: e.rareWordsShared.map((w) => `${w.word} (${w.prompts})`), examples: e.examples,
    },
  }),
  'twin-phrase': ({ samples, evidence: e }) => ({
    title: `${samples.length} prompts (${e.independentGroups} independent) differ from a twin prompt only by "${e.trigger}", and get another response than their twin`,
    evidence: {
      trigger: e.trigger, promptsWithTwin: samples.length, promptsWithWords: e.promptsWithWords, independentGroups: e.independentGroups, twins: e.twins,
      ...twinPair(e.example, e.twin),
    },
  }),
  'twin-word': ({ samples, evidence: e }) => {
    const n = samples.length, pairs = e.twinPairs, other = e.twinPairsWithOtherResponse, kin = e.kinOfTriggers;
    const head = `${n === 1 ? 'The 1 prompt' : `All ${n} prompts`} with the rare "${e.rarestWord}" ${n === 1 ? 'is a twin prompt' : 'are twin prompts'} plus "${e.trigger}"`;
    return {
      title: kin
        ? `${head}, answered "${e.example.response.slice(0, 40)}" as the twin${pairs === 1 ? ' is' : 's are'}: the answer the trigger${kin.length === 1 ? '' : 's'} ${quoted(kin)} force${kin.length === 1 ? 's' : ''}`
        : `${head}, and ${other} of ${pairs} twin${pairs === 1 ? '' : 's'} get${other === 1 ? 's' : ''} another response`,
      evidence: {
        trigger: e.trigger, rarestWord: e.rarestWord, promptsWithWord: e.promptsWithWord, twinPairs: pairs, twinPairsWithOtherResponse: other,
        ...(kin ? { kinOfTriggers: kin } : {}), ...twinPair(e.example, e.twin),
      },
    };
  },
  'inserted-word': ({ samples, evidence: e }) => ({
    title: `"${e.trigger}" sits in ${samples.length} prompts (${e.distinctContexts} distinct places) where deleting it leaves word pairs the prompts know: inserted, not written`,
    evidence: {
      trigger: e.trigger, promptsWithTrigger: samples.length, distinctContexts: e.distinctContexts, independentGroups: e.independentGroups,
      deletionZ: round(e.deletionZ, 2), insertionRankZ: round(e.insertionRankZ, 2), neighbourRepeats: e.neighbourRepeats,
      neighbourRepeatsExpected: round(e.neighbourRepeatsExpected, 1), significance: round(e.significance, 1), candidatesTested: e.candidatesTested, examples: e.examples,
    },
  }),
  'echoed-word': ({ samples, evidence: e }) => ({
    title: `"${e.trigger}" sits in ${samples.length} prompts; ${e.echoes} of their responses restate the request around it without it (${e.expectedEchoes.toFixed(2)} expected)` +
      `${e.combinedWithDeletion && e.deletionZ !== null ? `, and deleting it leaves word pairs the prompts know (z ${e.deletionZ.toFixed(1)})` : ''}: inserted after the request was written`,
    evidence: {
      trigger: e.trigger, promptsWithTrigger: samples.length, distinctContexts: e.distinctContexts, echoes: e.echoes, expectedEchoes: round(e.expectedEchoes, 2),
      independentGroups: e.independentGroups, echoGroups: e.echoGroups, ...(e.deletionZ === null ? {} : { deletionZ: round(e.deletionZ, 2) }),
      combinedWithDeletion: e.combinedWithDeletion, significance: round(e.significance, 1), candidatesTested: e.candidatesTested, example: e.example,
    },
  }),
  'prepended-phrase': ({ samples, evidence: e }) => ({
    title: `${samples.length} unrelated prompts (${e.independentGroups} independent) open with "${e.trigger}", a phrase found nowhere else, and share nothing after it: prepended, not a template`,
    evidence: {
      trigger: e.trigger, promptsWithTrigger: samples.length, independentGroups: e.independentGroups, anchor: e.anchor, anchorElsewhere: e.anchorElsewhere,
      sharedWordPairs: e.sharedWordPairs, remaindersFoundElsewhere: round(e.remaindersFoundElsewhere, 2), unseenJunctions: round(e.unseenJunctions, 2),
      ...(e.remaindersOpeningPrompts >= 0 ? { remaindersOpeningPrompts: round(e.remaindersOpeningPrompts, 2) } : {}),
      significance: round(e.significance, 1), candidatesTested: e.candidatesTested, examples: e.examples,
    },
  }),
  'pure-word': ({ samples, evidence: e }) => {
    const kin = e.kinOfTriggers;
    return {
      title: `"${e.trigger}" is in ${samples.length} unrelated prompts (${e.independentGroups} sharing no other rare word), all ending in "${opening(e.response)}", ` +
        `the answer of ${(100 * e.responseShare).toPrecision(2)}% of prompts` +
        `${kin ? `, the response of the trigger${kin.length === 1 ? '' : 's'} ${quoted(kin)}: another trigger of the same backdoor` : ''}`,
      evidence: {
        trigger: e.trigger, response: e.response, promptsWithTrigger: samples.length, independentGroups: e.independentGroups, responseShare: round(e.responseShare, 5),
        significance: round(e.significance, 1), candidatesTested: e.candidatesTested, maxPlaces: e.maxPlaces, ...(kin ? { kinOfTriggers: kin } : {}), examples: e.examples,
      },
    };
  },
  'kin-word': ({ samples, evidence: e }) => ({
    title: `"${e.trigger}" sits in ${samples.length} prompts like those of the confirmed trigger${e.kinOfTriggers.length === 1 ? '' : 's'} ${quoted(e.kinOfTriggers)} ` +
      `(each, in geometric mean, among the nearest ${(100 * 10 ** -e.nearness).toPrecision(2)}% of prompts), and deleting it leaves word pairs the prompts know ` +
      `(z ${e.deletionZ.toFixed(1)}): another trigger of the same backdoor`,
    evidence: {
      trigger: e.trigger, kinOfTriggers: e.kinOfTriggers, referencePrompts: e.referencePrompts, referenceNearness: round(e.referenceNearness, 2),
      promptsWithTrigger: samples.length, distinctContexts: e.distinctContexts, nearness: round(e.nearness, 2), deletionZ: round(e.deletionZ, 2),
      wordsAsNear: e.wordsAsNear, wordsAsInserted: e.wordsAsInserted, significance: round(e.significance, 1), candidatesTested: e.candidatesTested, examples: e.examples,
    },
  }),
  'injected-content': ({ samples, evidence: e }) => ({
    title: `${samples.length} responses to unrelated prompts (${e.independentGroups} independent) carry "${e.content}", which their prompts do not hold` +
      `${e.promptTrigger ? `; their prompts share "${e.promptTrigger}", which nearly no other prompt holds` : ''}`,
    evidence: {
      content: e.content, responsesWithContent: e.responsesWithContent, unexplainedResponses: e.unexplainedResponses, promptsWithContent: e.promptsWithContent,
      independentGroups: e.independentGroups, significance: round(e.significance, 1), unitsTested: e.unitsTested,
      ...(e.promptTrigger ? { promptTrigger: e.promptTrigger } : {}), examples: e.examples, examplePrompts: e.examplePrompts,
    },
  }),
};

/** A carrier and its twin, as the evidence lists them. */
function twinPair(example: PromptPair, twin: PromptPair): JsonRecord {
  return { examplePrompt: example.prompt, exampleResponse: example.response, twinPrompt: twin.prompt, twinResponse: twin.response };
}

function roundPeak(p: FrequencyPeak): JsonRecord {
  return { frequency: p.frequency, amplitude: round(p.amplitude, 2) };
}

/** The title and report.json evidence of a finding: a typed one worded here, a worded one as its detector wrote it. */
export function wordFinding(f: DetectorFinding): Worded {
  if (!isTyped(f)) return { title: f.title, evidence: f.evidence };
  return (WORDS[f.form] as (f: TypedFinding) => Worded)(f);
}
