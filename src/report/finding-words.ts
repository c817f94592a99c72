// The words and rounded figures of typed findings (src/model/evidence.ts): each form's title, and the evidence as
// report.json gives it. The console, report.html and SARIF read the title and evidence written from here.
import type { Json } from '../types.js';
import { isTyped, type ClassOutlierKind, type DetectorFinding, type FindingForm, type ProvenanceFacet, type TextAnomaly, type TypedFinding } from '../model/evidence.js';

type JsonRecord = { [key: string]: Json };

/** A finding's title and report.json evidence. */
export interface Worded {
  title: string;
  evidence: JsonRecord;
}

const round = (x: number, digits: number): number => {
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
};

/** The title and report.json evidence of a finding: a typed one worded here, a worded one as its detector wrote it. */
export function wordFinding(f: DetectorFinding): Worded {
  if (!isTyped(f)) return { title: f.title, evidence: f.evidence };
  return (WORDS[f.form] as (f: TypedFinding) => Worded)(f);
}
