// Images for report.html: thumbnails scaled from the source file (128 px, aspect kept) or, when the source cannot
// be read, from the working grid; the pattern's box drawn as a CSS frame over either; the pattern crop; and the
// nearest image outside every flagged finding, by perceptual hash, to compare with.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { ImageFeatures } from '../model/image-features.js';
import { imagePixels } from '../model/image-features.js';
import { isInside } from '../ingest/inside-root.js';
import type { Json } from '../types.js';
import { escapeHtml } from './html-text.js';

export const THUMB = 128;

export interface Box { x: number; y: number; w: number; h: number }

/** The pattern's box for one sample: evidence.boxes[id], else evidence.box. Working-grid coordinates. */
export function boxOf(ev: { [k: string]: Json }, sampleId: string): Box | null {
  const per = ev.boxes;
  const b = (per && typeof per === 'object' && !Array.isArray(per) ? (per as Record<string, Json>)[sampleId] : null) ?? ev.box;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return null;
  const o = b as Record<string, Json>;
  if ([o.x, o.y, o.w, o.h].every((v) => typeof v === 'number')) return { x: o.x as number, y: o.y as number, w: o.w as number, h: o.h as number };
  return null;
}

/** Reads the source image of a sample id: files of an image folder, inside its root only. */
export function folderSource(root: string): (id: string) => Promise<Buffer | null> {
  const base = resolve(root);
  return async (id) => {
    const p = resolve(base, id);
    if (p === base || !isInside(base, p)) return null;
    return readFile(p).catch(() => null);
  };
}

async function dataUri(img: Sharp, png: boolean): Promise<string> {
  const buf = png ? await img.png().toBuffer() : await img.jpeg({ quality: 82 }).toBuffer();
  return `data:image/${png ? 'png' : 'jpeg'};base64,${buf.toString('base64')}`;
}

/** A 128 px thumbnail from the source bytes (aspect kept, EXIF orientation applied), or null when they do not decode. */
export async function sourceThumbnail(bytes: Buffer): Promise<string | null> {
  try {
    const meta = await sharp(bytes, { failOn: 'none', limitInputPixels: 2 ** 28 }).metadata();
    // Small images are enlarged with their pixels kept visible (and lossless), large ones scaled down smoothly.
    const small = Math.max(meta.width ?? 0, meta.height ?? 0) < THUMB;
    const img = sharp(bytes, { failOn: 'none', limitInputPixels: 2 ** 28 }).rotate()
      .resize(THUMB, THUMB, { fit: 'inside', kernel: small ? 'nearest' : 'lanczos3' });
    return await dataUri(img, small);
  } catch {
    return null;
  }
}

/** The working-grid pixels of a sample enlarged to 128 px (nearest neighbour, so the grid stays visible). */
export async function gridThumbnail(f: ImageFeatures, row: number): Promise<string> {
  const img = sharp(Buffer.from(imagePixels(f, row)), { raw: { width: f.grid, height: f.grid, channels: 3 } }).resize(THUMB, THUMB, { kernel: 'nearest' });
  return dataUri(img, true);
}

/** The pattern itself from the working grid, enlarged. */
export async function patternCrop(f: ImageFeatures, row: number, box: Box, scale = 12): Promise<string> {
  const g = f.grid;
  const x = Math.max(0, Math.min(g - 1, box.x)), y = Math.max(0, Math.min(g - 1, box.y));
  const w = Math.max(1, Math.min(box.w, g - x)), h = Math.max(1, Math.min(box.h, g - y));
  const img = sharp(Buffer.from(imagePixels(f, row)), { raw: { width: g, height: g, channels: 3 } })
    .extract({ left: x, top: y, width: w, height: h }).resize(w * scale, h * scale, { kernel: 'nearest' });
  return dataUri(img, true);
}

/** A figure: the thumbnail with the pattern framed (percentages of the image, so it fits any thumbnail size). */
export function figure(src: string, caption: string, box: Box | null, grid: number, pixelated: boolean): string {
  const frame = box
    ? `<span class="box" style="left:${pct(box.x, grid)};top:${pct(box.y, grid)};width:${pct(box.w, grid)};height:${pct(box.h, grid)}"></span>`
    : '';
  return `<figure><span class="th"><img alt="" src="${src}"${pixelated ? ' class="px"' : ''}>${frame}</span><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function pct(v: number, grid: number): string {
  return `${((100 * v) / grid).toFixed(2)}%`;
}

/** Perceptual hashes as two 32-bit halves, for fast Hamming distances over the whole dataset. */
export interface HashHalves { hi: Uint32Array; lo: Uint32Array }

export function hashHalves(f: ImageFeatures): HashHalves {
  const n = f.phash.length;
  const hi = new Uint32Array(n), lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = f.phash[i]!;
    hi[i] = Number(h >> 32n);
    lo[i] = Number(h & 0xffffffffn);
  }
  return { hi, lo };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The row nearest to `row` by perceptual hash among rows not excluded (flagged or in the finding); -1 if none. */
export function nearestClean(h: HashHalves, row: number, excluded: Uint8Array): number {
  const a = h.hi[row]!, b = h.lo[row]!;
  let best = -1, bestD = 65;
  for (let i = 0; i < h.hi.length; i++) {
    if (excluded[i] || i === row) continue;
    const d = popcount(h.hi[i]! ^ a) + popcount(h.lo[i]! ^ b);
    if (d < bestD) {
      bestD = d;
      best = i;
      if (d === 0) break;
    }
  }
  return best;
}
