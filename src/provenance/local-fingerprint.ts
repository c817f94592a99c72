// A local fingerprint of an image for verify: a small luma thumbnail (side up to 32, from the working grid) and
// its chroma at half that side, kept in the manifest. A 64-bit perceptual hash cannot see a small local change
// (a patch pasted into the same picture: the split-view way to plant a trigger); comparing thumbnails cell by
// cell tells a re-encode (a small difference everywhere) from a local edit (a large difference in a few cells)
// from a different image (a large difference everywhere).
import type { ImageFeatures } from '../model/image-features.js';

export const THUMB_MAX_SIDE = 32;

export interface Thumb {
  side: number;
  /** side x side luma. */
  luma: Uint8Array;
  /** (side/2) x (side/2) Cb then Cr. */
  chroma: Uint8Array;
}

/** The thumbnail of sample i: the working grid box-averaged down to at most THUMB_MAX_SIDE (an exact divisor). */
export function thumbOf(f: ImageFeatures, i: number): Thumb {
  const g = f.grid;
  let k = 1;
  while (g / k > THUMB_MAX_SIDE || g % k !== 0) k++;
  const side = g / k;
  const half = Math.max(1, side >> 1);
  const luma = new Uint8Array(side * side);
  const chroma = new Uint8Array(2 * half * half);
  const cb = new Float64Array(half * half), cr = new Float64Array(half * half), cn = new Float64Array(half * half);
  const base = i * g * g * 3;
  for (let ty = 0; ty < side; ty++) for (let tx = 0; tx < side; tx++) {
    let y = 0, u = 0, v = 0;
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) {
      const o = base + ((ty * k + dy) * g + tx * k + dx) * 3;
      const r = f.pixels[o]!, gg = f.pixels[o + 1]!, b = f.pixels[o + 2]!;
      y += 0.299 * r + 0.587 * gg + 0.114 * b;
      u += 128 - 0.168736 * r - 0.331264 * gg + 0.5 * b;
      v += 128 + 0.5 * r - 0.418688 * gg - 0.081312 * b;
    }
    const n = k * k;
    luma[ty * side + tx] = Math.round(y / n);
    const c = Math.min(half - 1, ty >> 1) * half + Math.min(half - 1, tx >> 1);
    cb[c] += u / n;
    cr[c] += v / n;
    cn[c]++;
  }
  for (let c = 0; c < half * half; c++) {
    chroma[c] = Math.round(cb[c]! / cn[c]!);
    chroma[half * half + c] = Math.round(cr[c]! / cn[c]!);
  }
  return { side, luma, chroma };
}

/** "t1:<side>:<base64 of luma then chroma>", as the manifest stores it. */
export function encodeThumb(t: Thumb): string {
  return `t1:${t.side}:${Buffer.concat([t.luma, t.chroma]).toString('base64')}`;
}

export function decodeThumb(s: unknown): Thumb | null {
  if (typeof s !== 'string') return null;
  const m = /^t1:(\d+):([A-Za-z0-9+/=]+)$/.exec(s);
  if (!m) return null;
  const side = Number(m[1]);
  const half = Math.max(1, side >> 1);
  const b = Buffer.from(m[2]!, 'base64');
  if (side < 2 || b.length !== side * side + 2 * half * half) return null;
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.length);
  return { side, luma: bytes.subarray(0, side * side), chroma: bytes.subarray(side * side) };
}

/** Halves a thumbnail's side (2x2 means), to compare with one made from a smaller grid. */
export function halveThumb(t: Thumb): Thumb {
  const side = t.side >> 1;
  const half = Math.max(1, side >> 1);
  const luma = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const o = 2 * y * t.side + 2 * x;
    luma[y * side + x] = Math.round((t.luma[o]! + t.luma[o + 1]! + t.luma[o + t.side]! + t.luma[o + t.side + 1]!) / 4);
  }
  const oldHalf = Math.max(1, t.side >> 1);
  const chroma = new Uint8Array(2 * half * half);
  for (let p = 0; p < 2; p++) for (let y = 0; y < half; y++) for (let x = 0; x < half; x++) {
    const src = (yy: number, xx: number) => t.chroma[p * oldHalf * oldHalf + Math.min(oldHalf - 1, yy) * oldHalf + Math.min(oldHalf - 1, xx)]!;
    chroma[p * half * half + y * half + x] = Math.round((src(2 * y, 2 * x) + src(2 * y, 2 * x + 1) + src(2 * y + 1, 2 * x) + src(2 * y + 1, 2 * x + 1)) / 4);
  }
  return { side, luma, chroma };
}

export interface LocalDifference {
  /** Mean absolute difference per thumbnail cell, over the whole image (luma and chroma, in levels of 255). */
  overall: number;
  /** The largest mean difference of a WINDOW x WINDOW block of cells. */
  peak: number;
  /** Share of the image's cells whose difference is above half the peak: small for a local edit. */
  area: number;
  /** Cells (thumbnail coordinates) around the largest difference: where the edit is. */
  box: { x: number; y: number; w: number; h: number };
  side: number;
}

/** Side of the window over which cell differences are averaged (a pasted patch of 3 px covers one whole at side 32). */
export const WINDOW = 2;

/** How two thumbnails of the same size differ, cell by cell. */
export function localDifference(a: Thumb, b: Thumb): LocalDifference | null {
  while (a.side > b.side && a.side % 2 === 0) a = halveThumb(a);
  while (b.side > a.side && b.side % 2 === 0) b = halveThumb(b);
  if (a.side !== b.side) return null;
  const side = a.side;
  const half = Math.max(1, side >> 1);
  const d = new Float32Array(side * side);
  let sum = 0;
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const c = Math.min(half - 1, y >> 1) * half + Math.min(half - 1, x >> 1);
    const dl = Math.abs(a.luma[y * side + x]! - b.luma[y * side + x]!);
    const du = Math.abs(a.chroma[c]! - b.chroma[c]!);
    const dv = Math.abs(a.chroma[half * half + c]! - b.chroma[half * half + c]!);
    const v = Math.max(dl, du, dv);
    d[y * side + x] = v;
    sum += v;
  }
  const w = Math.min(WINDOW, side);
  let peak = -1, px = 0, py = 0;
  for (let y = 0; y + w <= side; y++) for (let x = 0; x + w <= side; x++) {
    let s = 0;
    for (let dy = 0; dy < w; dy++) for (let dx = 0; dx < w; dx++) s += d[(y + dy) * side + x + dx]!;
    s /= w * w;
    if (s > peak) [peak, px, py] = [s, x, y];
  }
  // The box: cells above half the peak, connected to the peak window (a bounding box of them).
  const cut = peak / 2;
  let x0 = px, y0 = py, x1 = px + w - 1, y1 = py + w - 1, above = 0;
  for (let i = 0; i < side * side; i++) if (d[i]! > cut) above++;
  let grew = true;
  while (grew) {
    grew = false;
    const hot = (x: number, y: number) => x >= 0 && y >= 0 && x < side && y < side && d[y * side + x]! > cut;
    for (let x = x0; x <= x1; x++) {
      if (hot(x, y0 - 1)) { y0--; grew = true; break; }
      if (hot(x, y1 + 1)) { y1++; grew = true; break; }
    }
    for (let y = y0; y <= y1 && !grew; y++) {
      if (hot(x0 - 1, y)) { x0--; grew = true; break; }
      if (hot(x1 + 1, y)) { x1++; grew = true; break; }
    }
  }
  return { overall: sum / (side * side), peak, area: above / (side * side), box: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }, side };
}
