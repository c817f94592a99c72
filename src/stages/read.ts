// The read stage: a dataset path to its listed samples (ids, labels, text, image sources), with the embeddings that
// come with it: a column of the dataset or a .npy file, both checked here, before any image is decoded.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../types.js';
import type { ListedDataset } from '../model/dataset.js';
import type { Embeddings } from '../model/embeddings.js';
import { formatOf, listDataset } from '../ingest/read.js';
import type { ReadOptions } from '../ingest/read-options.js';
import { embeddingsFromColumn } from '../embed/embeddings.js';
import { readNpy } from '../embed/npy.js';

export interface ReadDatasetOptions extends Omit<ReadOptions, 'embeddingRows'> {
  /** A .npy file of embeddings, and optionally a file of the sample id of each of its rows. */
  embeddings?: string;
  embeddingIds?: string;
}

export interface ReadResult {
  listed: ListedDataset;
  /** The embedding column's vectors, one per listed sample. */
  columnEmbeddings?: Embeddings;
  /** A .npy file's rows, aligned with the samples by the fingerprint stage (by `ids` when given, else by row). */
  npy?: { rows: Embeddings; ids?: string[]; idsFile?: string };
}

export async function readDataset(pathArg: string, opts: ReadDatasetOptions): Promise<ReadResult> {
  const path = resolve(pathArg);
  const format = await formatOf(path, opts);
  // A .npy file is read and checked before any decoding.
  const npy = opts.embeddings ? await readNpy(opts.embeddings) : undefined;
  const ids = npy && opts.embeddingIds ? (await readFile(opts.embeddingIds, 'utf8')).split(/\r?\n/).filter((l) => l !== '') : undefined;
  if (npy && ids && ids.length !== npy.rows) throw new UsageError(`${opts.embeddingIds} has ${ids.length} ids, ${opts.embeddings} has ${npy.rows} rows`);
  const listed = await listDataset(path, format, { ...opts, embeddingRows: ids ? undefined : npy?.rows });
  let columnEmbeddings: Embeddings | undefined;
  try {
    // The column's vectors are checked before the long decoding work.
    const col = listed.embeddingColumn;
    if (col) columnEmbeddings = embeddingsFromColumn(col.cells, col.name, listed.ids);
  } catch (e) {
    await listed.images?.close();
    throw e;
  }
  return { listed, ...(columnEmbeddings ? { columnEmbeddings } : {}), ...(npy ? { npy: { rows: npy, ...(ids ? { ids, idsFile: opts.embeddingIds } : {}) } } : {}) };
}
