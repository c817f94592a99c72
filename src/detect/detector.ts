// The one interface every detector implements. Adding a detector = one file + one line in registry.ts.
import type { FindingDraft } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { SampleColumns } from '../model/dataset.js';

/** Everything a detector may read: the sample columns, and how to run. */
export interface ScanContext extends SampleColumns {
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
