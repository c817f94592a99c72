// The options that say how to read a dataset, shared by `scan` and its fingerprint stage (`--stage fingerprint`).
import type { ScanValues } from '../config/options.js';
import type { ScanOptions } from '../scan.js';

type ReadOptions = Pick<ScanOptions,
  | 'dataset' | 'out' | 'format' | 'manifest' | 'textColumn' | 'labelColumn' | 'idColumn' | 'promptColumn' | 'responseColumn'
  | 'imageColumn' | 'split' | 'embeddingColumn' | 'embeddings' | 'baseline' | 'concurrency' | 'grid' | 'resume'
  | 'checkpointEvery'>;

/** The parsed command-line options (after config defaults) that say how the dataset is read and fingerprinted. */
export function readOptions(dataset: string, o: ScanValues): ReadOptions {
  return {
    dataset,
    out: o.out,
    // --input-format, or its earlier name --format (also a config key).
    format: o.inputFormat ?? o.format,
    manifest: o.manifest,
    textColumn: o.textColumn,
    labelColumn: o.labelColumn,
    idColumn: o.idColumn,
    promptColumn: o.promptColumn,
    responseColumn: o.responseColumn,
    imageColumn: o.imageColumn,
    split: o.split,
    embeddingColumn: o.embeddingColumn,
    embeddings: o.embeddings,
    baseline: o.baseline,
    concurrency: o.concurrency,
    grid: o.grid,
    resume: Boolean(o.resume),
    checkpointEvery: o.checkpointEvery,
  };
}
