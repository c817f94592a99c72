// The scan pipeline as a library call: ingest -> fingerprint -> store -> detect -> report.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { ScanContext } from './detect/detector.js';
import { checkDetectorNames, detectorsFor } from './detect/registry.js';
import { loadDataset, type LoadOptions } from './ingest/load.js';
import { combine, round, type SampleScores } from './report/combine.js';
import { renderHtml } from './report/html.js';
import { writeScores } from './report/scores-csv.js';
import { writeImageFingerprints } from './store/image-fingerprints.js';
import { SEVERITY_RANK, UsageError, type DatasetFormat, type FailOn, type Json, type Report } from './types.js';
import { createProgress, type Progress } from './util/progress.js';
import { VERSION } from './version.js';

export interface ScanOptions {
  dataset: string;
  out?: string;
  format?: DatasetFormat;
  manifest?: string;
  textColumn?: string;
  labelColumn?: string;
  idColumn?: string;
  promptColumn?: string;
  responseColumn?: string;
  imageColumn?: string;
  detectors?: string[];
  failOn?: FailOn;
  concurrency?: number;
  seed?: number;
  quiet?: boolean;
  grid?: number;
  pixelLimit?: number;
  /** Write fingerprints.arrow beside the report (default true). */
  writeFingerprints?: boolean;
  progress?: Progress;
}

export interface ScanResult {
  report: Report;
  scores: SampleScores;
  ids: string[];
  outDir: string;
  exitCode: 0 | 1;
}

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const concurrency = opts.concurrency ?? cpus().length;
  const seed = opts.seed ?? 0;
  const failOn = opts.failOn ?? 'high';
  const outDir = resolve(opts.out ?? 'poisonscan-report');
  // Usage errors before any long work.
  if (opts.detectors) checkDetectorNames(opts.detectors);
  const datasetPath = resolve(opts.dataset);
  if (outDir === datasetPath || outDir.startsWith(datasetPath + sep)) {
    throw new UsageError('--out must not be inside the dataset (poisonscan never writes into the data it reads)');
  }
  const loadOpts: LoadOptions = { ...opts, concurrency, progress };
  const data = await loadDataset(opts.dataset, loadOpts);
  const stages: Record<string, number> = { ...data.stages };

  await mkdir(outDir, { recursive: true });
  if (data.images && opts.writeFingerprints !== false) {
    const ts = performance.now();
    await writeImageFingerprints(join(outDir, 'fingerprints.arrow'), data.ids, data.labels, data.images);
    stages.store = (performance.now() - ts) / 1000;
  }

  const ctx: ScanContext = {
    modality: data.modality,
    ids: data.ids,
    labels: data.labels,
    images: data.images,
    texts: data.texts,
    seed,
    concurrency,
    progress,
  };
  const detectors = detectorsFor(ctx, opts.detectors);
  const outputs = [];
  for (const d of detectors) {
    const ts = performance.now();
    progress.stage(d.name);
    outputs.push({ detector: d.name, output: await d.run(ctx) });
    progress.done();
    stages[`detect:${d.name}`] = round((performance.now() - ts) / 1000, 3);
  }
  const { findings, scores } = combine(data.ids, outputs);

  const labels: Record<string, number> = {};
  let anyLabel = false;
  for (const l of data.labels) if (l !== null) {
    anyLabel = true;
    labels[l] = (labels[l] ?? 0) + 1;
  }
  const config: { [k: string]: Json } = {
    format: data.format,
    detectors: detectors.map((d) => d.name),
    failOn,
    concurrency,
    seed,
  };
  for (const k of ['manifest', 'textColumn', 'labelColumn', 'idColumn', 'promptColumn', 'responseColumn', 'imageColumn'] as const) {
    if (opts[k] !== undefined) config[k] = opts[k]!;
  }
  if (data.images) config.grid = data.images.grid;

  const tr = performance.now();
  const report: Report = {
    schema: 'poisonscan/report@1',
    tool: { name: 'poisonscan', version: VERSION },
    dataset: { path: data.path, format: data.format, modality: data.modality, samples: data.ids.length, ...(anyLabel ? { labels } : {}) },
    config,
    timing: { seconds: 0, samplesPerSecond: 0, stages },
    findings,
    errors: data.errors,
  };
  const indexOf = new Map(data.ids.map((id, i) => [id, i]));
  await writeScores(outDir, data.ids, scores);
  const setTiming = () => {
    stages.report = round((performance.now() - tr) / 1000, 3);
    const seconds = (performance.now() - t0) / 1000;
    report.timing.seconds = round(seconds, 3);
    report.timing.samplesPerSecond = round(data.ids.length / Math.max(seconds, 1e-9), 1);
    for (const k of Object.keys(stages)) stages[k] = round(stages[k]!, 3);
  };
  // The page shows the timing up to its own rendering; report.json gets the final figure.
  setTiming();
  const html = await renderHtml({ report, indexOf, images: data.images, texts: data.texts });
  setTiming();
  await writeFile(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFile(join(outDir, 'report.html'), html);

  const threshold = failOn === 'never' ? Infinity : SEVERITY_RANK[failOn];
  const exitCode = findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
  return { report, scores, ids: data.ids, outDir, exitCode };
}
