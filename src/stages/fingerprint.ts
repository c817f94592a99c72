// The fingerprint stage: listed samples to the columns the detectors read. Images are decoded once into
// ImageFeatures (in parts for --resume, one slice for --shard); unreadable ones become errors and leave every
// column. Text needs no decoding: a --shard takes its slice here. Embeddings that came with the data follow the
// samples that were kept.
import { UsageError, type DatasetFormat } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { DatasetColumns, ListedDataset } from '../model/dataset.js';
import type { Embeddings } from '../model/embeddings.js';
import type { ImageSample } from '../model/image-sample.js';
import type { TextColumns } from '../model/text-columns.js';
import { fingerprintImages, guessGrid, type FingerprintReuse } from '../fingerprint/images.js';
import { fingerprintInParts, type CheckpointOptions } from '../store/checkpoint.js';
import { shardRange, type ShardSpec } from '../store/shards.js';
import { selectRows } from '../embed/embeddings.js';
import { readDataset, type ReadResult, type ReadDatasetOptions } from './read.js';

export interface FingerprintOptions {
  concurrency: number;
  grid?: number;
  pixelLimit?: number;
  progress: Progress;
  /** Stored fingerprints of a baseline scan (image datasets). */
  reuse?: FingerprintReuse;
  /** Only this slice of the samples (scan --shard I/N). */
  shard?: ShardSpec;
  /** Write image fingerprints in parts as they complete, and re-use finished ones (--resume). */
  checkpoint?: CheckpointOptions;
  /** Called with the listed image samples before any is decoded: usage checks that need the listing. */
  beforeDecode?: (samples: ImageSample[], format: DatasetFormat) => void;
}

export async function fingerprintDataset(read: ReadResult, opts: FingerprintOptions): Promise<DatasetColumns> {
  const { listed } = read;
  let data: DatasetColumns;
  if (listed.images) {
    const images = listed.images;
    data = await decodeImages(listed, images.samples, read.columnEmbeddings, opts).finally(() => images.close());
  } else {
    const { images: _, embeddingColumn: __, ...text } = listed;
    data = { ...text, ...(read.columnEmbeddings ? { embeddings: read.columnEmbeddings } : {}) };
    if (opts.shard) data = sliceTextShard(data, opts.shard);
  }
  return read.npy ? alignNpy(data, read.npy) : data;
}

/** Read and fingerprint in one call (verify, tests). */
export async function loadColumns(path: string, opts: ReadDatasetOptions & FingerprintOptions): Promise<DatasetColumns> {
  return fingerprintDataset(await readDataset(path, opts), opts);
}

/** Decode, fingerprint, drop unreadable samples: every column keeps the samples that could be read. */
async function decodeImages(listed: ListedDataset, all: ImageSample[], embeddings: Embeddings | undefined, opts: FingerprintOptions): Promise<DatasetColumns> {
  const { path, format } = listed;
  const t1 = performance.now();
  opts.beforeDecode?.(all, format);
  let grid = opts.grid;
  let offset = 0;
  let samples = all;
  let listErrors = listed.errors;
  if (opts.shard) {
    // Every shard must use the grid an unsharded scan would choose: from the whole listing, not its slice.
    grid ??= opts.reuse?.features.grid ?? (await guessGrid(all));
    const [lo, hi] = shardRange(all.length, opts.shard);
    samples = all.slice(lo, hi);
    offset = lo;
    // Listing problems belong to the whole dataset: shard 0 reports them once.
    if (opts.shard.index !== 0) listErrors = [];
  }
  const fpOpts = { concurrency: opts.concurrency, pixelLimit: opts.pixelLimit, progress: opts.progress, reuse: opts.reuse };
  const fp = opts.checkpoint
    ? await fingerprintInParts(samples, { ...fpOpts, grid: grid ?? opts.reuse?.features.grid ?? (await guessGrid(samples)) }, opts.checkpoint, { dataset: path, format, ...(opts.shard ? { shard: opts.shard } : {}) })
    : await fingerprintImages(samples, { ...fpOpts, grid });
  const t2 = performance.now();
  if (fp.kept.length === 0 && !opts.shard) throw new UsageError(`none of the ${samples.length} images in ${path} could be read (first error: ${fp.errors[0]?.error ?? 'unknown'})`);
  // Positions in the listing of the samples that could be read.
  const kept = fp.kept.map((i) => i + offset);
  const texts = listed.texts ? pickTexts(listed.texts, kept) : undefined;
  return {
    path,
    format,
    modality: listed.modality,
    ids: kept.map((k) => listed.ids[k]!),
    sourceRows: kept.map((k) => listed.sourceRows[k]!),
    labels: kept.map((k) => listed.labels[k] ?? null),
    images: fp.features,
    ...(texts ? { texts } : {}),
    ...(embeddings ? { embeddings: selectRows(embeddings, kept) } : {}),
    errors: [...listErrors, ...fp.errors],
    listed: all.length,
    ...(opts.reuse ? { reused: fp.reused } : {}),
    stages: { ...listed.stages, fingerprint: (t2 - t1) / 1000 },
  };
}

function pickTexts(texts: TextColumns, rows: number[]): TextColumns {
  const out: TextColumns = {};
  for (const [k, v] of Object.entries(texts) as [keyof TextColumns, (string | null)[]][]) out[k] = rows.map((r) => v[r] ?? null);
  return out;
}

/** Shard I/N of a text dataset: a contiguous slice of the readable samples; shard 0 carries the row errors. */
function sliceTextShard(data: DatasetColumns, shard: ShardSpec): DatasetColumns {
  const [lo, hi] = shardRange(data.ids.length, shard);
  const texts: TextColumns = {};
  for (const [k, v] of Object.entries(data.texts ?? {}) as [keyof TextColumns, (string | null)[]][]) texts[k] = v.slice(lo, hi);
  return {
    ...data,
    ids: data.ids.slice(lo, hi),
    labels: data.labels.slice(lo, hi),
    texts,
    ...(data.sourceRows ? { sourceRows: data.sourceRows.slice(lo, hi) } : {}),
    ...(data.embeddings ? { embeddings: undefined } : {}),
    errors: shard.index === 0 ? data.errors : [],
    listed: data.ids.length,
  };
}

/** A .npy file's rows for the kept samples: by the ids file when there is one, else by the samples' rows. */
function alignNpy(data: DatasetColumns, npy: NonNullable<ReadResult['npy']>): DatasetColumns {
  let rows: number[];
  if (npy.ids) {
    const at = new Map(npy.ids.map((id, r) => [id, r]));
    const missing = data.ids.filter((id) => !at.has(id));
    if (missing.length) throw new UsageError(`${npy.idsFile} has no row for ${missing.length} samples (first: ${missing[0]})`);
    rows = data.ids.map((id) => at.get(id)!);
  } else {
    if (!data.sourceRows) throw new UsageError(`${data.format} datasets need --embedding-ids to align a .npy file`);
    rows = data.sourceRows;
  }
  return { ...data, embeddings: selectRows(npy.rows, rows) };
}
