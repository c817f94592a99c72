// Every kind of finding poisonscan emits, derived from where each is declared: the registered detectors (their
// `kinds`, else their name), then the steps that are not detectors: the cross-modal check and the input's own
// findings (enrichers of a scan), and verify. The library exports it; the contract lists the same kinds
// (test/finding-kinds.test.ts checks both against the code).
import { DETECTOR_KINDS } from '../detect/registry.js';
import { CROSS_MODAL_KINDS } from '../detect/cross-modal.js';
import { INPUT_KINDS } from '../ingest/input-findings.js';
import { VERIFY_KINDS } from '../provenance/verify.js';

export const FINDING_KINDS: readonly string[] = [...new Set([...DETECTOR_KINDS, ...CROSS_MODAL_KINDS, ...INPUT_KINDS, ...VERIFY_KINDS])];
