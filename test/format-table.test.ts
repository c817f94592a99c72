// The dataset formats are one table of modules (src/ingest/formats.ts): names, extensions and folder ranks come
// from it, and a path's format is told from what each module declares.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_OPTIONS } from '../src/config/options.js';
import type { DatasetFormatModule } from '../src/ingest/dataset-format.js';
import { detectFormat } from '../src/ingest/detect-format.js';
import { DATASET_FORMATS, FORMAT_MODULES } from '../src/ingest/formats.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-format-table-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modules: readonly DatasetFormatModule[] = FORMAT_MODULES;

/** A folder holding these (empty) files; a name ending in '/' is a folder. */
async function folder(name: string, entries: string[]): Promise<string> {
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  for (const e of entries) {
    if (e.endsWith('/')) await mkdir(join(root, e), { recursive: true });
    else {
      await mkdir(join(root, e, '..'), { recursive: true });
      await writeFile(join(root, e), '');
    }
  }
  return root;
}

describe('the format table', () => {
  it('names each format once, in the table\'s order, which --input-format offers', () => {
    expect(DATASET_FORMATS).toEqual(modules.map((m) => m.name));
    expect(new Set(DATASET_FORMATS).size).toBe(DATASET_FORMATS.length);
    expect(SCAN_OPTIONS.inputFormat.choices).toEqual(DATASET_FORMATS);
  });

  it('gives no two formats one extension or one folder rank', () => {
    const extensions = modules.flatMap((m) => m.extensions ?? []);
    expect(new Set(extensions).size).toBe(extensions.length);
    for (const e of extensions) expect(e).toMatch(/^\.[a-z0-9]+$/);
    const ranks = modules.flatMap((m) => (m.folder ? [m.folder.rank] : []));
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it('tells a file by its extension and a shard pattern by its name', async () => {
    const files: Record<string, string> = {
      'a.jsonl': 'jsonl', 'a.ndjson': 'jsonl', 'a.json': 'json', 'a.csv': 'csv', 'a.tsv': 'tsv', 'a.txt': 'tsv', 'a.TSV.gz': 'tsv',
      'a.parquet': 'parquet', 'a.arrow': 'arrow', 'a.feather': 'arrow', 'a.ipc': 'arrow', 'a.tar': 'webdataset',
    };
    for (const [name, format] of Object.entries(files)) {
      await writeFile(join(dir, name), '');
      expect(await detectFormat(join(dir, name)), name).toBe(format);
    }
    expect(await detectFormat(join(dir, 'shard-{000000..000009}.tar'))).toBe('webdataset');
    await writeFile(join(dir, 'a.xyz'), '');
    await expect(detectFormat(join(dir, 'a.xyz'))).rejects.toThrow(`pass --format (${DATASET_FORMATS.join('|')})`);
  });

  it('tells a folder by its entries, the particular layouts first', async () => {
    const folders: [string, string[], string][] = [
      ['hf', ['state.json', 'data-00000-of-00001.arrow', 'train/'], 'hf'],
      ['pairs', ['00000.tar', '00000.parquet'], 'img2dataset'],
      ['pq', ['x.parquet', 'y.tar'], 'parquet'],
      ['hub', ['data/train-00000-of-00001.parquet', 'README.md'], 'parquet'],
      ['tars', ['shard-000000.tar', 'cat/'], 'webdataset'],
      ['arrows', ['x.arrow', 'cat/'], 'arrow'],
      ['images', ['a.jpg'], 'imagefolder'],
      ['classes', ['cat/a.jpg', 'dog/b.png'], 'imagefolder'],
    ];
    for (const [name, entries, format] of folders) expect(await detectFormat(await folder(name, entries)), name).toBe(format);
    await expect(detectFormat(await folder('empty', []))).rejects.toThrow(/dataset folder is empty/);
    await expect(detectFormat(await folder('notes', ['notes.md']))).rejects.toThrow(/no images or data files found/);
  });
});
