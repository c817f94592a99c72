// The one interface every detector implements. Adding a detector = one file + one line in registry.ts.
import type { FindingDraft, Modality } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { ImageFeatures } from '../model/image-features.js';
import type { TextColumns } from '../model/text-columns.js';
import type { Embeddings } from '../embed/embeddings.js';

/** Everything a detector may read. Row i of every column is sample i. */
export interface ScanContext {
  modality: Modality;
  ids: string[];
  /** Class label per sample, null where the dataset has none. */
  labels: (string | null)[];
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Per-sample embedding vectors (a column of the dataset), aligned with ids. */
  embeddings?: Embeddings;
  seed: number;
  concurrency: number;
  progress: Progress;
}

export interface DetectorOutput {
  /** Per-sample suspicion in [0,1]; 0.5 and above means "at least medium" for this detector. */
  scores: Float32Array;
  findings: FindingDraft[];
}

/**
 * What a detector cannot see, stated as data (measured figures; BENCHMARKS.md): the report's "what this scan could
 * not see" section lists it for every detector that ran.
 */
export interface DetectorLimits {
  /** What the data must have for the detector to run at all (shown when it did not). */
  needs: string;
  /** Fewest samples sharing one poison that a finding needs. */
  minGroup?: number;
  /** Sizes, places and counts below which it is blind, one plain sentence each. */
  blind: string[];
}

export interface Detector {
  /** Stable name used by --detectors and in reports. */
  name: string;
  /** One line for --help and the README. */
  description: string;
  /** Whether this detector has anything to look at in this scan. */
  appliesTo(ctx: ScanContext): boolean;
  run(ctx: ScanContext): Promise<DetectorOutput>;
  /** Optional: when absent, the table in detect/limits.ts speaks for it. */
  limits?: DetectorLimits;
}
