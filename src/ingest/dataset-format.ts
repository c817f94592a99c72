// What a dataset format is to the scan: its name, how a path is known to be of it, and its reader. Each format is
// one module in formats/ declaring these; formats.ts lists the modules, and every other list of formats is read
// from there.
import type { ListedDataset } from '../model/dataset.js';
import type { ReadOptions } from './read-options.js';
import type { RecordSource } from './records.js';
import { readTabular } from './tabular.js';

/** Reads a dataset of one format into its listed samples. */
export type FormatReader = (path: string, opts: ReadOptions) => Promise<ListedDataset>;

export interface DatasetFormatModule<N extends string = string> {
  /** Its name: `--input-format`, report.json's dataset.format. */
  name: N;
  /** Endings of a file of this format, lower case with the dot (`.jsonl`); a `.gz` after them is read too. */
  extensions?: readonly string[];
  /** A dataset path that names several files (a shard pattern) of this format. */
  pattern?: RegExp;
  /**
   * A folder of this format, told from its entries' names. Folders are tried by `rank`, lowest first (the more
   * particular layouts before the general ones); the first that holds it names the format.
   */
  folder?: { rank: number; holds(path: string, names: string[]): boolean | Promise<boolean> };
  read: FormatReader;
}

/**
 * A row format: one record per sample, read as a table (column choice, modality, image cells and embedding columns
 * as for the other row formats). `source` opens the rows of `path` (a split of a Hugging Face folder, if any).
 */
export function rowFormat<N extends string>(spec: Omit<DatasetFormatModule<N>, 'read'> & { source: (path: string, split?: string) => RecordSource }): DatasetFormatModule<N> {
  const { source, ...rest } = spec;
  return { ...rest, read: (path, opts) => readTabular(path, spec.name, opts, source) };
}
