// Reading a dataset: its format's reader (formats.ts) lists the samples (image files, rows) and reads their ids,
// labels and text; images are not decoded here (the fingerprint stage does that).
import { resolve } from 'node:path';
import type { DatasetFormat } from '../types.js';
import { UsageError } from '../types.js';
import type { ListedDataset } from '../model/dataset.js';
import { detectFormat } from './detect-format.js';
import { formatModule } from './formats.js';
import type { ReadOptions } from './read-options.js';

/** The format to read `path` as: the forced one, or the one its contents show. */
export async function formatOf(path: string, opts: Pick<ReadOptions, 'format' | 'manifest'>): Promise<DatasetFormat> {
  const format = opts.format ?? (opts.manifest ? 'imagefolder' : await detectFormat(path));
  if (!formatModule(format)) throw new UsageError(`format ${format} is not supported yet`);
  return format;
}

/** Lists the samples of `path` read as `format` (see formatOf). */
export function listDataset(path: string, format: DatasetFormat, opts: ReadOptions): Promise<ListedDataset> {
  const m = formatModule(format);
  if (!m) throw new UsageError(`format ${format} is not supported yet`);
  return m.read(resolve(path), opts);
}
