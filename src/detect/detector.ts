// The one interface every detector implements. Adding a detector = one file + one line in registry.ts.
import type { Progress } from '../util/progress.js';
import type { SampleColumns } from '../model/dataset.js';
import type { DetectorFinding } from '../model/evidence.js';
import type { FindingDraft, FindingKind } from '../types.js';
import { parameterValues, type ParameterSpecs, type ResolvedParameters, type ParameterValues } from '../config/parameters.js';

/** Everything a detector may read: the sample columns, and how to run. */
export interface ScanContext extends SampleColumns {
  seed: number;
  concurrency: number;
  progress: Progress;
  /** Detector parameters the user set (checked against the declarations), by detector; unset ones take defaults. */
  parameters?: ParameterValues;
}

/** The parameters of the detector (or later check) `name` for this scan: the values set, else the defaults. */
export function parametersOf<P extends ParameterSpecs>(ctx: Pick<ScanContext, 'parameters'>, name: string, specs: P): ResolvedParameters<P> {
  return parameterValues(specs, ctx.parameters?.[name]);
}

/**
 * F: what the detector's findings are. The default, FindingDraft, is a finding the detector words itself; a typed
 * detector declares its forms (`Detector<TypedFinding<'image-copies'>>`).
 */
export interface DetectorOutput<F extends DetectorFinding = FindingDraft> {
  /** Per-sample suspicion in [0,1]; 0.5 and above means "at least medium" for this detector. */
  scores: Float32Array;
  /**
   * Typed findings (model/evidence.ts: evidence as measured, worded by the report), or drafts the detector worded
   * itself (title and JSON evidence).
   */
  findings: F[];
}

/** Any detector, as the registry lists it. */
export type AnyDetector = Detector<DetectorFinding>;

/** Any detector's output, as the later stages read it. */
export type AnyDetectorOutput = DetectorOutput<DetectorFinding>;

/**
 * What a detector cannot see, stated as data (measured figures; BENCHMARKS.md): the report's "what this scan could
 * not see" section lists it for every detector that ran.
 */
export interface DetectorLimits {
  /** What the data must have for the detector to run at all (shown when it did not). */
  needs: string;
  /**
   * Fewest samples sharing one poison that a finding needs: a count, or the detector parameter that sets it (the
   * report quotes the value the scan used).
   */
  minGroup?: number | LimitParameter;
  /** Sizes, places and counts below which it is blind, one plain sentence each. */
  blind: string[];
}

/** A limit that is one of the detector's parameters, by name (its `parameters`, or the later check's). */
export interface LimitParameter {
  parameter: string;
}

export interface Detector<F extends DetectorFinding = FindingDraft> {
  /** Stable name used by --detectors and in reports. */
  name: string;
  /** One line for --help and the README. */
  description: string;
  /** Whether this detector has anything to look at in this scan. */
  appliesTo(ctx: ScanContext): boolean;
  run(ctx: ScanContext): Promise<DetectorOutput<F>>;
  /**
   * What a user may tune (thresholds, counts, k), declared beside the code that reads them with parametersOf():
   * `--set <name>.<parameter>=value` and the config file's "detectors" object set them.
   */
  parameters?: ParameterSpecs;
  /** The kinds of finding it emits, when not its name alone (FINDING_KINDS and the contract list them all). */
  kinds?: readonly FindingKind[];
  /** Optional: when absent, the table in detect/limits.ts speaks for it. */
  limits?: DetectorLimits;
}
