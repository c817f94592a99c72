// Reading a dataset: the format table. Every reader lists the samples (image files, rows) and reads their ids,
// labels and text; images are not decoded here (the fingerprint stage does that).
import { resolve } from 'node:path';
import type { DatasetFormat } from '../types.js';
import { UsageError } from '../types.js';
import type { ListedDataset } from '../model/dataset.js';
import { detectFormat } from './detect-format.js';
import { listImageFolder } from './imagefolder.js';
import { listManifest } from './manifest.js';
import { readTabular } from './tabular.js';
import { readImg2dataset } from './img2dataset.js';
import { checkEmbeddingRows, type ReadOptions } from './read-options.js';

/** Reads a dataset of one format into its listed samples. */
export type FormatReader = (path: string, opts: ReadOptions) => Promise<ListedDataset>;

/** Every format and its reader. Adding a format: its name in DATASET_FORMATS (types.ts), its reader, one line here. */
const READERS: Record<DatasetFormat, FormatReader> = {
  imagefolder: (p, o) => readImageFolder(p, o),
  jsonl: (p, o) => readTabular(p, 'jsonl', o),
  json: (p, o) => readTabular(p, 'json', o),
  csv: (p, o) => readTabular(p, 'csv', o),
  tsv: (p, o) => readTabular(p, 'tsv', o),
  parquet: (p, o) => readTabular(p, 'parquet', o),
  arrow: (p, o) => readTabular(p, 'arrow', o),
  hf: (p, o) => readTabular(p, 'hf', o),
  webdataset: (p, o) => readTabular(p, 'webdataset', o),
  img2dataset: (p, o) => readImg2dataset(p, o),
};

/** The format to read `path` as: the forced one, or the one its contents show. */
export async function formatOf(path: string, opts: Pick<ReadOptions, 'format' | 'manifest'>): Promise<DatasetFormat> {
  const format = opts.format ?? (opts.manifest ? 'imagefolder' : await detectFormat(path));
  if (!Object.hasOwn(READERS, format)) throw new UsageError(`format ${format} is not supported yet`);
  return format;
}

/** Lists the samples of `path` read as `format` (see formatOf). */
export function listDataset(path: string, format: DatasetFormat, opts: ReadOptions): Promise<ListedDataset> {
  return READERS[format](resolve(path), opts);
}

async function readImageFolder(path: string, opts: ReadOptions): Promise<ListedDataset> {
  const t0 = performance.now();
  opts.progress.stage('list');
  const listing = opts.manifest ? await listManifest(path, opts.manifest) : await listImageFolder(path);
  opts.progress.done();
  if (listing.samples.length === 0) throw new UsageError(`no image files found in ${path}`);
  checkEmbeddingRows(opts, listing.samples.length);
  const samples = listing.samples;
  return {
    path, format: 'imagefolder', modality: 'image',
    ids: samples.map((s) => s.id), labels: samples.map((s) => s.label), sourceRows: samples.map((_, i) => i),
    images: { samples, close: async () => undefined },
    errors: listing.errors,
    stages: { ingest: (performance.now() - t0) / 1000 },
  };
}
