// The scan split in two for sharded runs: `fingerprintStage` runs the read and fingerprint stages on one slice of
// the dataset (--shard I/N) and writes its fingerprints; `detect` merges the shards of all slices and runs the
// embed, detect, enrich and report stages, with the same findings and scores as one unsharded scan (same columns in
// the same order, same seed).
import { cpus } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { checkDetectorNames } from './detect/registry.js';
import type { DatasetColumns } from './model/dataset.js';
import { readDataset } from './stages/read.js';
import { fingerprintDataset } from './stages/fingerprint.js';
import { analyse, DEFAULT_CHECKPOINT_EVERY, scanInputs, settle, withOutDir, type ScanOptions, type ScanResult } from './scan.js';
import { CHECKPOINT_DIR, removeCheckpoint } from './store/checkpoint.js';
import { mergeShards, readShardManifest, writeShard, type ShardManifest, type ShardSpec } from './store/shards.js';
import { UsageError, type Json } from './types.js';
import { FINGERPRINT_OPTIONS } from './config/options.js';
import { createProgress } from './util/progress.js';
import { VERSION } from './version.js';
import { checkOutDir, lockOutDir } from './store/out-dir.js';

export type FingerprintStageOptions = Omit<ScanOptions, 'detectors' | 'failOn' | 'sarif' | 'writeManifest' | 'suppressions' | 'proxyModel' | 'embed' | 'embedSize'> & {
  shard?: ShardSpec;
};

export interface FingerprintStageResult {
  outDir: string;
  manifest: ShardManifest;
  /** True when --resume found this shard already complete and did nothing. */
  alreadyDone: boolean;
  stages: Record<string, number>;
}

/** Options that change what a fingerprint is (the schema's FINGERPRINT_OPTIONS): shards made with different ones must not be merged. */
function fingerprintOptions(o: FingerprintStageOptions): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const k of FINGERPRINT_OPTIONS) {
    if (o[k] !== undefined) out[k] = o[k]!;
  }
  return out;
}

export async function fingerprintStage(opts: FingerprintStageOptions): Promise<FingerprintStageResult> {
  const shard = opts.shard ?? { index: 0, count: 1 };
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const outDir = resolve(opts.out ?? 'poisonscan-fingerprints');
  const datasetPath = resolve(opts.dataset);
  await checkOutDir(outDir, opts.dataset);
  if (opts.embeddings || opts.embeddingColumn || opts.baseline) {
    throw new UsageError('--stage fingerprint does not take --embeddings, --embedding-column or --baseline yet: scan without --stage for those');
  }
  const options = fingerprintOptions(opts);
  if (opts.resume) {
    // A retried array-job task whose shard is already complete has nothing to do.
    const done = await readShardManifest(outDir).catch(() => null);
    if (done && done.dataset.path === datasetPath && JSON.stringify(done.shard) === JSON.stringify(shard) && JSON.stringify(done.options) === JSON.stringify(options)) {
      progress.info(`shard ${shard.index}/${shard.count} is already complete in ${outDir}`);
      return { outDir, manifest: done, alreadyDone: true, stages: {} };
    }
  }
  const release = await lockOutDir(outDir);
  try {
    return await fingerprintLocked(opts, shard, outDir, options, progress);
  } finally {
    await release();
  }
}

async function fingerprintLocked(opts: FingerprintStageOptions, shard: ShardSpec, outDir: string, options: { [k: string]: Json }, progress: ReturnType<typeof createProgress>): Promise<FingerprintStageResult> {
  const every = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  const partsDir = join(outDir, CHECKPOINT_DIR);
  const read = await readDataset(opts.dataset, { ...opts, progress });
  const data = await fingerprintDataset(read, {
    concurrency: opts.concurrency ?? cpus().length,
    grid: opts.grid,
    pixelLimit: opts.pixelLimit,
    progress,
    shard,
    checkpoint: every > 0 ? { dir: partsDir, every, resume: Boolean(opts.resume), signal: opts.signal } : undefined,
  });
  const ts = performance.now();
  const manifest = await writeShard(outDir, {
    tool: `poisonscan ${VERSION}`,
    dataset: { path: data.path, format: data.format, modality: data.modality },
    shard,
    listed: data.listed ?? data.ids.length,
    samples: data.ids.length,
    grid: data.images?.grid ?? null,
    options,
    errors: data.errors,
  }, data);
  await removeCheckpoint(partsDir);
  return { outDir, manifest, alreadyDone: false, stages: { ...data.stages, store: (performance.now() - ts) / 1000 } };
}

export type DetectOptions = Omit<ScanOptions, 'dataset' | 'resume' | 'checkpointEvery' | 'baseline' | 'embeddings' | 'embeddingIds' | 'embeddingColumn'> & {
  /** Fingerprint folders written by `scan --stage fingerprint`, one per shard, in any order. */
  shards: string[];
};

export async function detect(opts: DetectOptions): Promise<ScanResult> {
  if (opts.detectors) checkDetectorNames(opts.detectors);
  const outDir = resolve(opts.out ?? 'poisonscan-report');
  for (const d of opts.shards.map((x) => resolve(x))) {
    if (outDir === d || outDir.startsWith(d + sep)) throw new UsageError(`--out must not be inside a fingerprint folder (${d})`);
  }
  const t0 = performance.now();
  const m = await mergeShards(opts.shards.map((x) => resolve(x)));
  const data: DatasetColumns = {
    path: m.path, format: m.format, modality: m.modality, ids: m.ids, labels: m.labels, errors: m.errors,
    ...(m.images ? { images: m.images } : {}), ...(m.texts ? { texts: m.texts } : {}),
    stages: { merge: (performance.now() - t0) / 1000 },
  };
  // The options the shards were read with are the scan's, as report.json's config shows them.
  const scanOpts: ScanOptions = { ...opts, ...m.options, dataset: m.path, out: outDir };
  const s = settle(scanOpts);
  return withOutDir(s.outDir, async () => analyse(scanOpts, s, data, await scanInputs(scanOpts)));
}
