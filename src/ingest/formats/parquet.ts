// Parquet: a file, or a folder of them (also the Hugging Face Hub layout, data/<split>-0000n-of-0000m.parquet).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rowFormat } from '../dataset-format.js';
import { parquetSource } from '../records/parquet.js';

export const parquet = rowFormat({
  name: 'parquet',
  extensions: ['.parquet'],
  folder: {
    rank: 30,
    async holds(path, names) {
      if (names.some((n) => n.endsWith('.parquet'))) return true;
      if (!names.includes('data')) return false;
      try {
        return (await readdir(join(path, 'data'))).some((n) => n.endsWith('.parquet'));
      } catch {
        return false; // not a folder
      }
    },
  },
  source: (path) => parquetSource(path),
});
