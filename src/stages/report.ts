// The report stage: the files of docs/contract.md from what the other stages found: fingerprints.arrow, the
// manifest, report.json (with the settings it was made with), scores, HTML and SARIF, all staged by the caller and
// moved into place together.
import { join, resolve } from 'node:path';
import { UsageError, type FailOn, type Json, type Report } from '../types.js';
import { VERSION } from '../version.js';
import type { DatasetColumns } from '../model/dataset.js';
import { exitCodeFor } from '../model/exit-code.js';
import type { Suppression } from '../config/config.js';
import { REPORTED_OPTIONS, type ReportedOptionName, type ScanSettings } from '../config/options.js';
import type { UserModel } from '../embed/user-model.js';
import { DETECTORS } from '../detect/registry.js';
import { round, type SampleScores } from '../report/combine.js';
import { coverageOf } from '../report/coverage.js';
import { writeReportFiles } from '../report/write.js';
import { writeImageFingerprints } from '../store/image-fingerprints.js';
import type { StagedOutputs } from '../store/staged-outputs.js';
import { writeManifest } from '../provenance/manifest.js';
import type { Baseline } from '../provenance/baseline.js';
import type { DetectResult } from './detect.js';
import type { Enriched } from './enrich.js';
import { anyParameterSet, type ParameterValues } from '../config/parameters.js';

/** The options of a scan that its outputs depend on or report.json's `config` repeats. */
export interface ReportSettings extends Pick<ScanSettings, ReportedOptionName> {
  model?: string;
  detectors?: string[];
  suppressions?: Suppression[];
  writeFingerprints?: boolean;
  writeManifest?: string;
  sarif?: string;
}

export interface ReportInput {
  settings: ReportSettings;
  data: DatasetColumns;
  detected: DetectResult;
  enriched: Enriched;
  /** The proxy model's backend and held-out accuracy, when one was trained. */
  proxy?: { backend: string; heldOutAccuracy: number };
  /** Where the embedding detectors' vectors came from (report.json's config.embed). */
  embedUsed?: { [k: string]: Json };
  userModel?: UserModel;
  baseline?: Baseline;
  staged: StagedOutputs;
  outDir: string;
  /** When the scan started (performance.now()). */
  t0: number;
  failOn: FailOn;
  concurrency: number;
  seed: number;
  /** Detector parameters the user set (report.json's config.parameters; none: no key). */
  parameters?: ParameterValues;
  stages: Record<string, number>;
}

export interface ScanResult {
  report: Report;
  scores: SampleScores;
  ids: string[];
  outDir: string;
  exitCode: 0 | 1;
}

export async function writeReport(i: ReportInput): Promise<ScanResult> {
  const { settings: opts, data, staged, outDir, stages } = i;
  const out = (name: string) => staged.path(name);
  if (data.images && opts.writeFingerprints !== false) {
    const ts = performance.now();
    await staged.guard('', join(outDir, 'fingerprints.arrow'), () => writeImageFingerprints(out('fingerprints.arrow'), data.ids, data.labels, data.images!));
    stages.store = (performance.now() - ts) / 1000;
  }
  if (opts.writeManifest) {
    if (!data.images) throw new UsageError('--write-manifest needs an image dataset (text manifests are not supported yet)');
    const target = resolve(opts.writeManifest);
    const inOut = resolve(target, '..') === outDir;
    const path = inOut ? out(target.slice(outDir.length + 1)) : staged.externalPath(target);
    await staged.guard('--write-manifest', target, () => writeManifest(path, data.ids, data.labels, data.images!));
  }
  const { findings, scores, outputs } = i.enriched;
  const tr = performance.now();
  const report: Report = {
    schema: 'poisonscan/report@1',
    tool: { name: 'poisonscan', version: VERSION },
    dataset: { path: data.path, format: data.format, modality: data.modality, samples: data.ids.length, ...labelCounts(data.labels) },
    config: reportConfig(i),
    timing: { seconds: 0, samplesPerSecond: 0, stages },
    findings,
    errors: data.errors,
    coverage: coverageOf({
      modality: data.modality, all: DETECTORS, ran: outputs.map((o) => o.detector), applied: i.detected.applied, only: opts.detectors,
      parameters: i.parameters, grid: data.images?.grid, skipped: data.errors.length,
    }),
  };
  const setTiming = () => {
    stages.report = round((performance.now() - tr) / 1000, 3);
    const seconds = (performance.now() - i.t0) / 1000;
    report.timing.seconds = round(seconds, 3);
    report.timing.samplesPerSecond = round(data.ids.length / Math.max(seconds, 1e-9), 1);
    for (const k of Object.keys(stages)) stages[k] = round(stages[k]!, 3);
  };
  await staged.guard('report files in', outDir, () => writeReportFiles({
    outDir: staged.dir, report, ids: data.ids, scores, images: data.images, texts: data.texts, labels: data.labels, settleTiming: setTiming,
    sarif: opts.sarif ? staged.externalPath(resolve(opts.sarif)) : undefined,
  }));
  return { report, scores, ids: data.ids, outDir, exitCode: exitCodeFor(findings, i.failOn) };
}

/** `labels`: samples per label, when any sample has one. */
function labelCounts(all: (string | null)[]): { labels?: Record<string, number> } {
  const labels: Record<string, number> = {};
  let anyLabel = false;
  for (const l of all) if (l !== null) {
    anyLabel = true;
    labels[l] = (labels[l] ?? 0) + 1;
  }
  return anyLabel ? { labels } : {};
}

/** report.json's `config`: the settings the scan ran with. */
function reportConfig(i: ReportInput): { [k: string]: Json } {
  const { settings: opts, data, userModel, baseline } = i;
  const config: { [k: string]: Json } = {
    format: data.format,
    detectors: i.detected.detectors,
    failOn: i.failOn,
    concurrency: i.concurrency,
    seed: i.seed,
  };
  for (const k of REPORTED_OPTIONS) if (opts[k] !== undefined) config[k] = opts[k]!;
  if (data.images) config.grid = data.images.grid;
  if (i.proxy) config.proxyModel = i.proxy;
  config.embed = i.embedUsed ?? { kind: 'none' };
  if (userModel) config.model = { path: opts.model!, kind: userModel.kind, layer: userModel.layer, backend: userModel.backend };
  if (baseline) config.baseline = baseline.dir;
  if (data.reused !== undefined) config.reusedFingerprints = data.reused;
  if (opts.suppressions?.length) config.suppressions = opts.suppressions.length;
  if (anyParameterSet(i.parameters)) config.parameters = i.parameters;
  return config;
}
