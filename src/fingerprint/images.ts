// Fingerprint stage for images: decode every sample (bounded concurrency), keep the working-grid pixels,
// statistics, file facts and a perceptual hash. Unreadable samples become errors; the rest are compacted.
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import sharp from 'sharp';
import type { SampleError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { ImageSample } from '../model/image-sample.js';
import { chooseGrid, decodeImage, DEFAULT_PIXEL_LIMIT } from './decode.js';
import { parseJpeg, parsePngSize, sniffFormat } from './file-facts.js';
import { IMAGE_STAT_NAMES, type ImageFeatures, type ImageStatName } from '../model/image-features.js';
import { computeImageStats } from './image-stats.js';
import { hexDigest } from './digest.js';
import { lumaPlane } from './luma-plane.js';
import { perceptualHash } from './phash.js';
import { decodeBmp } from './bmp.js';
import { sharedBytes } from '../util/shared-bytes.js';

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
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(n)])) as Record<ImageStatName, Float32Array>;
  const phash = new BigUint64Array(n);
  const format: string[] = new Array(n).fill('');
  const bytes = new Float64Array(n);
  const width = new Uint32Array(n);
  const height = new Uint32Array(n);
  const jpegQuality = new Float32Array(n);
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

  const luma = new Float64Array(grid * grid);
  // sharp runs one libvips thread per image here; a few images in flight per core keep both cores busy.
  const limit = pLimit(Math.max(1, opts.concurrency * 2));
  opts.progress.stage('decode', n - reused);
  await Promise.all(
    samples.map((s, i) =>
      done[i] ? undefined : limit(async () => {
        try {
          // Small files: a synchronous read is several times faster than the promise machinery around it.
          const buf = s.path !== undefined ? readFileSync(s.path) : await s.read();
          sha256[i] = hexDigest('sha256', buf);
          md5[i] = hexDigest('md5', buf);
          const d = await decodeImage(buf, { grid, pixelLimit });
          const px = pixels.subarray(i * per, (i + 1) * per);
          px.set(d.rgb);
          // One luma plane for the statistics and the hash (one image at a time between awaits: one buffer).
          lumaPlane(px, grid, luma);
          computeImageStats(px, luma, grid, stats, i);
          phash[i] = perceptualHash(luma, grid);
          format[i] = d.format;
          bytes[i] = buf.length;
          width[i] = d.width;
          height[i] = d.height;
          jpegQuality[i] = d.jpegQuality;
          chroma[i] = d.chroma;
          encoder[i] = d.encoder;
          created[i] = d.created;
        } catch (e) {
          failed[i] = describeDecodeError(e);
        }
        opts.progress.tick();
      }),
    ),
  );
  opts.progress.done();

  const kept: number[] = [];
  const errors: SampleError[] = [];
  for (let i = 0; i < n; i++) {
    if (failed[i] === null) kept.push(i);
    else errors.push({ id: samples[i]!.id, error: failed[i]! });
  }
  const pick = <T extends Float32Array | Float64Array | Uint32Array | BigUint64Array>(a: T): T => {
    if (kept.length === n) return a;
    const Ctor = a.constructor as new (len: number) => T;
    const out = new Ctor(kept.length);
    kept.forEach((src, dst) => ((out as unknown as ArrayLike<unknown> & Record<number, unknown>)[dst] = a[src]));
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

function describeDecodeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(msg)) return `refused: ${msg} (possible decompression bomb)`;
  if (e && typeof e === 'object' && 'code' in e) {
    const code = String((e as { code: unknown }).code);
    if (code === 'EACCES' || code === 'EPERM') return 'cannot read file: permission denied';
    if (code === 'ENOENT') return 'cannot read file: no such file';
    if (code === 'EISDIR') return 'cannot read file: is a folder';
  }
  // libvips appends its own detail to the message only sometimes (it depends on which thread saw the error first),
  // so the reason keeps the stable head: the same file gives the same error in every run and every shard.
  if (/premature end|truncated|VipsJpeg|corrupt|bad|unsupported image format|Input buffer/i.test(msg)) return `corrupt or truncated image: ${stableHead(msg)}`;
  return msg.split('\n')[0]!;
}

/** A decoder message's first clause, and the next one too when the first only names the loader ("VipsJpeg: ..."). */
export function stableHead(msg: string): string {
  const clauses = msg.split('\n')[0]!.split(':').map((c) => c.trim());
  const loaderOnly = /^(Vips\w+|\w*load\w*)$/i.test(clauses[0] ?? '');
  return (loaderOnly && clauses[1] ? `${clauses[0]}: ${clauses[1]}` : clauses[0]) ?? '';
}
