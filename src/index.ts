// poisonscan as a library (package.json "main"): the scan pipeline, the report's types, and the detector interface
// with the detectors poisonscan knows. The CLI (src/cli) is a thin layer over the same calls.
export { scan, exitCodeFor, type ScanOptions, type ScanResult } from './scan.js';
export {
  FINDING_KINDS,
  SEVERITY_RANK,
  UsageError,
  type DatasetFormat,
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
export type { Detector, DetectorOutput, ScanContext } from './detect/detector.js';
export { DETECTORS } from './detect/registry.js';
export { createProgress, silentProgress, type Progress } from './util/progress.js';
export { VERSION } from './version.js';
