// Turns detector outputs into the report's findings and the per-sample score table.
import type { AnyDetectorOutput } from '../detect/detector.js';
import { wordFinding } from './finding-words.js';
import { SEVERITY_RANK, type Finding } from '../types.js';
import { findingFingerprint } from '../model/finding-fingerprint.js';
import { isTyped } from '../model/evidence.js';

export interface SampleScores {
  /** Overall score per sample: the maximum over detectors (each detector calibrates 0.5 as "medium"). */
  score: Float32Array;
  /** Each detector's own score column. */
  byDetector: Record<string, Float32Array>;
  /** 1 when the sample is in a medium or high finding (scores.csv's `true`), else 0; a Uint8Array, not booleans. */
  flagged: Uint8Array;
  /** Finding ids per sample. */
  findings: string[][];
}

export interface Combined {
  findings: Finding[];
  scores: SampleScores;
}

export function combine(ids: string[], outputs: { detector: string; output: AnyDetectorOutput }[]): Combined {
  const n = ids.length;
  const score = new Float32Array(n);
  const byDetector: Record<string, Float32Array> = {};
  for (const { detector, output } of outputs) {
    byDetector[detector] = output.scores;
    for (let i = 0; i < n; i++) {
      const s = output.scores[i]!;
      if (s > score[i]!) score[i] = s;
    }
  }
  const drafts = outputs.flatMap(({ detector, output }) => output.findings.map((f) => ({ detector, f })));
  // Most severe first, then most certain: F1 is what a reader should look at first.
  drafts.sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || b.f.score - a.f.score);
  const flagged = new Uint8Array(n);
  const perSample: string[][] = Array.from({ length: n }, () => []);
  const findings: Finding[] = drafts.map(({ detector, f }, k) => {
    const id = `F${k + 1}`;
    for (const i of f.samples) {
      perSample[i]!.push(id);
      if (f.severity !== 'low') flagged[i] = 1;
    }
    const { title, evidence } = wordFinding(f);
    const finding: Finding = {
      id,
      detector,
      kind: f.kind,
      severity: f.severity,
      score: round(f.score),
      title,
      samples: f.samples.map((i) => ids[i]!),
      evidence,
      fingerprint: findingFingerprint(detector, f.kind, f.samples.map((i) => ids[i]!)),
    };
    // The renderers read the typed evidence; report.json, which lists enumerable fields only, stays as worded.
    if (isTyped(f)) Object.defineProperty(finding, 'typed', { value: f, enumerable: false });
    return finding;
  });
  return { findings, scores: { score, byDetector, flagged, findings: perSample } };
}

export function round(x: number, digits = 4): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
