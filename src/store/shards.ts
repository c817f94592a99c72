// Fingerprint shards: `scan --shard I/N --stage fingerprint --out DIR` writes DIR/fingerprints.arrow (the columns
// the detectors read) and DIR/fingerprint-shard.json (what it was made from, written last: its presence means the
// shard is complete). `detect DIR...` checks the shards belong together and merges them in shard order, which is
// the dataset's own order, so the detectors see exactly what one unsharded scan would.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableToIPC, type Table } from 'apache-arrow';
import type { ImageFeatures } from '../model/image-features.js';
import type { TextColumns } from '../model/text-columns.js';
import { UsageError, type DatasetFormat, type Json, type Modality, type SampleError } from '../types.js';
import { writeFileAtomic } from './atomic.js';
import { ImageFeaturesBuilder } from './feature-builder.js';
import { readTableFile } from './read-table.js';
import { imageFingerprintsFromTable, imageFingerprintTable } from './image-fingerprints.js';
import { textFingerprintsFromTable, textFingerprintTable } from './text-fingerprints.js';

export interface ShardSpec {
  index: number;
  count: number;
}

export const SHARD_MANIFEST = 'fingerprint-shard.json';
export const SHARD_TABLE = 'fingerprints.arrow';

/** "I/N" (0-based I) from the command line. */
export function parseShard(s: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard must be I/N with 0 <= I < N (got "${s}")`);
  return { index, count };
}

/** The samples [lo, hi) of n that shard I/N takes: contiguous, so concatenating shards in order is the dataset's order. */
export function shardRange(n: number, s: ShardSpec): [number, number] {
  return [Math.floor((s.index * n) / s.count), Math.floor(((s.index + 1) * n) / s.count)];
}

export interface ShardManifest {
  schema: 'poisonscan/fingerprint-shard@1';
  tool: string;
  dataset: { path: string; format: DatasetFormat; modality: Modality };
  shard: ShardSpec;
  /** Samples of the whole dataset listing (every shard must agree) and of this shard's slice. */
  listed: number;
  samples: number;
  grid: number | null;
  /** Options that change fingerprints: shards made with different ones do not merge. */
  options: { [k: string]: Json };
  columns: string[];
  errors: SampleError[];
}

export interface ShardContent {
  ids: string[];
  labels: (string | null)[];
  images?: ImageFeatures;
  texts?: TextColumns;
}

export async function writeShard(dir: string, manifest: Omit<ShardManifest, 'schema' | 'columns'>, c: ShardContent): Promise<ShardManifest> {
  let t = c.images ? imageFingerprintTable(c.ids, c.labels, c.images) : textFingerprintTable(c.ids, c.labels, c.texts ?? {});
  // Image-text pairs (captions): the text columns ride along with the image fingerprints.
  if (c.images && c.texts) t = t.assign(textFingerprintTable(c.ids, c.labels, c.texts).select(Object.keys(c.texts)));
  const full: ShardManifest = { schema: 'poisonscan/fingerprint-shard@1', ...manifest, columns: schemaOf(t) };
  await writeFileAtomic(join(dir, SHARD_TABLE), tableToIPC(t, 'file'));
  await writeFileAtomic(join(dir, SHARD_MANIFEST), JSON.stringify(full, null, 1) + '\n');
  return full;
}

/** A complete shard's manifest, or null when the folder holds none (not written yet, or interrupted). */
export async function readShardManifest(dir: string): Promise<ShardManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, SHARD_MANIFEST), 'utf8');
  } catch {
    return null;
  }
  let m: ShardManifest;
  try {
    m = JSON.parse(text) as ShardManifest;
  } catch {
    throw new UsageError(`${join(dir, SHARD_MANIFEST)} is not valid JSON`);
  }
  if (m?.schema !== 'poisonscan/fingerprint-shard@1') throw new UsageError(`${join(dir, SHARD_MANIFEST)}: not a poisonscan fingerprint shard (schema ${JSON.stringify(m?.schema)})`);
  return m;
}

const schemaOf = (t: Table): string[] => t.schema.fields.map((f) => `${f.name}:${String(f.type)}`);
const label = (m: ShardManifest) => `shard ${m.shard.index}/${m.shard.count}`;

export interface MergedShards extends ShardContent {
  path: string;
  format: DatasetFormat;
  modality: Modality;
  errors: SampleError[];
  shards: number;
  options: { [k: string]: Json };
}

/** Checks that the shards are one complete, consistent set, then concatenates them in shard order. */
export async function mergeShards(dirs: string[]): Promise<MergedShards> {
  if (dirs.length === 0) throw new UsageError('detect needs at least one fingerprint folder');
  const manifests: { dir: string; m: ShardManifest }[] = [];
  for (const dir of dirs) {
    const m = await readShardManifest(dir);
    if (!m) throw new UsageError(`${dir}: no ${SHARD_MANIFEST} (not a finished fingerprint shard: run scan --stage fingerprint, or it was interrupted: rerun it with --resume)`);
    manifests.push({ dir, m });
  }
  const first = manifests[0]!.m;
  for (const { dir, m } of manifests) {
    const same = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new UsageError(`${label(m)} (${dir}) does not belong with ${label(first)} (${manifests[0]!.dir}): ${what} ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    };
    same('dataset', m.dataset, first.dataset);
    same('shard count', m.shard.count, first.shard.count);
    same('dataset size', m.listed, first.listed);
    same('grid', m.grid, first.grid);
    same('options', m.options, first.options);
    if (JSON.stringify(m.columns) !== JSON.stringify(first.columns)) {
      throw new UsageError(`the fingerprint schema changes between shards: ${label(m)} (${dir}) has columns ${m.columns.join(',')}, ${label(first)} has ${first.columns.join(',')}`);
    }
  }
  const byIndex = new Map<number, string>();
  for (const { dir, m } of manifests) {
    const other = byIndex.get(m.shard.index);
    if (other) throw new UsageError(`${label(m)} is given twice: ${other} and ${dir}`);
    byIndex.set(m.shard.index, dir);
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new UsageError(`${missing.length} of ${first.shard.count} shards missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} (have ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')})`);
  }
  manifests.sort((a, b) => a.m.shard.index - b.m.shard.index);

  const total = manifests.reduce((s, x) => s + x.m.samples, 0);
  const builder = first.grid !== null && first.dataset.modality !== 'text' && first.columns.some((c) => c.startsWith('pixels:')) ? new ImageFeaturesBuilder(total, first.grid) : null;
  const ids: string[] = [];
  const labels: (string | null)[] = [];
  const texts: TextColumns = {};
  const errors: SampleError[] = [];
  const owner = new Map<string, number>();
  for (const { dir, m } of manifests) {
    let t: Table;
    try {
      t = await readTableFile(join(dir, SHARD_TABLE));
    } catch (e) {
      throw new UsageError(`${label(m)}: ${join(dir, SHARD_TABLE)} is unreadable (${(e as Error).message})`);
    }
    if (JSON.stringify(schemaOf(t)) !== JSON.stringify(m.columns) || t.numRows !== m.samples) {
      throw new UsageError(`${label(m)}: ${join(dir, SHARD_TABLE)} does not match its manifest (${t.numRows} rows, manifest says ${m.samples})`);
    }
    const part = builder ? imageFingerprintsFromTable(t, dir) : textFingerprintsFromTable(t);
    for (const id of part.ids) {
      const o = owner.get(id);
      if (o !== undefined) throw new UsageError(`sample id "${id}" is in shard ${o}/${m.shard.count} and ${label(m)}: shards overlap (made from different listings?)`);
      owner.set(id, m.shard.index);
    }
    // Loops, not push(...a): a shard of a million ids would overflow the call's argument list.
    for (const id of part.ids) ids.push(id);
    for (const l of part.labels) labels.push(l);
    if ('features' in part) builder!.append(part.features);
    const partTexts = 'features' in part ? textFingerprintsFromTable(t).texts : part.texts;
    for (const [k, v] of Object.entries(partTexts) as [keyof TextColumns, (string | null)[]][]) {
      const to = (texts[k] ??= []);
      for (const x of v) to.push(x);
    }
    for (const e of m.errors) errors.push(e);
  }
  if (ids.length === 0) throw new UsageError(`the ${manifests.length} shards hold no readable sample`);
  return {
    path: first.dataset.path, format: first.dataset.format, modality: first.dataset.modality, shards: first.shard.count, options: first.options,
    ids, labels, errors, ...(builder ? { images: builder.finish() } : {}), ...(Object.keys(texts).length || !builder ? { texts } : {}),
  };
}
