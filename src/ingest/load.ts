// Ingest stage: turns a dataset path into the columns the detectors read.
import { resolve } from 'node:path';
import type { DatasetFormat, Modality, SampleError } from '../types.js';
import { UsageError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { ImageFeatures } from '../fingerprint/image-features.js';
import { fingerprintImages, type FingerprintReuse } from '../fingerprint/images.js';
import { detectFormat } from './detect-format.js';
import { listImageFolder } from './imagefolder.js';
import { listManifest } from './manifest.js';
import type { TextColumns } from './text-columns.js';
import type { ImageSample } from './image-source.js';
import type { Embeddings } from '../embed/embeddings.js';

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
  split?: string;
  concurrency: number;
  grid?: number;
  pixelLimit?: number;
  progress: Progress;
  /** Stored fingerprints of a baseline scan (image datasets). */
  reuse?: FingerprintReuse;
}

export interface LoadedDataset {
  path: string;
  format: DatasetFormat;
  modality: Modality;
  ids: string[];
  labels: (string | null)[];
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Per-sample embeddings from a dataset column, aligned with ids. */
  embeddings?: Embeddings;
  errors: SampleError[];
  /** With a baseline: how many samples' fingerprints were copied rather than computed. */
  reused?: number;
  /** Seconds per stage spent while loading (ingest, fingerprint). */
  stages: Record<string, number>;
}

/** Readers for formats other than image folders register here (tabular text, Parquet, Arrow, WebDataset). */
export type FormatLoader = (path: string, opts: LoadOptions) => Promise<LoadedDataset>;
const loaders = new Map<DatasetFormat, FormatLoader>();
export function registerLoader(format: DatasetFormat, loader: FormatLoader): void {
  loaders.set(format, loader);
}

export async function loadDataset(pathArg: string, opts: LoadOptions): Promise<LoadedDataset> {
  // Readers of other formats register themselves on import.
  await import('./tabular.js');
  const path = resolve(pathArg);
  const format = opts.format ?? (opts.manifest ? 'imagefolder' : await detectFormat(path));
  if (format === 'imagefolder') return loadImageFolder(path, opts);
  const loader = loaders.get(format);
  if (!loader) throw new UsageError(`format ${format} is not supported yet`);
  return loader(path, opts);
}

async function loadImageFolder(path: string, opts: LoadOptions): Promise<LoadedDataset> {
  const t0 = performance.now();
  opts.progress.stage('list');
  const listing = opts.manifest ? await listManifest(path, opts.manifest) : await listImageFolder(path);
  opts.progress.done();
  if (listing.samples.length === 0) throw new UsageError(`no image files found in ${path}`);
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
  const fp = await fingerprintImages(samples, { concurrency: opts.concurrency, grid: opts.grid, pixelLimit: opts.pixelLimit, progress: opts.progress, reuse: opts.reuse });
  const t2 = performance.now();
  if (fp.kept.length === 0) throw new UsageError(`none of the ${samples.length} images in ${path} could be read (first error: ${fp.errors[0]?.error ?? 'unknown'})`);
  return {
    path,
    format,
    modality: 'image',
    ids: fp.kept.map((i) => samples[i]!.id),
    labels: fp.kept.map((i) => samples[i]!.label),
    images: fp.features,
    errors: [...listErrors, ...fp.errors],
    ...(opts.reuse ? { reused: fp.reused } : {}),
    stages: { ...stages, fingerprint: (t2 - t1) / 1000 },
  };
}
