// Fingerprinting in parts of K samples, each written atomically as it completes (<out>/fingerprints.parts/
// part-000000.arrow ...). An interrupted scan rerun with --resume reads the finished parts back instead of
// decoding their images again; the columns are the same bytes either way, so the report is identical. Memory: one
// set of fingerprint columns for the whole input (allocated once) plus the part being decoded.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { fingerprintImages, type FingerprintImagesResult, type FingerprintReuse } from '../fingerprint/images.js';
import type { ImageSample } from '../model/image-sample.js';
import { UsageError, type SampleError } from '../types.js';
import type { Progress } from '../util/progress.js';
import { writeFileAtomic } from './atomic.js';
import { ImageFeaturesBuilder } from './feature-builder.js';
import { imageFingerprintsFromTable, imageFingerprintTable } from './image-fingerprints.js';

export interface CheckpointOptions {
  /** Folder of the parts (inside --out). */
  dir: string;
  /** Samples per part. */
  every: number;
  /** Re-use finished parts of an earlier, interrupted run. */
  resume: boolean;
  /** Stops the work before the next part: the parts on disk stay for a resumed run. */
  signal?: AbortSignal;
}

/** What the parts were made from; a resumed run must match it. */
export interface CheckpointIdentity {
  dataset: string;
  format: string;
  shard?: { index: number; count: number };
}

interface CheckpointManifest extends CheckpointIdentity {
  schema: 'poisonscan/checkpoint@1';
  samples: number;
  every: number;
  grid: number;
  pixelLimit: number | null;
}

interface PartMeta {
  first: number;
  count: number;
  /** sha256 of the part's input ids: a part of another listing is not re-used. */
  digest: string;
  /** sha256 of the size and modification time of each sample's file: a part whose files changed is decoded again. */
  files?: string;
  /** Indices (within the part) of the samples that could be read. */
  kept: number[];
  errors: SampleError[];
}

export const CHECKPOINT_DIR = 'fingerprints.parts';
const partName = (k: number) => `part-${String(k).padStart(6, '0')}.arrow`;

export interface PartsOptions {
  grid: number;
  pixelLimit?: number;
  concurrency: number;
  progress: Progress;
  reuse?: FingerprintReuse;
}

export async function fingerprintInParts(
  samples: ImageSample[],
  opts: PartsOptions,
  cp: CheckpointOptions,
  identity: CheckpointIdentity,
): Promise<FingerprintImagesResult & { resumedParts: number }> {
  const n = samples.length;
  const every = Math.max(1, cp.every);
  const parts = Math.ceil(n / every);
  const manifest: CheckpointManifest = { schema: 'poisonscan/checkpoint@1', ...identity, samples: n, every, grid: opts.grid, pixelLimit: opts.pixelLimit ?? null };
  const manifestPath = join(cp.dir, 'checkpoint.json');
  let resuming = false;
  if (cp.resume) {
    const old = await readFile(manifestPath, 'utf8').then((s) => JSON.parse(s) as CheckpointManifest, () => null);
    if (old) {
      const differs = (Object.keys(manifest) as (keyof CheckpointManifest)[]).find((k) => JSON.stringify(old[k]) !== JSON.stringify(manifest[k]));
      if (differs) {
        throw new UsageError(`--resume: the parts in ${cp.dir} were made with another ${differs} (${JSON.stringify(old[differs])}, now ${JSON.stringify(manifest[differs])}); rerun without --resume`);
      }
      resuming = true;
    } else opts.progress.info(`--resume: no finished parts in ${cp.dir}, starting from the beginning`);
  }
  if (!resuming) {
    await rm(cp.dir, { recursive: true, force: true });
    await mkdir(cp.dir, { recursive: true });
    await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  }

  // Samples inside a container (tar, Parquet, Arrow) have no file of their own: the container files stand in.
  const container = samples.some((x) => !x.path) ? await containerState(identity.dataset) : '-';
  const builder = new ImageFeaturesBuilder(n, opts.grid);
  const kept: number[] = [];
  const errors: SampleError[] = [];
  let reused = 0;
  let resumedParts = 0;
  // One progress bar over all parts.
  const outer = opts.progress;
  outer.stage('decode', n);
  const inner: Progress = { stage() {}, done() {}, tick: (k) => outer.tick(k), info: (m) => outer.info(m) };
  for (let k = 0; k < parts; k++) {
    cp.signal?.throwIfAborted();
    const first = k * every;
    const chunk = samples.slice(first, Math.min(n, first + every));
    const digest = createHash('sha256').update(chunk.map((s) => s.id).join('\n')).digest('hex');
    const path = join(cp.dir, partName(k));
    const files = filesState(chunk, container);
    let done = resuming ? await readPart(path, digest, files) : null;
    if (done) {
      resumedParts++;
      outer.tick(chunk.length);
    } else {
      const fp = await fingerprintImages(chunk, { concurrency: opts.concurrency, grid: opts.grid, pixelLimit: opts.pixelLimit, progress: inner, reuse: opts.reuse });
      reused += fp.reused;
      const meta: PartMeta = { first, count: chunk.length, digest, files, kept: fp.kept, errors: fp.errors };
      const t = imageFingerprintTable(fp.kept.map((i) => chunk[i]!.id), fp.kept.map((i) => chunk[i]!.label), fp.features);
      t.schema.metadata.set('poisonscan.part', JSON.stringify(meta));
      await writeFileAtomic(path, tableToIPC(t, 'file'));
      done = { meta, features: fp.features };
    }
    builder.append(done.features);
    for (const i of done.meta.kept) kept.push(first + i);
    for (const e of done.meta.errors) errors.push(e);
  }
  outer.done();
  if (resumedParts) outer.info(`resumed: ${resumedParts} of ${parts} fingerprint parts were already done`);
  return { features: builder.finish(), kept, errors, reused, resumedParts };
}

/**
 * The size and modification time of every sample's file, hashed: a file replaced after the interruption changes
 * it. Samples read from inside a container (a tar or Parquet shard) count with the state of the container files.
 */
function filesState(chunk: ImageSample[], container: string): string {
  const h = createHash('sha256');
  for (const s of chunk) h.update((s.path ? fileState(s.path) : container) + '\n');
  return h.digest('hex');
}

/**
 * A file's size, modification time and inode; "missing" when it cannot be stat'ed. Synchronous: a stat takes
 * microseconds, and a promise per file costs more than the call.
 */
function fileState(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return 'missing';
  }
}

/** Size and modification time of the dataset's files (the file, or the files of the folder two levels deep), hashed. */
async function containerState(dataset: string): Promise<string> {
  const h = createHash('sha256');
  const visit = async (p: string, depth: number): Promise<void> => {
    const st = await stat(p).catch(() => null);
    if (!st) return void h.update(`${p} missing\n`);
    if (st.isFile()) return void h.update(`${p} ${st.size}:${st.mtimeMs}:${st.ino}\n`);
    if (!st.isDirectory() || depth > 2) return;
    const names = (await readdir(p).catch(() => [] as string[])).sort();
    for (const name of names) await visit(join(p, name), depth + 1);
  };
  // A shard pattern (shard-{000000..000009}.tar) names files in one folder.
  await visit(dataset.includes('{') ? dirname(dataset) : dataset, 0);
  return h.digest('hex');
}

/** A finished part of the same input, or null (absent, damaged, made from other samples or from files changed since: decode again). */
async function readPart(path: string, digest: string, files: string) {
  try {
    const t = tableFromIPC(await readFile(path));
    const meta = JSON.parse(t.schema.metadata.get('poisonscan.part') ?? 'null') as PartMeta | null;
    if (!meta || meta.digest !== digest || meta.files !== files) return null;
    const stored = imageFingerprintsFromTable(t, path);
    if (stored.ids.length !== meta.kept.length) return null;
    return { meta, features: stored.features };
  } catch {
    return null;
  }
}

export async function removeCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
