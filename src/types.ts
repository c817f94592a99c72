// Types shared by every stage of the pipeline. The report shapes mirror docs/contract.md.
import type { TypedFinding } from './model/evidence.js';

export type Modality = 'image' | 'text' | 'instruction' | 'document' | 'image-text';
export type Severity = 'high' | 'medium' | 'low';
export type FailOn = Severity | 'never';

/** A dataset format's name: one of the formats ingest reads (DATASET_FORMATS, src/ingest/formats.ts, lists them). */
export type DatasetFormat = string;

/**
 * A kind of finding: every kind the code emits is in FINDING_KINDS (src/stages/finding-kinds.ts), derived from the
 * detectors' and the other steps' declarations, which sit above this floor.
 */
export type FindingKind = string;

/** JSON-safe value for detector evidence. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A finding as a detector produces it: samples are row indices into the scan's sample table. */
export interface FindingDraft {
  kind: FindingKind;
  severity: Severity;
  /** In [0,1]: how sure the detector is. */
  score: number;
  title: string;
  samples: number[];
  evidence: { [key: string]: Json };
}

/** A finding as the report carries it (contract shape). */
export interface Finding {
  id: string;
  detector: string;
  kind: FindingKind;
  severity: Severity;
  score: number;
  title: string;
  samples: string[];
  evidence: { [key: string]: Json };
  /** Stable id of what was found (detector, kind, sample set): the key for suppressions and diffs. */
  fingerprint?: string;
  /** With --baseline: whether no finding of the baseline matches this one. */
  newSinceBaseline?: boolean;
  /** Set when a config suppression (a reviewed finding) matches: the finding no longer counts for --fail-on. */
  suppressed?: { reason: string };
  /** In memory only (not enumerable, so never in report.json): the typed finding it was worded from, for the renderers. */
  readonly typed?: TypedFinding;
}

export interface SampleError {
  id: string;
  error: string;
}

export interface DatasetSummary {
  path: string;
  format: DatasetFormat;
  modality: Modality;
  samples: number;
  labels?: Record<string, number>;
}

export interface Report {
  schema: 'poisonscan/report@1';
  tool: { name: 'poisonscan'; version: string };
  dataset: DatasetSummary;
  config: { [key: string]: Json };
  timing: { seconds: number; samplesPerSecond: number; stages: Record<string, number> };
  findings: Finding[];
  errors: SampleError[];
  /** Extension: what the scan could not see (detectors that ran and did not, their measured limits, skipped samples). */
  coverage?: Coverage;
}

/** What a scan could not see: stated so that a clean report is not read as a clean dataset. */
export interface Coverage {
  modality: Modality;
  /** The detectors that ran, each with the limits it declares. */
  ran: { detector: string; minGroup?: number; blind: string[] }[];
  /** Registered detectors that did not run, and what they would need. */
  notRun: { detector: string; why: string }[];
  /** Images are resampled to this square grid before detection (pattern sizes are in its pixels). */
  grid?: number;
  /** Samples that could not be read and so were not looked at. */
  skipped: number;
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };

/** An error that makes the whole dataset or the command unusable: exit code 2, one line on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}
