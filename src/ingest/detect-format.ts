// Which reader a dataset path needs: forced with --format, else from what the path holds.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DATASET_FORMATS, UsageError, type DatasetFormat } from '../types.js';
import { hasImageExtension } from './image-source.js';

export const FORMATS: DatasetFormat[] = [...DATASET_FORMATS];

const BY_EXTENSION: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json', '.csv': 'csv', '.tsv': 'tsv', '.txt': 'tsv',
  '.parquet': 'parquet', '.arrow': 'arrow', '.feather': 'arrow', '.ipc': 'arrow', '.tar': 'webdataset',
};

export async function detectFormat(path: string): Promise<DatasetFormat> {
  // A WebDataset shard pattern (shard-{000000..000099}.tar) names files, not one path.
  if (/\{\d+\.\.\d+\}/.test(path) && path.endsWith('.tar')) return 'webdataset';
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new UsageError(`dataset not found: ${path}`);
  }
  if (s.isFile()) {
    const ext = extname(path.replace(/\.gz$/i, '')).toLowerCase();
    const f = BY_EXTENSION[ext];
    if (!f) throw new UsageError(`cannot tell the format of ${path}; pass --format (${FORMATS.join('|')})`);
    return f;
  }
  if (!s.isDirectory()) throw new UsageError(`dataset is neither a file nor a folder: ${path}`);
  let names: string[];
  try {
    names = await readdir(path);
  } catch {
    throw new UsageError(`cannot read dataset folder: ${path}`);
  }
  if (names.includes('dataset_info.json') || names.includes('dataset_dict.json') || names.includes('state.json')) return 'hf';
  // img2dataset output: 00000.tar beside 00000.parquet (image-caption pairs plus their download metadata).
  if (names.some((n) => n.endsWith('.tar') && names.includes(n.slice(0, -4) + '.parquet'))) return 'img2dataset';
  if (names.some((n) => n.endsWith('.parquet'))) return 'parquet';
  // The Hugging Face Hub layout: data/<split>-0000n-of-0000m.parquet.
  if (names.includes('data')) {
    try {
      if ((await readdir(join(path, 'data'))).some((n) => n.endsWith('.parquet'))) return 'parquet';
    } catch {
      // not a folder
    }
  }
  if (names.some((n) => n.endsWith('.tar'))) return 'webdataset';
  if (names.some((n) => n.endsWith('.arrow'))) return 'arrow';
  // Image folders may keep images one level down (class folders) or deeper.
  if (names.some((n) => hasImageExtension(n))) return 'imagefolder';
  for (const n of names) {
    try {
      if ((await stat(join(path, n))).isDirectory()) return 'imagefolder';
    } catch {
      // unreadable entries are reported by the lister
    }
  }
  if (names.length === 0) throw new UsageError(`dataset folder is empty: ${path}`);
  throw new UsageError(`no images or data files found in ${path}; pass --format`);
}
