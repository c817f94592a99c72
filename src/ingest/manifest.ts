// --manifest: a CSV or JSONL file naming the images (column `path`, optional `label`).
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { UsageError } from '../types.js';
import { parseDelimited } from './csv.js';
import { fileSample } from './imagefolder.js';
import type { ImageListing } from './image-source.js';

export interface ManifestRow {
  path: string;
  label: string | null;
}

export async function readManifestRows(file: string): Promise<ManifestRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read manifest ${file}`);
  }
  const rows: ManifestRow[] = [];
  if (/\.jsonl?$/i.test(file) || text.trimStart().startsWith('{')) {
    const lines = text.split(/\r?\n/);
    lines.forEach((line, n) => {
      if (!line.trim()) return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw new UsageError(`manifest ${file} line ${n + 1} is not valid JSON`);
      }
      const o = obj as Record<string, unknown>;
      if (typeof o.path !== 'string') throw new UsageError(`manifest ${file} line ${n + 1} has no "path"`);
      rows.push({ path: o.path, label: o.label === undefined || o.label === null ? null : String(o.label) });
    });
  } else {
    const table = parseDelimited(text, { separator: file.toLowerCase().endsWith('.tsv') ? '\t' : ',', trim: true });
    const header = table[0]?.map((h) => h.toLowerCase()) ?? [];
    const ip = header.indexOf('path');
    const il = header.indexOf('label');
    if (ip < 0) throw new UsageError(`manifest ${file} has no "path" column`);
    for (const r of table.slice(1)) rows.push({ path: r[ip] ?? '', label: il >= 0 && r[il] ? r[il]! : null });
  }
  if (rows.length === 0) throw new UsageError(`manifest ${file} names no images`);
  return rows;
}

/** Images named by a manifest; relative paths are taken from the dataset root. */
export async function listManifest(root: string, file: string): Promise<ImageListing> {
  const rows = await readManifestRows(file);
  const seen = new Set<string>();
  const listing: ImageListing = { samples: [], errors: [] };
  for (const r of rows) {
    const id = normalize(r.path).split(sep).join('/');
    if (seen.has(id)) {
      listing.errors.push({ id, error: 'listed twice in the manifest; first entry kept' });
      continue;
    }
    seen.add(id);
    listing.samples.push(fileSample(id, r.label, isAbsolute(r.path) ? r.path : join(root, r.path)));
  }
  return listing;
}
