// poisonscan as a library (package.json "main"): the scan pipeline, the report's types, the typed evidence of
// findings, and the detector interface with the detectors poisonscan knows and the parameters they declare. The CLI
// (src/cli) is a thin layer over the same calls.
export { scan, exitCodeFor, type ScanOptions, type ScanResult } from './scan.js';
export {
  SEVERITY_RANK,
  UsageError,
  type DatasetSummary,
  type FailOn,
  type Finding,
  type FindingDraft,
  type FindingKind,
  type Json,
  type Modality,
  type Report,
  type SampleError,
  type Severity,
} from './types.js';
export { FINDING_KINDS } from './stages/finding-kinds.js';
/** The names of the dataset formats poisonscan reads (report.json's `dataset.format`). */
export type { FormatName as DatasetFormat } from './ingest/formats.js';
// Every form of typed evidence (FindingForms, TypedFinding, each form's evidence interface).
export type * from './model/evidence.js';
export { isTyped } from './model/evidence.js';
export { parametersOf, type AnyDetector, type Detector, type DetectorLimits, type DetectorOutput, type ScanContext } from './detect/detector.js';
export { DETECTORS, PARAMETERS } from './detect/registry.js';
export type { ParameterSpec, ParameterSpecs, ParameterValues, ResolvedParameters } from './config/parameters.js';
export { createProgress, silentProgress, type Progress } from './util/progress.js';
export { VERSION } from './version.js';
