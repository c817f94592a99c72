// --manifest: a CSV or JSONL file naming the images (column `path`, optional `label`).
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { checkInsideRoot, OutsideRootError } from './inside-root.js';
import { UsageError } from '../types.js';
import { RowError } from './records.js';
import { delimitedSource } from './records/delimited.js';
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
    for await (const r of delimitedSource(file, file.toLowerCase().endsWith('.tsv') ? '\t' : ',').rows()) {
      if (r instanceof RowError) throw new UsageError(`manifest ${file} row ${r.row + 1}: ${r.message}`);
      const key = (name: string) => Object.keys(r).find((k) => k.toLowerCase() === name);
      const pk = key('path');
      if (!pk) throw new UsageError(`manifest ${file} has no "path" column`);
      const lk = key('label');
      const label = lk ? r[lk] : null;
      rows.push({ path: String(r[pk] ?? ''), label: label === null || label === undefined || label === '' ? null : String(label) });
    }
  }
  if (rows.length === 0) throw new UsageError(`manifest ${file} names no images`);
  return rows;
}

/**
 * Images named by a manifest; relative paths are taken from the dataset root. A row whose path (links resolved)
 * leaves the dataset root is refused and reported: a manifest must not make the scan open other files.
 */
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
    const full = isAbsolute(r.path) ? r.path : join(root, r.path);
    try {
      await checkInsideRoot(root, full, 'manifest path');
    } catch (e) {
      if (!(e instanceof OutsideRootError)) throw e;
      listing.errors.push({ id, error: e.message });
      continue;
    }
    listing.samples.push(fileSample(id, r.label, full));
  }
  return listing;
}
