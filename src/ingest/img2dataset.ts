// img2dataset / LAION layout: per shard a tar (<key>.jpg, <key>.txt caption, <key>.json metadata) and a parquet of
// the same name (url, caption, key, status, sha256, ...). Image-caption pairs: modality image-text, the image
// detectors read the images and the text detectors the captions. Streamed from the tars, never unpacked.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, type SampleError } from '../types.js';
import type { ListedDataset } from '../model/dataset.js';
import type { ReadOptions } from './read-options.js';
import { RowError, type Cell } from './records.js';
import { parquetSource } from './records/parquet.js';
import { webdatasetSource } from './records/webdataset.js';
import type { ImageSample } from './image-source.js';
import { RowCursor } from './row-cursor.js';

const IMAGE_FIELDS = ['jpg', 'jpeg', 'png', 'webp'];

function imageField(r: Record<string, Cell>): Uint8Array | null {
  const f = IMAGE_FIELDS.find((k) => r[k] instanceof Uint8Array);
  return f ? (r[f] as Uint8Array) : null;
}

const str = (c: Cell): string | null => (typeof c === 'string' ? c : typeof c === 'number' || typeof c === 'bigint' ? String(c) : null);

export async function readImg2dataset(path: string, opts: ReadOptions): Promise<ListedDataset> {
  const t0 = performance.now();
  const names = (await readdir(path)).sort();
  const stems = [...new Set(names.filter((n) => /\.(tar|parquet)$/.test(n)).map((n) => n.replace(/\.(tar|parquet)$/, '')))].sort();
  if (stems.length === 0) throw new UsageError(`${path}: no img2dataset shards (NNNNN.tar + NNNNN.parquet)`);
  opts.progress.stage('read');
  const samples: ImageSample[] = [];
  const captions: (string | null)[] = [];
  const errors: SampleError[] = [];
  const shardOf = new Map<string, string>();
  const cursors: RowCursor<Uint8Array | null>[] = [];
  let active: RowCursor<Uint8Array | null> | undefined;
  let parquetSchema: string | null = null;
  for (const stem of stems) {
    const tar = `${stem}.tar`;
    const pq = `${stem}.parquet`;
    // The parquet lists every url tried; the tar holds the ones that downloaded.
    const meta = new Map<string, { caption: string | null; status: string | null }>();
    if (names.includes(pq)) {
      const src = parquetSource(join(path, pq));
      for await (const r of src.rows()) {
        if (r instanceof RowError) {
          errors.push({ id: `${pq}#${r.row}`, error: r.message });
          continue;
        }
        const key = str(r.key ?? null);
        if (key !== null) meta.set(key, { caption: str(r.caption ?? null), status: str(r.status ?? null) });
      }
      const cols = src.columns.join(',');
      if (parquetSchema === null) parquetSchema = cols;
      else if (cols !== parquetSchema) errors.push({ id: pq, error: `${pq} has columns ${cols}, the first shard has ${parquetSchema}; read as far as its key and caption go` });
    }
    if (!names.includes(tar)) {
      const downloaded = [...meta.values()].filter((m) => m.status === 'success').length;
      errors.push({ id: tar, error: `${tar} is missing (${pq} lists ${downloaded} downloaded samples)` });
      continue;
    }
    const inTar = new Set<string>();
    // The image bytes are read again from the tar when decoded (see row-cursor.ts), not held from this pass.
    const tarPath = join(path, tar);
    const again = new RowCursor<Uint8Array | null>(async function* () {
      for await (const r of webdatasetSource(tarPath).rows()) yield r instanceof RowError ? null : imageField(r);
    });
    cursors.push(again);
    let item = -1;
    for await (const r of webdatasetSource(tarPath).rows()) {
      item++;
      if (r instanceof RowError) {
        errors.push({ id: `${tar}#${r.row}`, error: r.message });
        continue;
      }
      const key = String(r.__key__);
      const at = item;
      const first = shardOf.get(key);
      if (first !== undefined) {
        errors.push({ id: `${tar}:${key}`, error: `key ${key} is in ${first} and ${tar}; the second is skipped (a shard copied twice?)` });
        continue;
      }
      shardOf.set(key, tar);
      inTar.add(key);
      if (!imageField(r)) {
        errors.push({ id: key, error: `${tar}: sample ${key} has no image (fields: ${Object.keys(r).filter((k) => k !== '__key__').join(', ') || 'none'})` });
        continue;
      }
      const json = r.json && typeof r.json === 'object' && !Array.isArray(r.json) ? (r.json as Record<string, Cell>) : {};
      captions.push(str(r.txt ?? null) ?? str(json.caption ?? null) ?? meta.get(key)?.caption ?? null);
      samples.push({
        id: key, label: null,
        read: async () => {
          // Decoding moves through the tars in order: a tar left behind is closed (one open stream at a time).
          if (active !== again) {
            void active?.close();
            active = again;
          }
          const b = await again.at(at);
          if (!b) throw new Error(`${tar}: sample ${key} could not be read again`);
          return b;
        },
      });
    }
    for (const [key, m] of meta) {
      if (m.status === 'success' && !inTar.has(key)) errors.push({ id: key, error: `${pq} lists ${key} as downloaded but ${tar} does not hold it` });
    }
    opts.progress.tick();
  }
  opts.progress.done();
  if (samples.length === 0) throw new UsageError(`${path}: no image in ${stems.length} img2dataset shards${errors[0] ? ` (first problem: ${errors[0].error})` : ''}`);
  return {
    path, format: 'img2dataset', modality: 'image-text',
    ids: samples.map((x) => x.id), labels: samples.map((x) => x.label), texts: { text: captions }, sourceRows: samples.map((_, i) => i),
    images: { samples, close: async () => void (await Promise.all(cursors.map((c) => c.close()))) },
    errors, stages: { ingest: (performance.now() - t0) / 1000 },
  };
}
