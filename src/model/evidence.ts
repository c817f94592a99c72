// Typed evidence: what a finding carries as its detector measured it, unrounded and without words. A detector
// returns a typed finding (its `form` names the evidence's shape); the report words it: src/report/finding-words.ts
// writes the title and report.json's evidence (rounded) from it, and the console, report.html and SARIF read those.
// A detector that still words its findings itself returns a FindingDraft (title and JSON evidence), written as is.
import type { FindingDraft, Severity } from '../types.js';

/** A record of numbers or strings by sample id or label. */
export type Tally = Record<string, number>;

/** Near-identical images (perceptual hash, then pixels); more than one label among them is a label conflict. */
export interface ImageCopiesEvidence {
  /** Label counts of the group's members. */
  labels: Tally;
  /** The largest Hamming distance of two hashes allowed within a group. */
  maxHamming: number;
}

/** Near-identical texts that carry different labels. */
export interface TextCopiesLabelsEvidence {
  labels: Tally;
  /** Whether exact copies among them carry different labels (not only near ones). */
  exactCopies: boolean;
  minJaccard: number;
  /** The first member's text, cut short. */
  example: string;
}

/** Near-identical texts with one label. */
export interface TextCopiesEvidence {
  minJaccard: number;
  example: string;
  /** How many such groups the dataset has (only the largest are reported). */
  groupsInDataset: number;
}

/** Images whose statistics are far from their class's. */
export interface ImageOutliersEvidence {
  /** Largest robust z of each listed image, by sample id. */
  robustZ: Tally;
  /** The statistic that gave it, by sample id. */
  statistic: Record<string, string>;
}

/** The kinds of finding the per-class outlier detectors emit. */
export type ClassOutlierKind = 'spectral-signature' | 'robust-covariance';

/** Samples of one class that stand apart along one direction of their embeddings (spectral signature, robust covariance). */
export interface ClassOutliersEvidence {
  /** The method's own sizes (dimensions, components, trimmed share), in the order report.json lists them. */
  setup: Tally;
  /** The class, or null for unlabelled samples. */
  class: string | null;
  classSize: number;
  flagged: number;
  /** Largest robust z among the flagged samples. */
  maxZ: number;
  zCut: number;
}

/** Samples of one class whose neighbours say another class (label-conflict detector). */
export interface LabelConflictEvidence {
  class: string;
  classSize: number;
  conflicts: number;
  /** Conflicts expected from the other classes' rate. */
  expected: number;
  z: number;
  zCut: number;
  otherClassesRateSpread: number;
  /** Other classes' samples that look like this class, scaled to its size. */
  lookingLikeIt: number;
  /** How many of the conflicts look like each other class. */
  lookLike: Tally;
  threshold: number;
  k: number;
  folds: number;
  /** Which k-NN ran, and why when it was not the requested one. */
  knn: string;
  knnNote?: string;
}

/** A small, separate cluster of one class in embedding space. */
export interface ActivationClusterEvidence {
  class: string | null;
  classSize: number;
  clusterSize: number;
  silhouette: number;
  components: number;
}

/** The file-level facets the provenance detector compares. */
export type ProvenanceFacet = 'encoding' | 'size' | 'created';

/** Images of one class that share a file-level value the rest of the class lacks. */
export interface ProvenanceClusterEvidence {
  facet: ProvenanceFacet;
  value: string;
  /** The class's common value, and how many of it have it. */
  majority: string;
  majoritySize: number;
  class: string | null;
  classSize: number;
  /** Images outside the group with the same value. */
  elsewhere: number;
}

/** Single images whose file-level value none of their class shares. */
export interface ProvenanceSinglesEvidence {
  facet: ProvenanceFacet;
  /** The value of each (the first 50), by sample id. */
  values: Record<string, string>;
}

export const TEXT_ANOMALIES = ['bidi', 'bidi-isolate', 'invisible', 'invisible-between-words', 'homoglyph', 'injection', 'repeated-span'] as const;
export type TextAnomaly = (typeof TEXT_ANOMALIES)[number];

/** Samples with one kind of hidden or unusual text. */
export interface TextAnomalyEvidence {
  anomaly: TextAnomaly;
  samples: number;
  examples: { id: string; field: string; found: string }[];
}

/** A trigger cluster of image-text pairs whose captions name one concept. */
export interface CrossModalEvidence {
  concept: string;
  captionsWithConcept: number;
  clusterSize: number;
  datasetCaptionsWithConcept: number;
  /** Captions in the dataset. */
  captions: number;
  log10p: number;
  triggerDetector: string;
  /** The image detector's finding that found the cluster. */
  trigger: DetectorFinding;
}

/** Each form of typed finding: the kinds it may have and its evidence. */
export interface FindingForms {
  'image-copies': { kind: 'near-duplicate' | 'label-conflict'; evidence: ImageCopiesEvidence };
  'text-copies-labels': { kind: 'label-conflict'; evidence: TextCopiesLabelsEvidence };
  'text-copies': { kind: 'near-duplicate'; evidence: TextCopiesEvidence };
  'image-outliers': { kind: 'outlier'; evidence: ImageOutliersEvidence };
  'class-outliers': { kind: ClassOutlierKind; evidence: ClassOutliersEvidence };
  'label-conflict': { kind: 'label-conflict'; evidence: LabelConflictEvidence };
  'activation-cluster': { kind: 'activation-clustering'; evidence: ActivationClusterEvidence };
  'provenance-cluster': { kind: 'provenance'; evidence: ProvenanceClusterEvidence };
  'provenance-singles': { kind: 'provenance'; evidence: ProvenanceSinglesEvidence };
  'text-anomaly': { kind: 'text-anomaly'; evidence: TextAnomalyEvidence };
  'cross-modal': { kind: 'cross-modal'; evidence: CrossModalEvidence };
}
export type FindingForm = keyof FindingForms;

/** A finding of one form as a detector returns it: samples are row indices into the scan's columns; no words. */
export type TypedFinding<F extends FindingForm = FindingForm> = {
  [G in F]: FindingForms[G] & {
    form: G;
    severity: Severity;
    /** In [0,1]: how sure the detector is. */
    score: number;
    samples: number[];
    title?: undefined;
  };
}[F];

/** What a detector returns per finding: typed, or worded by the detector itself. */
export type DetectorFinding = TypedFinding | FindingDraft;

export function isTyped(f: DetectorFinding): f is TypedFinding {
  return 'form' in f && f.form !== undefined;
}
