// One image sample's fingerprint row: its bytes hashed, decoded on the working grid, statistics and perceptual hash
// written at its row of the columns. The same code runs on the calling thread and on the file threads
// (file-worker.ts), so a row is the same wherever it was made.
import type { ImageStatName } from '../model/image-features.js';
import { decodeImage } from './decode.js';
import { hexDigest } from './digest.js';
import { computeImageStats } from './image-stats.js';
import { lumaPlane } from './luma-plane.js';
import { perceptualHash } from './phash.js';

/** The numeric columns of a fingerprint table (in shared memory when threads write them), and how to decode. */
export interface NumericColumns {
  grid: number;
  pixelLimit: number;
  pixels: Uint8Array;
  stats: Record<ImageStatName, Float32Array>;
  phash: BigUint64Array;
  bytes: Float64Array;
  width: Uint32Array;
  height: Uint32Array;
  jpegQuality: Float32Array;
}

/** The text columns, and each sample's reason when it could not be read (null when it was). */
export interface TextColumns {
  format: string[];
  chroma: string[];
  encoder: string[];
  created: string[];
  sha256: string[];
  md5: string[];
  failed: (string | null)[];
}

type Typed = Float32Array | Float64Array | Uint32Array | BigUint64Array;

/** A zeroed typed array over shared memory. */
export function sharedColumn<T extends Typed>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(n * Ctor.BYTES_PER_ELEMENT));
}

/**
 * Reads a sample with `read`, decodes it and fills row i of the numeric columns and row t of the text columns; a
 * sample that cannot be read or decoded gets its reason in text.failed[t]. `luma` is a grid x grid buffer the
 * caller reuses (used only between the decoder's answer and the end, with no await in between).
 */
export async function fingerprintSample(read: () => Uint8Array | Promise<Uint8Array>, i: number, cols: NumericColumns, text: TextColumns, t: number, luma: Float64Array): Promise<void> {
  const { grid } = cols;
  const per = grid * grid * 3;
  try {
    const buf = await read();
    text.sha256[t] = hexDigest('sha256', buf);
    text.md5[t] = hexDigest('md5', buf);
    const d = await decodeImage(buf, { grid, pixelLimit: cols.pixelLimit });
    const px = cols.pixels.subarray(i * per, (i + 1) * per);
    px.set(d.rgb);
    // One luma plane for the statistics and the hash.
    lumaPlane(px, grid, luma);
    computeImageStats(px, luma, grid, cols.stats, i);
    cols.phash[i] = perceptualHash(luma, grid);
    text.format[t] = d.format;
    cols.bytes[i] = buf.length;
    cols.width[i] = d.width;
    cols.height[i] = d.height;
    cols.jpegQuality[i] = d.jpegQuality;
    text.chroma[t] = d.chroma;
    text.encoder[t] = d.encoder;
    text.created[t] = d.created;
  } catch (e) {
    text.failed[t] = describeDecodeError(e);
  }
}

export function describeDecodeError(e: unknown): string {
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
