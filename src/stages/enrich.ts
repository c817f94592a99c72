// The enrich stage: what is added to the detectors' outputs before the report. Enrichers run in list order, in two
// steps: before the findings are numbered each may add an output read from the others (the cross-modal check, the
// input's own findings); after combine() has numbered them each may change the findings (samples, fingerprints,
// evidence, marks).
import type { Finding } from '../types.js';
import type { DatasetColumns } from '../model/dataset.js';
import { contentKeys, findingFingerprint } from '../model/finding-fingerprint.js';
import { applySuppressions, type Suppression } from '../config/config.js';
import { INPUT_STEP, inputFindings } from '../ingest/input-findings.js';
import { CROSS_MODAL, crossModalCheck } from '../detect/cross-modal.js';
import { combine, type SampleScores } from '../report/combine.js';
import { addProvenanceEvidence } from '../report/provenance-evidence.js';
import { markNewSinceBaseline, type Baseline } from '../provenance/baseline.js';
import type { DetectResult, DetectorRun } from './detect.js';

export interface EnrichInput {
  data: DatasetColumns;
  detected: DetectResult;
  baseline?: Baseline;
  suppressions: Suppression[];
  /** Share of unreadable samples above which the input gets a finding. */
  maxUnreadable: number;
}

export interface Enriched {
  findings: Finding[];
  scores: SampleScores;
  /** Every output combined: the detectors' and the enrichers'. */
  outputs: DetectorRun[];
}

/** One step after the detectors. */
export interface Enricher {
  name: string;
  /** Before numbering: an output of its own, read from the data and the outputs so far, or null. */
  addOutput?(outputs: DetectorRun[]): DetectorRun | null;
  /** After numbering: changes to the findings. */
  markFindings?(findings: Finding[]): void;
}

export function enrichFindings(i: EnrichInput): Enriched {
  const list = enrichers(i);
  const outputs = [...i.detected.outputs];
  for (const e of list) {
    const added = e.addOutput?.(outputs);
    if (added) outputs.push(added);
  }
  const { findings, scores } = combine(i.data.ids, outputs);
  for (const e of list) e.markFindings?.(findings);
  return { findings, scores, outputs };
}

/** The enrichers of one scan, in the order they apply. */
export function enrichers(i: EnrichInput): Enricher[] {
  const { data, detected, baseline } = i;
  // Fingerprints of earlier versions (by sample id), which suppressions written then still match.
  const aliases = new Map<string, string>();
  return [
    ...(data.modality === 'image-text' && !detected.reused ? [crossModal(detected)] : []),
    input(data, i.maxUnreadable),
    contentFingerprints(data, aliases),
    ...(data.images ? [provenanceEvidence(data)] : []),
    ...(baseline ? [baselineMarks(baseline)] : []),
    suppressions(i.suppressions, aliases),
  ];
}

/** Image-text pairs: captions of a trigger cluster that name one concept (see detect/cross-modal.ts). */
function crossModal(detected: DetectResult): Enricher {
  return { name: CROSS_MODAL, addOutput: (outputs) => ({ detector: CROSS_MODAL, output: crossModalCheck(detected.ctx, outputs) }) };
}

/** The input itself: too many unreadable samples, text rows with undecodable bytes. */
function input(data: DatasetColumns, maxUnreadable: number): Enricher {
  const found = inputFindings(data.ids.length, data.errors, data.texts, maxUnreadable);
  return {
    name: INPUT_STEP,
    addOutput: () => (found.findings.length ? { detector: INPUT_STEP, output: { scores: new Float32Array(data.ids.length), findings: found.findings } } : null),
    // Unreadable samples are not rows of the scan: the finding names them by id.
    markFindings: (findings) => {
      for (const f of findings) if (f.detector === INPUT_STEP && f.kind === 'unreadable') f.samples = found.unreadableIds;
    },
  };
}

/**
 * Fingerprints follow the samples' content, not their ids: the same images as a folder or as tar shards give the
 * same fingerprints, so reviewed suppressions carry over. The id-based one is kept in `aliases`.
 */
function contentFingerprints(data: DatasetColumns, aliases: Map<string, string>): Enricher {
  return {
    name: 'fingerprints',
    markFindings: (findings) => {
      const keys = contentKeys(data.ids, data.images, data.texts);
      for (const f of findings) {
        const legacy = findingFingerprint(f.detector, f.kind, f.samples);
        f.fingerprint = findingFingerprint(f.detector, f.kind, f.samples.map((id) => keys.get(id) ?? id));
        aliases.set(f.fingerprint, legacy);
      }
    },
  };
}

/** Reviewed findings (by fingerprint or its alias) no longer count for --fail-on. */
function suppressions(list: Suppression[], aliases: Map<string, string>): Enricher {
  return { name: 'suppressions', markFindings: (findings) => void applySuppressions(findings, list, aliases) };
}

/** File-level provenance beside every image finding (see report/provenance-evidence.ts). */
function provenanceEvidence(data: DatasetColumns): Enricher {
  return { name: 'provenance-evidence', markFindings: (findings) => addProvenanceEvidence(findings, data.ids, data.images!) };
}

/** Findings that the baseline scan did not have. */
function baselineMarks(baseline: Baseline): Enricher {
  return { name: 'baseline', markFindings: (findings) => markNewSinceBaseline(findings, baseline.report.findings) };
}
