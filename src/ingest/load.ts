// Ingest stage: turns a dataset path into the columns the detectors read.
import { resolve } from 'node:path';
import type { DatasetFormat, Modality, SampleError } from '../types.js';
import { UsageError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { ImageFeatures } from '../model/image-features.js';
import { fingerprintImages, guessGrid, type FingerprintReuse } from '../fingerprint/images.js';
import { fingerprintInParts, type CheckpointOptions } from '../store/checkpoint.js';
import { shardRange, type ShardSpec } from '../store/shards.js';
import { detectFormat } from './detect-format.js';
import { listImageFolder } from './imagefolder.js';
import { listManifest } from './manifest.js';
import { loadTabular } from './tabular.js';
import { loadImg2dataset } from './img2dataset.js';
import type { TextColumns } from '../model/text-columns.js';
import type { ImageSample } from './image-source.js';
import { selectRows, type Embeddings } from '../embed/embeddings.js';
import { readNpy } from '../embed/npy.js';
import { readFile } from 'node:fs/promises';

export interface LoadOptions {
  format?: DatasetFormat;
  manifest?: string;
  textColumn?: string;
  labelColumn?: string;
  idColumn?: string;
  promptColumn?: string;
  responseColumn?: string;
  imageColumn?: string;
  embeddingColumn?: string;
  /** A .npy file of embeddings, and optionally a file of the sample id of each of its rows. */
  embeddings?: string;
  embeddingIds?: string;
  /** Set by loadDataset from the .npy: the number of samples the listing must have when no ids file is given. */
  embeddingRows?: number;
  split?: string;
  concurrency: number;
  grid?: number;
  pixelLimit?: number;
  progress: Progress;
  /** Stored fingerprints of a baseline scan (image datasets). */
  reuse?: FingerprintReuse;
  /** Fingerprint only this slice of the samples (scan --shard I/N). */
  shard?: ShardSpec;
  /** Rows given in memory instead of a file (read as a table; the path only names them). */
  records?: import('./records.js').RecordSource;
  /** Write image fingerprints in parts as they complete, and re-use finished ones (--resume). */
  checkpoint?: CheckpointOptions;
  /** Called with the listed image samples before any is decoded: usage checks that need the listing. */
  beforeDecode?: (samples: ImageSample[], format: DatasetFormat) => void;
}

export interface LoadedDataset {
  path: string;
  format: DatasetFormat;
  modality: Modality;
  ids: string[];
  labels: (string | null)[];
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Per-sample embeddings from a dataset column or a .npy file, aligned with ids. */
  embeddings?: Embeddings;
  /** Position of each kept sample in the dataset's own order (listing or rows, unreadable ones included). */
  sourceRows?: number[];
  errors: SampleError[];
  /** With a baseline: how many samples' fingerprints were copied rather than computed. */
  reused?: number;
  /** Samples of the whole listing, before a --shard slice. */
  listed?: number;
  /** Seconds per stage spent while loading (ingest, fingerprint). */
  stages: Record<string, number>;
}

/** Reads a dataset of one format into the columns the detectors read. */
export type FormatLoader = (path: string, opts: LoadOptions) => Promise<LoadedDataset>;

/** Every format and its reader. Adding a format: its name in DATASET_FORMATS (types.ts), its reader, one line here. */
const LOADERS: Record<DatasetFormat, FormatLoader> = {
  imagefolder: (p, o) => loadImageFolder(p, o),
  jsonl: (p, o) => loadTabular(p, 'jsonl', o),
  json: (p, o) => loadTabular(p, 'json', o),
  csv: (p, o) => loadTabular(p, 'csv', o),
  tsv: (p, o) => loadTabular(p, 'tsv', o),
  parquet: (p, o) => loadTabular(p, 'parquet', o),
  arrow: (p, o) => loadTabular(p, 'arrow', o),
  hf: (p, o) => loadTabular(p, 'hf', o),
  webdataset: (p, o) => loadTabular(p, 'webdataset', o),
  img2dataset: (p, o) => loadImg2dataset(p, o),
};

export async function loadDataset(pathArg: string, opts: LoadOptions): Promise<LoadedDataset> {
  const path = resolve(pathArg);
  const format = opts.format ?? (opts.manifest ? 'imagefolder' : await detectFormat(path));
  const loader = Object.hasOwn(LOADERS, format) ? LOADERS[format] : undefined;
  if (!loader) throw new UsageError(`format ${format} is not supported yet`);
  // A .npy file is read and checked before any decoding.
  const npy = opts.embeddings ? await readNpy(opts.embeddings) : undefined;
  const ids = npy && opts.embeddingIds ? (await readFile(opts.embeddingIds, 'utf8')).split(/\r?\n/).filter((l) => l !== '') : undefined;
  if (npy && ids && ids.length !== npy.rows) throw new UsageError(`${opts.embeddingIds} has ${ids.length} ids, ${opts.embeddings} has ${npy.rows} rows`);
  const withRows = { ...opts, embeddingRows: ids ? undefined : npy?.rows };
  let data = await loader(path, withRows);
  // Image datasets are sliced before decoding (fingerprintImageSamples); text is cheap to read, sliced here.
  if (opts.shard && !data.images) data = sliceTextShard(data, opts.shard);
  if (!npy) return data;
  let rows: number[];
  if (ids) {
    const at = new Map(ids.map((id, r) => [id, r]));
    const missing = data.ids.filter((id) => !at.has(id));
    if (missing.length) throw new UsageError(`${opts.embeddingIds} has no row for ${missing.length} samples (first: ${missing[0]})`);
    rows = data.ids.map((id) => at.get(id)!);
  } else {
    if (!data.sourceRows) throw new UsageError(`${format} datasets need --embedding-ids to align a .npy file`);
    rows = data.sourceRows;
  }
  return { ...data, embeddings: selectRows(npy, rows) };
}

/** With a .npy file and no ids file, the dataset must list exactly one sample per row. */
export function checkEmbeddingRows(opts: LoadOptions, listed: number): void {
  if (opts.embeddingRows !== undefined && opts.embeddingRows !== listed) {
    throw new UsageError(`${opts.embeddings} has ${opts.embeddingRows} rows but the dataset lists ${listed} samples; pass --embedding-ids to align them by id`);
  }
}

async function loadImageFolder(path: string, opts: LoadOptions): Promise<LoadedDataset> {
  const t0 = performance.now();
  opts.progress.stage('list');
  const listing = opts.manifest ? await listManifest(path, opts.manifest) : await listImageFolder(path);
  opts.progress.done();
  if (listing.samples.length === 0) throw new UsageError(`no image files found in ${path}`);
  checkEmbeddingRows(opts, listing.samples.length);
  const t1 = performance.now();
  return fingerprintImageSamples(path, 'imagefolder', listing.samples, listing.errors, opts, { ingest: (t1 - t0) / 1000 });
}

/** Shared by every image-bearing format: decode, fingerprint, drop unreadable samples. */
export async function fingerprintImageSamples(
  path: string,
  format: DatasetFormat,
  samples: ImageSample[],
  listErrors: SampleError[],
  opts: LoadOptions,
  stages: Record<string, number>,
): Promise<LoadedDataset> {
  const t1 = performance.now();
  opts.beforeDecode?.(samples, format);
  let grid = opts.grid;
  let offset = 0;
  const all = samples;
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
  return {
    path,
    format,
    modality: 'image',
    ids: fp.kept.map((i) => samples[i]!.id),
    sourceRows: fp.kept.map((i) => i + offset),
    labels: fp.kept.map((i) => samples[i]!.label),
    images: fp.features,
    errors: [...listErrors, ...fp.errors],
    listed: all.length,
    ...(opts.reuse ? { reused: fp.reused } : {}),
    stages: { ...stages, fingerprint: (t2 - t1) / 1000 },
  };
}

/** Shard I/N of a text dataset: a contiguous slice of the readable samples; shard 0 carries the row errors. */
function sliceTextShard(data: LoadedDataset, shard: ShardSpec): LoadedDataset {
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
