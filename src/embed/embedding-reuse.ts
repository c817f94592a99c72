// Pretrained embeddings carried over from a baseline report (--baseline): a sample keeps its stored vector when the
// baseline was embedded the same way (config.embed: same backbone, package, input side, backend) and the sample's
// working-grid pixels, the only input of its vector, are byte for byte the baseline's. Everything else is embedded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageFeatures } from '../model/image-features.js';
import type { Json } from '../types.js';
import { readNpy } from './npy.js';

export const EMBEDDINGS_FILE = 'embeddings.npy';
export const EMBEDDING_IDS_FILE = 'embedding-ids.txt';

/** What a baseline report folder offers: its folder, its report's config.embed, its stored fingerprints. */
export interface EmbeddingSource {
  dir: string;
  embed: Json | undefined;
  images?: { features: ImageFeatures; rowOf: Map<string, number> };
}

/**
 * A lookup of carried-over vectors by sample row, and how many it has; null when the baseline has none to give.
 * `spec` is this scan's config.embed without counts: every key of it must match the baseline's.
 */
export async function carriedOver(
  baseline: EmbeddingSource, spec: { [k: string]: Json }, ids: string[], images: ImageFeatures,
): Promise<{ get: (i: number) => Float32Array | undefined; count: number } | null> {
  const before = baseline.embed;
  const b = baseline.images;
  if (!before || typeof before !== 'object' || Array.isArray(before) || !b || b.features.grid !== images.grid) return null;
  if (Object.keys(spec).some((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(spec[k]))) return null;
  let npy;
  let stored: string[];
  try {
    npy = await readNpy(join(baseline.dir, EMBEDDINGS_FILE));
    stored = (await readFile(join(baseline.dir, EMBEDDING_IDS_FILE), 'utf8')).split('\n').filter((l) => l !== '');
  } catch {
    return null; // no usable vectors: every sample is embedded
  }
  if (stored.length !== npy.rows) return null;
  const rowOf = new Map(stored.map((id, r) => [id, r]));
  const per = images.grid * images.grid * 3;
  const rows = new Int32Array(ids.length).fill(-1);
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const r = rowOf.get(ids[i]!);
    const p = b.rowOf.get(ids[i]!);
    if (r === undefined || p === undefined) continue;
    if (Buffer.compare(images.pixels.subarray(i * per, (i + 1) * per), b.features.pixels.subarray(p * per, (p + 1) * per)) !== 0) continue;
    rows[i] = r;
    count++;
  }
  const dim = npy.dim;
  return { get: (i) => (rows[i]! >= 0 ? npy.data.subarray(rows[i]! * dim, (rows[i]! + 1) * dim) : undefined), count };
}
