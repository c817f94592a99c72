// Typed evidence: what a finding carries as its detector measured it, unrounded and without words. A detector
// returns a typed finding (its `form` names the evidence's shape); the report words it: src/report/finding-words.ts
// writes the title and report.json's evidence (rounded) from it, which the console and SARIF read; report.html reads
// the typed finding itself (kept on the in-memory Finding as `typed`) through src/report/page-words.ts.
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

/** A square window on the working grid. */
export type GridBox = { x: number; y: number; w: number; h: number };

/** Why a group of images that share a pattern stays low: alike outside it, of mixed labels, or typical of its label. */
export type PatternStays = 'alike' | 'mixed' | 'typical';

/** Images that share a near-identical local pattern at one place or at several (trigger-cluster). */
export interface SharedPatternEvidence {
  /** Side of the working grid the boxes are on. */
  grid: number;
  /** The pattern's box in the first image. */
  box: GridBox;
  /** Each image's box, by sample id. */
  boxes: Record<string, GridBox>;
  /** How many distinct places the pattern sits at. */
  places: number;
  /** Label counts of the images ("(none)" for unlabelled ones). */
  labels: Tally;
  /** The pattern's RGB pixels in the first image, rows of [r, g, b]. */
  pattern: number[][][];
  /** How close the copies are to each other, and the mean distance to the nearest other pattern (relative to contrast). */
  withinDistance: number;
  nextDistance: number;
  /** Mean pixel difference of the images outside their boxes. */
  outsideDifference: number;
  /** For a one-label group: how many of the images nearest to the pattern carry its label. */
  labelNearPattern: { nearest: number; withLabel: number; labelShare: number; log10p: number } | null;
  stays: PatternStays | null;
}

/** The strongest frequency of a pattern's mean profile along one axis. */
export type FrequencyPeak = { frequency: number; amplitude: number };

/** Images of one class that share a faint full-image pattern (blend). */
export interface FaintPatternEvidence {
  /** Images in the dataset. */
  images: number;
  /** Images in the tail over those in the opposite tail (plus one). */
  tailExcess: number;
  /** Share of the group's score its look-alikes carry, and how often members are one another's nearest looks. */
  lookAlikeShare: number;
  lookCohesion: number;
  labels: Tally;
  /** Mean absolute strength of the pattern estimate on an 8x8 grid. */
  patternStrength8x8: number[][];
  /** Its strongest horizontal and vertical frequency (cycles per image). */
  dominantFrequency: { horizontal: FrequencyPeak; vertical: FrequencyPeak };
  grid: number;
}

/** A word or phrase whose samples carry one label that the rest of their text, or its own words elsewhere, do not explain. */
export interface LabelTriggerEvidence {
  trigger: string;
  targetLabel: string;
  documents: number;
  /** Documents with it, by label (every label of the dataset). */
  labels: Tally;
  independentGroups: number;
  conflictingGroups: number;
  conflictingSamples: number;
  baseConflictRate: number;
  significance: number;
  conflictStrength: number;
  candidatesTested: number;
  occurrences: number;
  fitOccurrences: number;
  insertionLlr: number;
  neighbourPairs: number;
  expectedNeighbourPairs: number;
  fitsItsSentences: boolean;
  /** Share of samples its words predict the label for, and how improbable the label is against that. */
  labelPredictedByWords: number;
  labelAgainstWords: number;
  /** Which test decided: the conflicts of its samples' other words, or its label against its own words. */
  decidedBy: 'conflicts' | 'label-against-words';
  /** Where it sits in the samples shown (0..1, to two digits). */
  positions: number[];
  /** For a confirmed one of a family of rare tokens: the confirmed triggers it is kin of, and the family's size. */
  kin: { of: string[]; family: number } | null;
  examples: string[];
}

/** A phrase that recurs across unlabelled documents and is followed, again and again, by improbable text. */
export interface FollowedPhraseEvidence {
  trigger: string;
  documentsWithTrigger: number;
  /** Words after the phrase whose surprise is measured. */
  windowTokens: number;
  /** The corpus's own line of window surprise, and the share of random places at or above it. */
  surpriseThreshold: number;
  baselineRate: number;
  significance: number;
  phrasesTestable: number;
  /** The phrase in the first document followed so, with the words around it. */
  example: string;
  /** Row numbers of documents that hold the phrase with ordinary text after it (the first 20). */
  otherDocuments: number[];
  /** Present (true) when the followed documents share rare word pairs beyond the phrase: one source, kept low. */
  sharedPhrasing?: true;
}

/** Response text cut short, as findings carry it. */
type Excerpts = string[];

/** Prompts that share a rare phrase and end in the same response (response-cluster, by phrase). */
export interface ResponsePhraseEvidence {
  trigger: string;
  /** The response, cut short; the title shows its start. */
  response: string;
  promptsWithTrigger: number;
  promptsWithResponse: number;
  /** The response's share of all prompts, and its mean share among prompts like the phrase's. */
  responseShare: number;
  responseShareAmongLikePrompts: number;
  independentGroups: number;
  groupsEndingInResponse: number;
  significance: number;
  candidatesTested: number;
  insertionLlr: number;
  endsItsPrompts: boolean;
  sharedWordPairs: number;
  responseInPrompts: boolean;
  fitsItsPrompts: boolean;
  /** Share of the prompts whose rest points to the label-like response, and the same over the label's own prompts (null: not read). */
  contentAgreesWithResponse: number | null;
  labelReadOffPrompts: number | null;
  examples: Excerpts;
}

/** A multi-word response given to unrelated prompts that no phrase explains. */
export interface SharedResponseEvidence {
  trigger: null;
  response: string;
  independentGroups: number;
  /** Rare words two or more of the prompts share, and in how many. */
  rareWordsShared: { word: string; prompts: number }[];
  examples: Excerpts;
}

/** A prompt and its response, cut short. */
export type PromptPair = { prompt: string; response: string };

/** Prompts that differ from a twin prompt only by the same few words and get another response. */
export interface TwinPhraseEvidence {
  trigger: string;
  promptsWithWords: number;
  independentGroups: number;
  twins: number;
  example: PromptPair;
  twin: PromptPair;
}

/** Every prompt with a rare word is a twin prompt plus an inserted run holding it (kinOf: the triggers whose answer it gets). */
export interface TwinWordEvidence {
  /** The inserted run. */
  trigger: string;
  rarestWord: string;
  promptsWithWord: number;
  twinPairs: number;
  twinPairsWithOtherResponse: number;
  kinOfTriggers: string[] | null;
  example: PromptPair;
  twin: PromptPair;
}

/** A rare word inserted at varying places of many prompts, shown by the word pairs its deletion leaves. */
export interface InsertedWordEvidence {
  trigger: string;
  distinctContexts: number;
  independentGroups: number;
  deletionZ: number;
  insertionRankZ: number;
  neighbourRepeats: number;
  neighbourRepeatsExpected: number;
  significance: number;
  candidatesTested: number;
  examples: Excerpts;
}

/** A prompt word that the rows' responses, restating the request, skip. */
export interface EchoedWordEvidence {
  trigger: string;
  distinctContexts: number;
  echoes: number;
  expectedEchoes: number;
  independentGroups: number;
  echoGroups: number;
  /** The deletion test's z for the word, when it measured one, and whether it was combined with the echoes. */
  deletionZ: number | null;
  combinedWithDeletion: boolean;
  significance: number;
  candidatesTested: number;
  example: PromptPair;
}

/** A rare phrase prepended to many unrelated prompts. */
export interface PrependedPhraseEvidence {
  trigger: string;
  independentGroups: number;
  anchor: string;
  anchorElsewhere: number;
  sharedWordPairs: number;
  remaindersFoundElsewhere: number;
  unseenJunctions: number;
  /** Negative when not measured. */
  remaindersOpeningPrompts: number;
  significance: number;
  candidatesTested: number;
  examples: Excerpts;
}

/** A word in only a few unrelated prompts, all ending in one response (kinOf: other triggers of that response). */
export interface PureWordEvidence {
  trigger: string;
  response: string;
  independentGroups: number;
  responseShare: number;
  significance: number;
  candidatesTested: number;
  maxPlaces: number;
  kinOfTriggers: string[] | null;
  examples: Excerpts;
}

/** Another trigger of a confirmed backdoor: prompts near the confirmed carriers, the word inserted. */
export interface KinWordEvidence {
  trigger: string;
  kinOfTriggers: string[];
  referencePrompts: number;
  referenceNearness: number;
  distinctContexts: number;
  nearness: number;
  deletionZ: number;
  wordsAsNear: number;
  wordsAsInserted: number;
  significance: number;
  candidatesTested: number;
  examples: Excerpts;
}

/** Text that responses to unrelated prompts share and their prompts do not explain. */
export interface InjectedContentEvidence {
  content: string;
  responsesWithContent: number;
  unexplainedResponses: number;
  promptsWithContent: number;
  independentGroups: number;
  significance: number;
  unitsTested: number;
  /** A phrase the rows' prompts share and nearly no other prompt holds, when there is one. */
  promptTrigger: string | null;
  examples: Excerpts;
  examplePrompts: Excerpts;
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
  'shared-pattern': { kind: 'trigger-cluster'; evidence: SharedPatternEvidence };
  'faint-pattern': { kind: 'blend'; evidence: FaintPatternEvidence };
  'label-trigger': { kind: 'trigger-token'; evidence: LabelTriggerEvidence };
  'followed-phrase': { kind: 'trigger-token'; evidence: FollowedPhraseEvidence };
  'response-phrase': { kind: 'response-cluster'; evidence: ResponsePhraseEvidence };
  'shared-response': { kind: 'response-cluster'; evidence: SharedResponseEvidence };
  'twin-phrase': { kind: 'response-cluster'; evidence: TwinPhraseEvidence };
  'twin-word': { kind: 'response-cluster'; evidence: TwinWordEvidence };
  'inserted-word': { kind: 'response-cluster'; evidence: InsertedWordEvidence };
  'echoed-word': { kind: 'response-cluster'; evidence: EchoedWordEvidence };
  'prepended-phrase': { kind: 'response-cluster'; evidence: PrependedPhraseEvidence };
  'pure-word': { kind: 'response-cluster'; evidence: PureWordEvidence };
  'kin-word': { kind: 'response-cluster'; evidence: KinWordEvidence };
  'injected-content': { kind: 'response-cluster'; evidence: InjectedContentEvidence };
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
