// What the format readers are told: the dataset's format and columns, and how to report progress.
import type { DatasetFormat } from '../types.js';
import { UsageError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { RecordSource } from './records.js';

export interface ReadOptions {
  format?: DatasetFormat;
  manifest?: string;
  textColumn?: string;
  labelColumn?: string;
  idColumn?: string;
  promptColumn?: string;
  responseColumn?: string;
  imageColumn?: string;
  embeddingColumn?: string;
  /** A .npy file of embeddings (named in messages). */
  embeddings?: string;
  /** The number of rows of that .npy file when no ids file aligns it: the listing must have as many samples. */
  embeddingRows?: number;
  split?: string;
  progress: Progress;
  /** Rows given in memory instead of a file (read as a table; the path only names them). */
  records?: RecordSource;
}

/** With a .npy file and no ids file, the dataset must list exactly one sample per row. */
export function checkEmbeddingRows(opts: ReadOptions, listed: number): void {
  if (opts.embeddingRows !== undefined && opts.embeddingRows !== listed) {
    throw new UsageError(`${opts.embeddings} has ${opts.embeddingRows} rows but the dataset lists ${listed} samples; pass --embedding-ids to align them by id`);
  }
}
