// Which reader a dataset path needs when --input-format does not say: from what the path holds, as each format's
// module declares it (formats.ts).
import { readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from '../types.js';
import type { DatasetFormatModule } from './dataset-format.js';
import { DATASET_FORMATS, FORMAT_MODULES, type FormatName } from './formats.js';

export const FORMATS: FormatName[] = [...DATASET_FORMATS];

const MODULES: readonly DatasetFormatModule<FormatName>[] = FORMAT_MODULES;
const BY_EXTENSION = new Map(MODULES.flatMap((f) => (f.extensions ?? []).map((e) => [e, f.name] as const)));
const BY_FOLDER = MODULES.flatMap((f) => (f.folder ? [{ name: f.name, ...f.folder }] : [])).sort((a, b) => a.rank - b.rank);

export async function detectFormat(path: string): Promise<FormatName> {
  // A shard pattern names files, not one path.
  const patterned = MODULES.find((f) => f.pattern?.test(path));
  if (patterned) return patterned.name;
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new UsageError(`dataset not found: ${path}`);
  }
  if (s.isFile()) {
    const ext = extname(path.replace(/\.gz$/i, '')).toLowerCase();
    const f = BY_EXTENSION.get(ext);
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
  for (const f of BY_FOLDER) if (await f.holds(path, names)) return f.name;
  if (names.length === 0) throw new UsageError(`dataset folder is empty: ${path}`);
  throw new UsageError(`no images or data files found in ${path}; pass --format`);
}
