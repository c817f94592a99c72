// The scan pipeline as a library call: read -> fingerprint -> embed -> detect -> enrich -> report, each stage one
// function with a typed input and result (src/stages/); scan() composes them, and so does the sharded detect command.
import { rmdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { checkDetectorNames, checkParameters } from './detect/registry.js';
import type { ParameterValues } from './config/parameters.js';
import { memorySource, type InMemoryRows } from './ingest/memory.js';
import { CHECKPOINT_DIR, removeCheckpoint, type CheckpointOptions } from './store/checkpoint.js';
import { checkSameDataset, loadBaseline, type Baseline } from './provenance/baseline.js';
import type { Suppression } from './config/config.js';
import { UsageError, type FailOn } from './types.js';
import { createProgress, type Progress } from './util/progress.js';
import { exitCodeFor } from './model/exit-code.js';
import type { DatasetColumns } from './model/dataset.js';
import type { ImageFeatures } from './model/image-features.js';
import type { Embeddings } from './embed/embeddings.js';
import type { UserModel } from './embed/user-model.js';
import { checkOutDir, checkOutFile, lockOutDir } from './store/out-dir.js';
import { StagedOutputs } from './store/staged-outputs.js';
import { DEFAULT_EMBED_SIZE } from './config/embed.js';
import type { ScanSettings } from './config/options.js';
import type { PretrainedEmbedder } from './embed/pretrained.js';
import { DEFAULT_MAX_UNREADABLE } from './ingest/input-findings.js';
import { readDataset } from './stages/read.js';
import { fingerprintDataset, type FingerprintOptions } from './stages/fingerprint.js';
import { embedKindOf, embedStage } from './stages/embed.js';
import { checkDetectorsApply, runDetectors } from './stages/detect.js';
import { enrichFindings } from './stages/enrich.js';
import { writeReport, type ScanResult } from './stages/report.js';

export type { ScanResult };

/**
 * scan()'s options: every option of the schema (config/options.ts) that is not the command line's alone, by its
 * name (`--text-column` is `textColumn`), with its help there; and what only a library caller gives.
 */
export interface ScanOptions extends ScanSettings {
  /** A dataset folder or file; with `rows`, only the name report.json gives them. */
  dataset: string;
  /**
   * Rows in memory instead of a file: an array or (async) iterable of plain records, read as a table (columns as
   * for JSONL; images as bytes need an array, which is read twice).
   */
  rows?: InMemoryRows;
  /** Write fingerprints.arrow beside the report (default true). */
  writeFingerprints?: boolean;
  /** Reviewed findings (by fingerprint) that no longer count for failOn. */
  suppressions?: Suppression[];
  progress?: Progress;
  /**
   * Stops the scan, which then rejects with the signal's reason: checked at the start, before each fingerprint part
   * (the parts on disk stay for `resume`), before embedding and before each detector. Nothing is written into --out
   * but the parts.
   */
  signal?: AbortSignal;
}

/** Default size of a fingerprint part: ~30 MB of 32x32 fingerprints, a few seconds of decoding. */
export const DEFAULT_CHECKPOINT_EVERY = 10_000;

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  opts.signal?.throwIfAborted();
  const s = settle(opts);
  if (opts.rows === undefined) {
    await checkOutDir(s.outDir, opts.dataset);
    if (opts.sarif) await checkOutFile(opts.sarif, opts.dataset, '--sarif');
    if (opts.writeManifest) await checkOutFile(opts.writeManifest, opts.dataset, '--write-manifest');
  }
  return withOutDir(s.outDir, async (release) => {
    const inputs = await scanInputs(opts);
    const data = await readAndFingerprint(opts, s, inputs.baseline, release);
    return analyse(opts, s, data, inputs);
  });
}

/** A scan's settings with their defaults, checked before any long work. */
export interface Settled {
  t0: number;
  progress: Progress;
  concurrency: number;
  seed: number;
  failOn: FailOn;
  outDir: string;
  maxUnreadable: number;
  /** Detector parameters set, checked against their declarations, in the declarations' order. */
  parameters: ParameterValues;
}

export function settle(opts: ScanOptions): Settled {
  const t0 = performance.now();
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const concurrency = opts.concurrency ?? cpus().length;
  const seed = opts.seed ?? 0;
  const failOn = opts.failOn ?? 'high';
  const outDir = resolve(opts.out ?? 'poisonscan-report');
  // Usage errors before any long work.
  if (opts.detectors) checkDetectorNames(opts.detectors);
  const parameters = checkParameters(opts.set ?? {}, 'set');
  const maxUnreadable = opts.maxUnreadable ?? DEFAULT_MAX_UNREADABLE;
  if (!(maxUnreadable >= 0 && maxUnreadable <= 1)) throw new UsageError('--max-unreadable must be a share between 0 and 1');
  embedKindOf(opts);
  return { t0, progress, concurrency, seed, failOn, outDir, maxUnreadable, parameters };
}

/** Runs `work` holding the lock of --out. */
export async function withOutDir<T>(outDir: string, work: (release: () => Promise<void>) => Promise<T>): Promise<T> {
  const release = await lockOutDir(outDir);
  try {
    return await work(release);
  } finally {
    await release();
  }
}

/** What a scan reads besides the dataset: a baseline and a user's model, both checked before any decoding. */
export interface ScanInputs {
  baseline?: Baseline;
  userModel?: UserModel;
  pretrained?: PretrainedEmbedder;
}

export async function scanInputs(opts: ScanOptions): Promise<ScanInputs> {
  const baseline = opts.baseline ? await loadBaseline(opts.baseline) : undefined;
  if (baseline?.images && opts.grid !== undefined && opts.grid !== baseline.images.features.grid) {
    throw new UsageError(`--grid ${opts.grid} differs from the baseline's grid ${baseline.images.features.grid}: scan without --baseline to change it`);
  }
  // A user's model is loaded and checked before any decoding (bad file, layer or input shape: exit 2 now).
  const userModel = opts.model ? await (await import('./embed/user-model.js')).loadUserModel(opts.model, opts.layer) : undefined;
  // So is the pretrained backbone (a missing optional package: exit 2 now).
  const pretrained = embedKindOf(opts) === 'pretrained' && !userModel && !opts.embeddings
    ? await (await import('./embed/pretrained.js')).loadPretrained(opts.embedSize ?? DEFAULT_EMBED_SIZE)
    : undefined;
  return { baseline, userModel, pretrained };
}

/** The read and fingerprint stages, with fingerprint parts in --out. */
async function readAndFingerprint(opts: ScanOptions, s: Settled, baseline: Baseline | undefined, release: () => Promise<void>): Promise<DatasetColumns> {
  const { progress, concurrency, seed, outDir } = s;
  const partsDir = join(outDir, CHECKPOINT_DIR);
  const every = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const checkpoint: CheckpointOptions | undefined = every > 0 ? { dir: partsDir, every, resume: Boolean(opts.resume), signal: opts.signal } : undefined;
  if (opts.resume && !checkpoint) throw new UsageError('--resume needs fingerprint parts (--checkpoint-every above 0)');
  const fpOpts: FingerprintOptions = { concurrency, grid: opts.grid, pixelLimit: opts.pixelLimit, progress, reuse: baseline?.images, checkpoint };
  // Image datasets: --detectors that cannot apply is known from the listing, before the long decoding.
  if (opts.detectors) {
    const willEmbed = Boolean(opts.embeddings || opts.embeddingColumn || opts.model || embedKindOf(opts) !== 'none');
    fpOpts.beforeDecode = (samples, format) => {
      // Image-text pairs get their captions after decoding: checked then.
      if (format === 'img2dataset') return;
      checkDetectorsApply(opts.detectors!, {
        modality: 'image', ids: samples.map((x) => x.id), labels: samples.map((x) => x.label), images: {} as ImageFeatures,
        ...(willEmbed ? { embeddings: {} as Embeddings } : {}), seed, concurrency, progress,
      });
    };
  }
  try {
    const read = await readDataset(opts.dataset, { ...opts, progress, ...(opts.rows !== undefined ? { records: memorySource(opts.rows), format: opts.format ?? 'jsonl' } : {}) });
    const data = await fingerprintDataset(read, fpOpts);
    return opts.rows !== undefined ? { ...data, path: opts.dataset } : data;
  } catch (e) {
    // An unusable dataset leaves nothing behind; an interrupted one keeps its parts for --resume.
    if (e instanceof UsageError && !opts.resume) {
      await removeCheckpoint(partsDir);
      await release();
      await rmdir(outDir).catch(() => undefined); // only when empty
    }
    throw e;
  }
}

/** embed -> detect -> enrich -> report on the columns of a dataset, every output staged and moved into place at the end. */
export async function analyse(opts: ScanOptions, s: Settled, data: DatasetColumns, inputs: ScanInputs): Promise<ScanResult> {
  const { baseline, userModel, pretrained } = inputs;
  if (baseline) checkSameDataset(baseline, data.format, data.ids);
  const stages: Record<string, number> = { ...data.stages };
  // A failure leaves the previous report set whole.
  const staged = await new StagedOutputs(s.outDir).begin();
  try {
    opts.signal?.throwIfAborted();
    const embedded = await embedStage({
      data, kind: embedKindOf(opts), embeddingsFile: opts.embeddings, embeddingColumn: opts.embeddingColumn,
      userModel: userModel ? { model: userModel, path: opts.model! } : undefined, pretrained, baseline,
      staged, seed: s.seed, progress: s.progress, stages,
    });
    const detected = await runDetectors({
      data, embeddings: embedded.embeddings, only: opts.detectors, baseline, parameters: s.parameters, seed: s.seed, concurrency: s.concurrency, progress: s.progress,
      signal: opts.signal, stages,
    });
    const enriched = enrichFindings({ data, detected, baseline, suppressions: opts.suppressions ?? [], maxUnreadable: s.maxUnreadable });
    const r = await writeReport({ settings: opts, data, detected, enriched, proxy: embedded.proxy, embedUsed: embedded.used, userModel, baseline, staged, outDir: s.outDir, t0: s.t0, failOn: s.failOn, concurrency: s.concurrency, seed: s.seed, parameters: s.parameters, stages });
    await staged.commit();
    // Finished: the parts are in fingerprints.arrow now.
    await removeCheckpoint(join(s.outDir, CHECKPOINT_DIR));
    return r;
  } finally {
    pretrained?.dispose();
    await staged.abort();
  }
}

export { exitCodeFor };
