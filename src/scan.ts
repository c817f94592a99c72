// The scan pipeline as a library call: ingest -> fingerprint -> store -> detect -> report.
import { rmdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { ScanContext } from './detect/detector.js';
import { checkDetectorNames, detectorsFor } from './detect/registry.js';
import { loadDataset, type LoadedDataset, type LoadOptions } from './ingest/load.js';
import { memorySource, type InMemoryRows } from './ingest/memory.js';
import { CROSS_MODAL, crossModalCheck } from './detect/cross-modal.js';
import { CHECKPOINT_DIR, removeCheckpoint, type CheckpointOptions } from './store/checkpoint.js';
import { combine, round, type SampleScores } from './report/combine.js';
import { writeReportFiles } from './report/write.js';
import { coverageOf } from './report/coverage.js';
import { DETECTORS } from './detect/registry.js';
import { addProvenanceEvidence } from './report/provenance-evidence.js';
import { checkSameDataset, loadBaseline, markNewSinceBaseline, reusableOutputs } from './provenance/baseline.js';
import { writeManifest } from './provenance/manifest.js';
import { applySuppressions, type Suppression } from './config/config.js';
import { writeImageFingerprints } from './store/image-fingerprints.js';
import { UsageError, type DatasetFormat, type FailOn, type Json, type Report } from './types.js';
import { createProgress, type Progress } from './util/progress.js';
import { VERSION } from './version.js';
import { exitCodeFor } from './model/exit-code.js';
import type { ImageFeatures } from './model/image-features.js';
import type { Embeddings } from './embed/embeddings.js';
import { checkOutDir, checkOutFile, lockOutDir } from './store/out-dir.js';
import { StagedOutputs } from './store/staged-outputs.js';
import { DEFAULT_MAX_UNREADABLE, INPUT_STEP, inputFindings } from './ingest/input-findings.js';
import { contentKeys, findingFingerprint } from './model/finding-fingerprint.js';
import { DEFAULT_EMBED_SIZE, type EmbedKind } from './config/embed.js';
import type { PretrainedEmbedder } from './embed/pretrained.js';
import { EMBEDDING_IDS_FILE, EMBEDDINGS_FILE } from './embed/embedding-reuse.js';

export interface ScanOptions {
  /** A dataset folder or file; with `rows`, only the name report.json gives them. */
  dataset: string;
  /**
   * Rows in memory instead of a file: an array or (async) iterable of plain records, read as a table (columns as
   * for JSONL; images as bytes need an array, which is read twice).
   */
  rows?: InMemoryRows;
  out?: string;
  format?: DatasetFormat;
  manifest?: string;
  textColumn?: string;
  labelColumn?: string;
  idColumn?: string;
  promptColumn?: string;
  responseColumn?: string;
  imageColumn?: string;
  /** Split of a Hugging Face DatasetDict folder. */
  split?: string;
  /** Column of per-sample embedding vectors. */
  embeddingColumn?: string;
  /** Train a proxy model on labelled images and run the embedding detectors on its hidden layer (embed: 'proxy'). */
  proxyModel?: boolean;
  /**
   * Embeddings for the embedding detectors when the data brings none: none (default), proxy (as proxyModel), or
   * pretrained (a pretrained image backbone from the optional package nsfwjs, at input side embedSize).
   */
  embed?: EmbedKind;
  embedSize?: number;
  /** A .npy file of embeddings (rows in the dataset's order, or named by embeddingIds). */
  embeddings?: string;
  embeddingIds?: string;
  /** A TensorFlow.js model.json (layers or graph model) whose layer `layer` gives the embeddings of the images. */
  model?: string;
  layer?: string;
  detectors?: string[];
  failOn?: FailOn;
  concurrency?: number;
  seed?: number;
  quiet?: boolean;
  grid?: number;
  pixelLimit?: number;
  /** Write fingerprints.arrow beside the report (default true). */
  writeFingerprints?: boolean;
  /** A previous report folder: re-use fingerprints of unchanged samples, mark findings new since it. */
  baseline?: string;
  /** Write a SARIF 2.1.0 file here. */
  sarif?: string;
  /** Write a content manifest (ids, sizes, hashes, perceptual hashes) here, for a later `verify`. */
  writeManifest?: string;
  /** Reviewed findings (by fingerprint) that no longer count for failOn. */
  suppressions?: Suppression[];
  progress?: Progress;
  /** Re-use the finished fingerprint parts of an interrupted scan into the same --out. */
  resume?: boolean;
  /** Image samples per fingerprint part (written as each completes; 0: no parts, no --resume). */
  checkpointEvery?: number;
  /** Called when fingerprint part k is on disk (tests interrupt a scan here). */
  onCheckpointPart?: CheckpointOptions['onPart'];
  /** Fingerprints merged from shards (the detect command): used instead of reading the dataset. */
  loaded?: LoadedDataset;
  /** Share of unreadable samples above which the scan reports a medium finding (default 0.001). */
  maxUnreadable?: number;
}

/** Default size of a fingerprint part: ~30 MB of 32x32 fingerprints, a few seconds of decoding. */
export const DEFAULT_CHECKPOINT_EVERY = 10_000;

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
  const maxUnreadable = opts.maxUnreadable ?? DEFAULT_MAX_UNREADABLE;
  if (!(maxUnreadable >= 0 && maxUnreadable <= 1)) throw new UsageError('--max-unreadable must be a share between 0 and 1');
  embedKindOf(opts);
  if (!opts.loaded && opts.rows === undefined) {
    await checkOutDir(outDir, opts.dataset);
    if (opts.sarif) await checkOutFile(opts.sarif, opts.dataset, '--sarif');
    if (opts.writeManifest) await checkOutFile(opts.writeManifest, opts.dataset, '--write-manifest');
  }
  const release = await lockOutDir(outDir);
  try {
    return await scanLocked(opts, { t0, progress, concurrency, seed, failOn, outDir, maxUnreadable }, release);
  } finally {
    await release();
  }
}

interface Settled {
  t0: number;
  progress: Progress;
  concurrency: number;
  seed: number;
  failOn: FailOn;
  outDir: string;
  maxUnreadable: number;
}

async function scanLocked(opts: ScanOptions, s: Settled, release: () => Promise<void>): Promise<ScanResult> {
  const { t0, progress, concurrency, seed, failOn, outDir, maxUnreadable } = s;
  const baseline = opts.baseline ? await loadBaseline(opts.baseline) : undefined;
  if (baseline?.images && opts.grid !== undefined && opts.grid !== baseline.images.features.grid) {
    throw new UsageError(`--grid ${opts.grid} differs from the baseline's grid ${baseline.images.features.grid}: scan without --baseline to change it`);
  }
  // A model that does not load leaves nothing behind.
  const leaveNothing = async (e: unknown) => {
    if (e instanceof UsageError) {
      await release();
      await rmdir(outDir).catch(() => undefined); // only when empty
    }
    throw e;
  };
  // A user's model is loaded and checked before any decoding (bad file, layer or input shape: exit 2 now).
  const userModel = opts.model ? await (await import('./embed/user-model.js')).loadUserModel(opts.model, opts.layer).catch(leaveNothing) : undefined;
  // So is the pretrained backbone (a missing optional package: exit 2 now).
  const pretrained = embedKindOf(opts) === 'pretrained' && !userModel && !opts.embeddings
    ? await (await import('./embed/pretrained.js')).loadPretrained(opts.embedSize ?? DEFAULT_EMBED_SIZE).catch(leaveNothing)
    : undefined;
  const partsDir = join(outDir, CHECKPOINT_DIR);
  const every = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const checkpoint: CheckpointOptions | undefined = every > 0 ? { dir: partsDir, every, resume: Boolean(opts.resume), onPart: opts.onCheckpointPart } : undefined;
  if (opts.resume && !checkpoint) throw new UsageError('--resume needs fingerprint parts (--checkpoint-every above 0)');
  const loadOpts: LoadOptions = {
    ...opts, concurrency, progress, reuse: baseline?.images, checkpoint,
    ...(opts.rows !== undefined ? { records: memorySource(opts.rows), format: opts.format ?? 'jsonl' } : {}),
  };
  // Image datasets: --detectors that cannot apply is known from the listing, before the long decoding.
  if (opts.detectors) {
    const willEmbed = Boolean(opts.embeddings || opts.embeddingColumn || opts.model || embedKindOf(opts) !== 'none');
    loadOpts.beforeDecode = (samples, format) => {
      // Image-text pairs get their captions after decoding: checked then.
      if (format === 'img2dataset') return;
      checkDetectorsApply(opts.detectors!, {
        modality: 'image', ids: samples.map((x) => x.id), labels: samples.map((x) => x.label), images: {} as ImageFeatures,
        ...(willEmbed ? { embeddings: {} as Embeddings } : {}), seed, concurrency, progress,
      });
    };
  }
  const loadedData = opts.loaded ?? (await loadDataset(opts.dataset, loadOpts).catch(async (e: unknown) => {
    // An unusable dataset leaves nothing behind; an interrupted one keeps its parts for --resume.
    if (e instanceof UsageError && !opts.resume) {
      await removeCheckpoint(partsDir);
      await release();
      await rmdir(outDir).catch(() => undefined); // only when empty
    }
    throw e;
  }));
  const data = opts.rows !== undefined ? { ...loadedData, path: opts.dataset } : loadedData;
  if (baseline) checkSameDataset(baseline, data.format, data.ids);
  const stages: Record<string, number> = { ...data.stages };

  // Every output is staged and moved into place at the end: a failure leaves the previous report set whole.
  const staged = await new StagedOutputs(outDir).begin();
  try {
    const r = await detectAndReport(opts, s, data, baseline, { userModel, pretrained }, staged, stages);
    await staged.commit();
    // Finished: the parts are in fingerprints.arrow now.
    await removeCheckpoint(partsDir);
    return r;
  } finally {
    await staged.abort();
    pretrained?.dispose();
  }
}

async function detectAndReport(
  opts: ScanOptions, s: Settled, data: LoadedDataset, baseline: Awaited<ReturnType<typeof loadBaseline>> | undefined,
  models: { userModel?: Awaited<ReturnType<typeof import('./embed/user-model.js').loadUserModel>>; pretrained?: PretrainedEmbedder },
  staged: StagedOutputs, stages: Record<string, number>,
): Promise<ScanResult> {
  const { userModel, pretrained } = models;
  const { t0, progress, concurrency, seed, failOn, outDir, maxUnreadable } = s;
  const out = (name: string) => staged.path(name);
  if (data.images && opts.writeFingerprints !== false) {
    const ts = performance.now();
    await staged.guard('', join(outDir, 'fingerprints.arrow'), () => writeImageFingerprints(out('fingerprints.arrow'), data.ids, data.labels, data.images!));
    stages.store = (performance.now() - ts) / 1000;
  }

  let embeddings = data.embeddings;
  // What report.json's config.embed records: where the embedding detectors' vectors came from.
  let embedUsed: { [k: string]: Json } = embeddings ? (opts.embeddings ? { kind: 'file', path: opts.embeddings } : { kind: 'column', column: opts.embeddingColumn ?? 'auto' }) : { kind: 'none' };
  const keep = async (e: Embeddings) => {
    // Kept beside the report so that later scans can reuse them: --embeddings embeddings.npy --embedding-ids embedding-ids.txt
    const { npyBytes } = await import('./embed/npy.js');
    await writeFile(out(EMBEDDINGS_FILE), npyBytes(e));
    await writeFile(out(EMBEDDING_IDS_FILE), data.ids.join('\n') + '\n');
  };
  let proxy: { backend: string; heldOutAccuracy: number } | undefined;
  if (userModel && !embeddings) {
    // A text model needs its own tokenizer, which a model.json does not carry: its embeddings come in precomputed.
    if (!data.images) throw new UsageError('--model reads images only; for text, embed the texts with your model and pass them with --embeddings file.npy [--embedding-ids ids.txt] or --embedding-column NAME');
    const ts = performance.now();
    embeddings = await userModel.embed(data.images, progress);
    stages.model = (performance.now() - ts) / 1000;
    embedUsed = { kind: 'model', path: opts.model!, layer: userModel.layer, backend: userModel.backend };
    await keep(embeddings);
  }
  if (pretrained && !embeddings) {
    if (!data.images) throw new UsageError('--embed pretrained reads images only; for text, pass embeddings with --embeddings file.npy or --embedding-column NAME, or use --embed proxy');
    const ts = performance.now();
    const spec: { [k: string]: Json } = { ...pretrained.spec };
    const known = baseline ? await (await import('./embed/embedding-reuse.js')).carriedOver({ dir: baseline.dir, embed: baseline.report.config.embed, images: baseline.images }, spec, data.ids, data.images) : null;
    embeddings = await pretrained.embed(data.images, progress, known?.get);
    stages.embed = (performance.now() - ts) / 1000;
    embedUsed = { ...spec, loadSeconds: round(pretrained.loadSeconds, 2), ...(known ? { carriedOver: known.count } : {}) };
    await keep(embeddings);
  }
  if (embedKindOf(opts) === 'proxy' && !embeddings) {
    if ((!data.images && !data.texts) || !data.labels.some((l) => l !== null)) throw new UsageError('--proxy-model needs a labelled image or text dataset (or pass embeddings)');
    const r = data.images
      ? await (await import('./embed/proxy-model.js')).proxyEmbeddings(data.images, data.labels, seed, progress)
      : await (await import('./embed/text-proxy-model.js')).textProxyEmbeddings(data.texts!, data.labels, seed, progress);
    embeddings = r.embeddings;
    proxy = { backend: r.backend, heldOutAccuracy: Math.round(r.heldOutAccuracy * 1000) / 1000 };
    stages['proxy-model'] = r.seconds;
    embedUsed = { kind: 'proxy', ...proxy };
    await keep(r.embeddings);
  }

  const ctx: ScanContext = {
    modality: data.modality,
    ids: data.ids,
    labels: data.labels,
    images: data.images,
    texts: data.texts,
    embeddings,
    seed,
    concurrency,
    progress,
  };
  if (opts.detectors) checkDetectorsApply(opts.detectors, ctx);
  const detectors = detectorsFor(ctx, opts.detectors);
  const reusedAll = data.reused !== undefined && data.reused === data.ids.length && data.errors.length === baseline?.report.errors.length;
  const cached = baseline
    ? await reusableOutputs(baseline, data.ids, reusedAll, detectors.map((d) => d.name), { seed, grid: data.images?.grid, version: VERSION })
    : null;
  const outputs = cached ?? [];
  if (cached) stages['detect:reused'] = 0;
  else {
    for (const d of detectors) {
      const ts = performance.now();
      progress.stage(d.name);
      outputs.push({ detector: d.name, output: await d.run(ctx) });
      progress.done();
      stages[`detect:${d.name}`] = round((performance.now() - ts) / 1000, 3);
    }
    // Image-text pairs: captions of a trigger cluster that name one concept (see detect/cross-modal.ts).
    if (data.modality === 'image-text') outputs.push({ detector: CROSS_MODAL, output: crossModalCheck(ctx, outputs) });
  }
  // The input itself: too many unreadable samples, text rows with undecodable bytes.
  const input = inputFindings(data.ids.length, data.errors, data.texts, maxUnreadable);
  if (input.findings.length) outputs.push({ detector: INPUT_STEP, output: { scores: new Float32Array(data.ids.length), findings: input.findings } });
  const { findings, scores } = combine(data.ids, outputs);
  // Fingerprints follow the samples' content, not their ids: the same images as a folder or as tar shards give
  // the same fingerprints, so reviewed suppressions carry over. The id-based one is kept as an alias.
  const keys = contentKeys(data.ids, data.images, data.texts);
  const aliases = new Map<string, string>();
  for (const f of findings) {
    if (f.detector === INPUT_STEP && f.kind === 'unreadable') f.samples = input.unreadableIds;
    const legacy = findingFingerprint(f.detector, f.kind, f.samples);
    f.fingerprint = findingFingerprint(f.detector, f.kind, f.samples.map((id) => keys.get(id) ?? id));
    aliases.set(f.fingerprint, legacy);
  }
  if (data.images) addProvenanceEvidence(findings, data.ids, data.images);
  if (baseline) markNewSinceBaseline(findings, baseline.report.findings);
  applySuppressions(findings, opts.suppressions ?? [], aliases);
  if (opts.writeManifest) {
    if (!data.images) throw new UsageError('--write-manifest needs an image dataset (text manifests are not supported yet)');
    const target = resolve(opts.writeManifest);
    const inOut = resolve(target, '..') === outDir;
    const path = inOut ? out(target.slice(outDir.length + 1)) : staged.externalPath(target);
    await staged.guard('--write-manifest', target, () => writeManifest(path, data.ids, data.labels, data.images!));
  }

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
  for (const k of ['manifest', 'textColumn', 'labelColumn', 'idColumn', 'promptColumn', 'responseColumn', 'imageColumn', 'split', 'embeddingColumn', 'embeddings', 'embeddingIds'] as const) {
    if (opts[k] !== undefined) config[k] = opts[k]!;
  }
  if (data.images) config.grid = data.images.grid;
  if (proxy) config.proxyModel = proxy;
  config.embed = embedUsed;
  if (userModel) config.model = { path: opts.model!, kind: userModel.kind, layer: userModel.layer, backend: userModel.backend };
  if (baseline) config.baseline = baseline.dir;
  if (data.reused !== undefined) config.reusedFingerprints = data.reused;
  if (opts.suppressions?.length) config.suppressions = opts.suppressions.length;

  const tr = performance.now();
  const report: Report = {
    schema: 'poisonscan/report@1',
    tool: { name: 'poisonscan', version: VERSION },
    dataset: { path: data.path, format: data.format, modality: data.modality, samples: data.ids.length, ...(anyLabel ? { labels } : {}) },
    config,
    timing: { seconds: 0, samplesPerSecond: 0, stages },
    findings,
    errors: data.errors,
    coverage: coverageOf({ modality: data.modality, all: DETECTORS, ran: outputs.map((o) => o.detector), only: opts.detectors, grid: data.images?.grid, skipped: data.errors.length }),
  };
  const setTiming = () => {
    stages.report = round((performance.now() - tr) / 1000, 3);
    const seconds = (performance.now() - t0) / 1000;
    report.timing.seconds = round(seconds, 3);
    report.timing.samplesPerSecond = round(data.ids.length / Math.max(seconds, 1e-9), 1);
    for (const k of Object.keys(stages)) stages[k] = round(stages[k]!, 3);
  };
  await staged.guard('report files in', outDir, () => writeReportFiles({
    outDir: staged.dir, report, ids: data.ids, scores, images: data.images, texts: data.texts, labels: data.labels, settleTiming: setTiming,
    sarif: opts.sarif ? staged.externalPath(resolve(opts.sarif)) : undefined,
  }));
  const exitCode = exitCodeFor(findings, failOn);
  return { report, scores, ids: data.ids, outDir, exitCode };
}

export { exitCodeFor };

/** The embedding asked for: --embed, or --proxy-model's proxy; the two disagreeing is a usage error. */
function embedKindOf(opts: ScanOptions): EmbedKind {
  if (opts.proxyModel && opts.embed !== undefined && opts.embed !== 'proxy') throw new UsageError(`--proxy-model and --embed ${opts.embed} choose different embeddings: give one`);
  return opts.embed ?? (opts.proxyModel ? 'proxy' : 'none');
}

/** A detector asked for by name that cannot apply to the data is a usage error naming the ones that can. */
function checkDetectorsApply(names: string[], ctx: ScanContext): void {
  const applying = detectorsFor(ctx, names).map((d) => d.name);
  const cannot = names.filter((n) => !applying.includes(n));
  if (cannot.length) {
    const can = detectorsFor(ctx).map((d) => d.name);
    throw new UsageError(`--detectors: ${cannot.join(', ')} cannot apply to this ${ctx.modality} dataset; the detectors that can: ${can.join(', ') || 'none'}`);
  }
}
