// Decodes one image file to RGB on the working grid with sharp, plus the facts its header gives.
import sharp, { type Sharp } from 'sharp';
import { decodeBmp } from './bmp.js';
import { parseJpeg, parsePngSize, sniffFormat, type SniffedFormat } from './file-facts.js';
import { decodeSmallJpeg } from './small-jpeg.js';

export interface DecodeOptions {
  grid: number;
  /** Refuse images with more pixels than this (decompression bombs). */
  pixelLimit: number;
}

export interface DecodedImage {
  /** grid x grid x 3 RGB. */
  rgb: Uint8Array;
  format: SniffedFormat;
  width: number;
  height: number;
  jpegQuality: number;
  chroma: string;
  /** Encoder evidence from the header (JPEG: tables, segments, EXIF software/camera); "" when none. */
  encoder: string;
  /** EXIF creation day (YYYY-MM-DD), "" when absent. */
  created: string;
}

export const DEFAULT_PIXEL_LIMIT = 100_000_000;

// libvips caches decoded images by default; a scan reads each file once, so the cache only costs memory.
sharp.cache(false);

export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions): Promise<DecodedImage> {
  if (bytes.length === 0) throw new Error('empty file (0 bytes)');
  const format = sniffFormat(bytes);
  if (format === 'unknown') throw new Error('not a recognised image format');
  let width = 0;
  let height = 0;
  let jpegQuality = -1;
  let chroma = '';
  let encoder = '';
  let created = '';
  if (format === 'jpeg') {
    const j = parseJpeg(bytes);
    if (j) ({ width, height, quality: jpegQuality, chroma, encoder, created } = j);
  } else if (format === 'png') {
    const p = parsePngSize(bytes);
    if (p) ({ width, height } = p);
  }
  if (format === 'jpeg' && width === opts.grid && height === opts.grid && width * height <= opts.pixelLimit) {
    // The plainest JPEGs at the grid's size: the same pixels as the pipeline below, without setting it up.
    let rgb: Uint8Array | null = null;
    try {
      rgb = decodeSmallJpeg(bytes, opts.grid);
    } catch {
      // Anything it did not foresee: the usual way decides.
    }
    if (rgb) return { rgb, format, width, height, jpegQuality, chroma, encoder, created };
  }
  let img: Sharp;
  if (format === 'bmp') {
    const raw = decodeBmp(bytes);
    if (raw.width * raw.height > opts.pixelLimit) throw new Error(`image has ${raw.width * raw.height} pixels, above the pixel limit of ${opts.pixelLimit}`);
    ({ width, height } = raw);
    img = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } });
  } else {
    if (width * height > opts.pixelLimit) throw new Error(`image has ${width * height} pixels, above the pixel limit of ${opts.pixelLimit}`);
    img = sharp(bytes, { limitInputPixels: opts.pixelLimit, failOn: 'error', sequentialRead: true });
    if (width === 0) {
      const m = await img.metadata();
      width = m.autoOrient?.width ?? m.width ?? 0;
      height = m.autoOrient?.height ?? m.height ?? 0;
    }
    // EXIF orientation: images are judged as a viewer shows them.
    img = img.rotate();
  }
  img = img.flatten({ background: { r: 255, g: 255, b: 255 } }).toColourspace('srgb');
  if (!(width === opts.grid && height === opts.grid)) {
    img = img.resize(opts.grid, opts.grid, { fit: 'fill', kernel: 'lanczos3' });
  }
  let decoded;
  try {
    decoded = await img.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(explainFailure(bytes, format, e));
  }
  const { data, info } = decoded;
  if (info.channels !== 3 || data.length !== opts.grid * opts.grid * 3) {
    throw new Error(`decoder returned ${info.width}x${info.height}x${info.channels}, expected ${opts.grid}x${opts.grid}x3`);
  }
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), format, width, height, jpegQuality, chroma, encoder, created };
}

/** The grid a scan uses: the first image's larger side when small, else 64 (keeps small triggers, bounds cost). */
export function chooseGrid(width: number, height: number, maxGrid = 64): number {
  const side = Math.max(width, height);
  return side > 0 && side <= maxGrid ? side : maxGrid;
}

/** libvips sometimes says only "Unknown error": name the likely cause from the bytes. */
function explainFailure(b: Uint8Array, format: SniffedFormat, e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  if (format === 'jpeg' && !(b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9)) return `truncated JPEG (the file ends before its end marker): ${msg}`;
  if (format === 'png' && !Buffer.from(b.subarray(Math.max(0, b.length - 12))).includes('IEND')) return `truncated PNG (no IEND chunk): ${msg}`;
  return `corrupt ${format} image: ${msg}`;
}
