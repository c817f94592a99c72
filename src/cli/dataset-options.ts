// The options that say how to read a dataset, shared by `scan` and its fingerprint stage (`--stage fingerprint`).
import { InvalidArgumentError } from 'commander';
import type { ScanOptions } from '../scan.js';
import type { DatasetFormat } from '../types.js';

/** A commander parser for a whole number of at least `min`. */
export function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return n;
  };
}

type ReadOptions = Pick<ScanOptions,
  | 'dataset' | 'out' | 'format' | 'manifest' | 'textColumn' | 'labelColumn' | 'idColumn' | 'promptColumn' | 'responseColumn'
  | 'imageColumn' | 'split' | 'embeddingColumn' | 'embeddings' | 'baseline' | 'concurrency' | 'grid' | 'resume'
  | 'checkpointEvery'>;

/** The parsed command-line options (after config defaults) that say how the dataset is read and fingerprinted. */
export function readOptions(dataset: string, o: Record<string, unknown>): ReadOptions {
  return {
    dataset,
    out: o.out as string,
    // --input-format, or its earlier name --format (also a config key).
    format: (o.inputFormat ?? o.format) as DatasetFormat | undefined,
    manifest: o.manifest as string | undefined,
    textColumn: o.textColumn as string | undefined,
    labelColumn: o.labelColumn as string | undefined,
    idColumn: o.idColumn as string | undefined,
    promptColumn: o.promptColumn as string | undefined,
    responseColumn: o.responseColumn as string | undefined,
    imageColumn: o.imageColumn as string | undefined,
    split: o.split as string | undefined,
    embeddingColumn: o.embeddingColumn as string | undefined,
    embeddings: o.embeddings as string | undefined,
    baseline: o.baseline as string | undefined,
    concurrency: o.concurrency as number,
    grid: o.grid as number | undefined,
    resume: Boolean(o.resume),
    checkpointEvery: o.checkpointEvery as number | undefined,
  };
}
