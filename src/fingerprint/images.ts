// Fingerprint stage for images: decode every sample (bounded concurrency), keep the working-grid pixels,
// statistics, file facts and a perceptual hash. Unreadable samples become errors; the rest are compacted.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { SampleError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { ImageSample } from '../model/image-sample.js';
import { chooseGrid, DEFAULT_PIXEL_LIMIT } from './decode.js';
import { parseJpeg, parsePngSize, sniffFormat } from './file-facts.js';
import { IMAGE_STAT_NAMES, type ImageFeatures, type ImageStatName } from '../model/image-features.js';
import { hexDigest } from './digest.js';
import { decodeBmp } from './bmp.js';
import { sharedBytes } from '../util/shared-bytes.js';
import { sharedColumn, type NumericColumns, type TextColumns } from './sample.js';
import { hereRunner } from './here.js';
import { filePool } from './file-pool.js';

export interface FingerprintImagesOptions {
  concurrency: number;
  /** Working grid side; chosen from the first readable image when absent. */
  grid?: number;
  pixelLimit?: number;
  progress: Progress;
  /** Fingerprints of an earlier scan: samples whose bytes are unchanged (same id, same sha256) are copied, not decoded. */
  reuse?: FingerprintReuse;
}

export interface FingerprintReuse {
  features: ImageFeatures;
  /** Row of each id in features. */
  rowOf: Map<string, number>;
}

export interface FingerprintImagesResult {
  features: ImageFeatures;
  /** For each kept row, its index in the input sample list. */
  kept: number[];
  errors: SampleError[];
  /** How many samples were copied from the reused fingerprints. */
  reused: number;
}

export async function fingerprintImages(samples: ImageSample[], opts: FingerprintImagesOptions): Promise<FingerprintImagesResult> {
  const pixelLimit = opts.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  const grid = opts.grid ?? opts.reuse?.features.grid ?? (await guessGrid(samples));
  const n = samples.length;
  const per = grid * grid * 3;
  const pixels = sharedBytes(n * per);
  // Numeric columns in shared memory, which the worker threads write; copied into plain arrays at the end.
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, sharedColumn(Float32Array, n)])) as Record<ImageStatName, Float32Array>;
  const phash = sharedColumn(BigUint64Array, n);
  const format: string[] = new Array(n).fill('');
  const bytes = sharedColumn(Float64Array, n);
  const width = sharedColumn(Uint32Array, n);
  const height = sharedColumn(Uint32Array, n);
  const jpegQuality = sharedColumn(Float32Array, n);
  const chroma: string[] = new Array(n).fill('');
  const encoder: string[] = new Array(n).fill('');
  const created: string[] = new Array(n).fill('');
  const sha256: string[] = new Array(n).fill('');
  const md5: string[] = new Array(n).fill('');
  const failed: (string | null)[] = new Array(n).fill(null);

  // Unchanged samples of a baseline: copy their row instead of decoding (hashing is ~20x cheaper).
  const done = new Uint8Array(n);
  let reused = 0;
  const r = opts.reuse;
  if (r && r.features.grid === grid) {
    const rf = r.features;
    opts.progress.stage('reuse', n);
    for (let i = 0; i < n; i++) {
      opts.progress.tick();
      const row = r.rowOf.get(samples[i]!.id);
      if (row === undefined || !rf.file.sha256[row]) continue;
      let buf: Uint8Array;
      try {
        const path = samples[i]!.path;
        // Small files: a synchronous read is several times faster than the promise machinery around it.
        buf = path !== undefined ? readFileSync(path) : await samples[i]!.read();
      } catch {
        continue; // the decode pass reports why it cannot be read
      }
      const h = hexDigest('sha256', buf);
      if (h !== rf.file.sha256[row]) continue;
      pixels.set(rf.pixels.subarray(row * per, (row + 1) * per), i * per);
      for (const k of IMAGE_STAT_NAMES) stats[k][i] = rf.stats[k][row]!;
      phash[i] = rf.phash[row]!;
      format[i] = rf.file.format[row]!;
      bytes[i] = rf.file.bytes[row]!;
      width[i] = rf.file.width[row]!;
      height[i] = rf.file.height[row]!;
      jpegQuality[i] = rf.file.jpegQuality[row]!;
      chroma[i] = rf.file.chroma[row]!;
      encoder[i] = rf.file.encoder[row]!;
      created[i] = rf.file.created[row]!;
      sha256[i] = h;
      md5[i] = rf.file.md5[row] || hexDigest('md5', buf);
      done[i] = 1;
      reused++;
    }
    opts.progress.done();
  }

  const cols: NumericColumns = { grid, pixelLimit, pixels, stats, phash, bytes, width, height, jpegQuality };
  const text: TextColumns = { format, chroma, encoder, created, sha256, md5, failed };
  opts.progress.stage('decode', n - reused);
  // Files go to worker threads when there are cores for them (each thread reads, hashes and decodes its own);
  // samples read through a function, and every sample when the threads cannot start, are done here.
  const pool = filePool(opts.concurrency);
  const here: number[] = [];
  const there: number[] = [];
  for (let i = 0; i < n; i++) if (!done[i]) (pool && samples[i]!.path !== undefined ? there : here).push(i);
  const tick = (k: number) => opts.progress.tick(k);
  await Promise.all([
    ...(pool && there.length ? [pool.run(samples, there, cols, text, tick)] : []),
    hereRunner(samples, cols, text, opts.concurrency)(here, tick),
  ]);
  opts.progress.done();

  const kept: number[] = [];
  const errors: SampleError[] = [];
  for (let i = 0; i < n; i++) {
    if (failed[i] === null) kept.push(i);
    else errors.push({ id: samples[i]!.id, error: failed[i]! });
  }
  // Plain (not shared) arrays of the kept rows.
  const pick = <T extends Float32Array | Float64Array | Uint32Array | BigUint64Array>(a: T): T => {
    const Ctor = a.constructor as new (len: number) => T;
    const out = new Ctor(kept.length);
    if (kept.length === n) (out as unknown as { set(b: T): void }).set(a);
    else kept.forEach((src, dst) => ((out as unknown as ArrayLike<unknown> & Record<number, unknown>)[dst] = a[src]));
    return out;
  };
  let keptPixels = pixels;
  if (kept.length !== n) {
    keptPixels = sharedBytes(kept.length * per);
    kept.forEach((src, dst) => keptPixels.set(pixels.subarray(src * per, (src + 1) * per), dst * per));
  }
  const features: ImageFeatures = {
    grid,
    pixels: keptPixels,
    stats: Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, pick(stats[k])])) as Record<ImageStatName, Float32Array>,
    phash: pick(phash),
    file: {
      format: kept.map((i) => format[i]!),
      bytes: pick(bytes),
      width: pick(width),
      height: pick(height),
      jpegQuality: pick(jpegQuality),
      chroma: kept.map((i) => chroma[i]!),
      encoder: kept.map((i) => encoder[i]!),
      created: kept.map((i) => created[i]!),
      sha256: kept.map((i) => sha256[i]!),
      md5: kept.map((i) => md5[i]!),
    },
  };
  return { features, kept, errors, reused };
}

/** The first readable image's size decides the working grid. */
export async function guessGrid(samples: ImageSample[]): Promise<number> {
  for (const s of samples.slice(0, 50)) {
    try {
      const b = await s.read();
      const f = sniffFormat(b);
      if (f === 'jpeg') {
        const j = parseJpeg(b);
        if (j) return chooseGrid(j.width, j.height);
      } else if (f === 'png') {
        const p = parsePngSize(b);
        if (p) return chooseGrid(p.width, p.height);
      } else if (f === 'bmp') {
        const r = decodeBmp(b);
        return chooseGrid(r.width, r.height);
      } else if (f !== 'unknown') {
        const m = await sharp(b).metadata();
        if (m.width && m.height) return chooseGrid(m.width, m.height);
      }
    } catch {
      // Unreadable samples are reported by the decode pass.
    }
  }
  return 32;
}

export { stableHead } from './sample.js';
