// A dataset as it passes through the stages: listed by the read stage (nothing decoded), then as the columns the
// detectors read once the fingerprint stage has decoded its images.
import type { DatasetFormat, Modality, SampleError } from '../types.js';
import type { Cell } from './cell.js';
import type { Embeddings } from './embeddings.js';
import type { ImageFeatures } from './image-features.js';
import type { ImageSample } from './image-sample.js';
import type { TextColumns } from './text-columns.js';

/** The read stage's result: one entry per sample in every column (a readable row, or a listed image). */
export interface ListedDataset {
  path: string;
  format: DatasetFormat;
  modality: Modality;
  ids: string[];
  labels: (string | null)[];
  texts?: TextColumns;
  /** Position of each sample in the dataset's own order (listing or rows, unreadable ones included). */
  sourceRows: number[];
  /** Image datasets: how to read each sample's bytes. `close` ends the reads the samples keep open. */
  images?: { samples: ImageSample[]; close(): Promise<void> };
  /** The cells of the dataset's embedding column, one per sample. */
  embeddingColumn?: { name: string; cells: Cell[] };
  /** Problems met while reading: unreadable rows, folders, files. */
  errors: SampleError[];
  /** Seconds spent per stage so far. */
  stages: Record<string, number>;
}

/** The per-sample columns a detector reads. Row i of every column is sample i. */
export interface SampleColumns {
  modality: Modality;
  ids: string[];
  /** Class label per sample, null where the dataset has none. */
  labels: (string | null)[];
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Per-sample embedding vectors (a dataset column, a .npy file or a model's), aligned with ids. */
  embeddings?: Embeddings;
}

/** The columns the detectors read, one row per readable sample (the fingerprint stage's result). */
export interface DatasetColumns extends SampleColumns {
  path: string;
  format: DatasetFormat;
  /** Position of each kept sample in the dataset's own order (listing or rows, unreadable ones included). */
  sourceRows?: number[];
  errors: SampleError[];
  /** With a baseline: how many samples' fingerprints were copied rather than computed. */
  reused?: number;
  /** Samples of the whole listing, before a --shard slice. */
  listed?: number;
  /** Seconds per stage so far (ingest, fingerprint, merge). */
  stages: Record<string, number>;
}
