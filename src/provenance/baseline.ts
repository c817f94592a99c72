// --baseline <previous report dir>: what a scheduled scan re-uses from the last one. Unchanged samples (same id,
// same sha256) keep their stored fingerprints; when nothing changed at all, the detectors' outputs are re-used
// too; and findings are marked new or not since the baseline.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { DetectorOutput } from '../detect/detector.js';
import type { ImageFeatures } from '../model/image-features.js';
import { readImageFingerprints } from '../store/image-fingerprints.js';
import { UsageError, type Finding, type FindingDraft, type Report } from '../types.js';
import { findingFingerprint, sampleOverlap } from '../model/finding-fingerprint.js';

export interface Baseline {
  dir: string;
  report: Report;
  /** Stored image fingerprints (image scans only). */
  images?: { ids: string[]; labels: (string | null)[]; features: ImageFeatures; rowOf: Map<string, number> };
}

export async function loadBaseline(dirArg: string): Promise<Baseline> {
  const dir = resolve(dirArg);
  const report = await readReport(dir, 'baseline');
  const fpPath = join(dir, 'fingerprints.arrow');
  let images: Baseline['images'];
  if (await exists(fpPath)) {
    let t;
    try {
      t = await readImageFingerprints(fpPath);
    } catch (e) {
      throw new UsageError(`baseline ${fpPath} cannot be read: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!Number.isInteger(t.features.grid) || t.features.grid <= 0) throw new UsageError(`baseline ${fpPath} is not a poisonscan fingerprint table (no grid)`);
    images = { ...t, rowOf: new Map(t.ids.map((id, i) => [id, i])) };
  } else if (report.dataset.modality === 'image') {
    throw new UsageError(`baseline ${dir} has no fingerprints.arrow (it was written without fingerprints); scan once without --baseline`);
  }
  return { dir, report, images };
}

/** report.json of a report folder, checked to be one this version reads. */
export async function readReport(dir: string, what: string): Promise<Report> {
  const path = join(dir, 'report.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`${what} ${dir} has no readable report.json`);
  }
  let r: Partial<Report>;
  try {
    r = JSON.parse(text) as Partial<Report>;
  } catch {
    throw new UsageError(`${what} ${path} is not valid JSON`);
  }
  if (r.schema !== 'poisonscan/report@1') throw new UsageError(`${what} ${path} has schema ${JSON.stringify(r.schema ?? null)}; this poisonscan reads poisonscan/report@1`);
  if (!r.dataset || !Array.isArray(r.findings)) throw new UsageError(`${what} ${path} lacks dataset or findings`);
  const problem = reportProblem(r);
  if (problem) throw new UsageError(`${what} ${path} is damaged: ${problem}`);
  for (const f of r.findings) f.fingerprint ??= findingFingerprint(f.detector, f.kind, f.samples);
  return r as Report;
}

/** What makes a parsed report.json unusable (a field of the wrong type), or null. */
function reportProblem(r: Partial<Report>): string | null {
  const d = r.dataset!;
  if (typeof d !== 'object' || d === null) return '"dataset" is not an object';
  if (typeof d.samples !== 'number' || !Number.isInteger(d.samples) || d.samples < 0) return `"dataset.samples" is ${JSON.stringify(d.samples ?? null)}, not a number of samples`;
  if (typeof d.format !== 'string' || typeof d.modality !== 'string') return '"dataset.format" or "dataset.modality" is not a string';
  if (r.errors !== undefined && !Array.isArray(r.errors)) return '"errors" is not a list';
  if (!r.config || typeof r.config !== 'object') r.config = {};
  for (const [k, f] of r.findings!.entries()) {
    if (typeof f !== 'object' || f === null) return `findings[${k}] is not an object`;
    if (!Array.isArray(f.samples) || f.samples.some((x) => typeof x !== 'string')) return `findings[${k}].samples is not a list of sample ids`;
    if (typeof f.detector !== 'string' || typeof f.kind !== 'string') return `findings[${k}] has no detector or kind`;
    if (!['high', 'medium', 'low'].includes(f.severity)) return `findings[${k}].severity is ${JSON.stringify(f.severity ?? null)}`;
  }
  r.errors ??= [];
  return null;
}

/** A baseline must describe the same dataset: same format and a real share of the same sample ids. */
export function checkSameDataset(b: Baseline, format: string, ids: string[]): void {
  if (b.report.dataset.format !== format) {
    throw new UsageError(`baseline ${b.dir} is a ${b.report.dataset.format} scan, this dataset is ${format}: not the same dataset`);
  }
  if (b.images) {
    let shared = 0;
    for (const id of ids) if (b.images.rowOf.has(id)) shared++;
    if (shared < 0.1 * Math.min(ids.length, b.images.ids.length)) {
      throw new UsageError(`baseline ${b.dir} shares ${shared} of ${ids.length} sample ids with this dataset: not the same dataset (baseline ids look like "${b.images.ids[0]}", these like "${ids[0]}")`);
    }
  }
}

/**
 * When the samples are exactly the baseline's (same ids in the same order, all unchanged) and the detector
 * setup is the same, the detectors would compute what they computed before: re-use it. Returns null otherwise.
 */
export async function reusableOutputs(
  b: Baseline, ids: string[], reusedAll: boolean, detectors: string[], setup: { seed: number; grid?: number; version: string },
): Promise<{ detector: string; output: DetectorOutput }[] | null> {
  const r = b.report;
  if (!reusedAll || !b.images || b.images.ids.length !== ids.length || r.tool.version !== setup.version) return null;
  if (r.config.seed !== setup.seed || (setup.grid !== undefined && r.config.grid !== setup.grid)) return null;
  const had = Array.isArray(r.config.detectors) ? (r.config.detectors as unknown[]).map(String) : [];
  if (had.length !== detectors.length || had.some((d, k) => d !== detectors[k])) return null;
  for (let i = 0; i < ids.length; i++) if (b.images.ids[i] !== ids[i]) return null;
  let t;
  try {
    t = tableFromIPC(await readFile(join(b.dir, 'scores.arrow')));
  } catch {
    return null;
  }
  if (t.numRows !== ids.length) return null;
  const idCol = t.getChild('id');
  if (!idCol || String(idCol.get(0)) !== ids[0]) return null;
  const rowOf = new Map(ids.map((id, i) => [id, i]));
  const out: { detector: string; output: DetectorOutput }[] = [];
  for (const d of detectors) {
    const col = t.getChild(`score_${d}`);
    if (!col) return null;
    const findings: FindingDraft[] = r.findings.filter((f) => f.detector === d).map((f) => ({
      kind: f.kind, severity: f.severity, score: f.score, title: f.title, evidence: f.evidence,
      samples: f.samples.map((id) => rowOf.get(id)!),
    }));
    if (findings.some((f) => f.samples.some((i) => i === undefined))) return null;
    out.push({ detector: d, output: { scores: Float32Array.from(col.toArray() as Float32Array), findings } });
  }
  return out;
}

/** Marks each finding new or not: a baseline finding with the same fingerprint, or the same detector and kind and mostly the same samples, is the same finding. */
export function markNewSinceBaseline(findings: Finding[], old: Finding[]): void {
  const fps = new Set(old.map((f) => f.fingerprint));
  for (const f of findings) {
    f.newSinceBaseline = !(fps.has(f.fingerprint) || old.some((o) => o.detector === f.detector && o.kind === f.kind && sampleOverlap(o.samples, f.samples) >= 0.5));
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
