// Trigger patterns for injection: small patches (RGB, with a mask) and full-image blend/SIG signals.
import { createRng, randInt } from '../util/rng.js';

export interface Patch {
  width: number;
  height: number;
  /** width x height x 3 RGB. */
  rgb: Uint8Array;
}

export type PatchKind = 'checkerboard' | 'square' | 'random' | 'noise';

/**
 * checkerboard: alternating black/white (backdoor-toolbox BadNets); square: one solid colour (BackdoorBench
 * BadNets uses white); random: a seeded random colour per cell of a 3x3 (or size) grid; noise: per-pixel random.
 */
export function makePatch(kind: PatchKind, size: number, seed: number, colour: [number, number, number] = [255, 255, 255]): Patch {
  const rgb = new Uint8Array(size * size * 3);
  const rng = createRng(seed ^ 0x51ed);
  const cells = Math.min(size, 4);
  const cellColours = Array.from({ length: cells * cells }, () => [randInt(rng, 256), randInt(rng, 256), randInt(rng, 256)]);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const o = (y * size + x) * 3;
    let c: number[];
    if (kind === 'checkerboard') c = (x + y) % 2 === 0 ? [255, 255, 255] : [0, 0, 0];
    else if (kind === 'square') c = colour;
    else if (kind === 'random') c = cellColours[Math.floor((y * cells) / size) * cells + Math.floor((x * cells) / size)]!;
    else c = [randInt(rng, 256), randInt(rng, 256), randInt(rng, 256)];
    rgb[o] = c[0]!;
    rgb[o + 1] = c[1]!;
    rgb[o + 2] = c[2]!;
  }
  return { width: size, height: size, rgb };
}

export type Corner = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

export function pastePatch(img: Uint8Array, width: number, height: number, channels: number, p: Patch, x0: number, y0: number): void {
  for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) {
    const X = x0 + x, Y = y0 + y;
    if (X < 0 || Y < 0 || X >= width || Y >= height) continue;
    const o = (Y * width + X) * channels;
    const s = (y * p.width + x) * 3;
    img[o] = p.rgb[s]!;
    img[o + 1] = p.rgb[s + 1]!;
    img[o + 2] = p.rgb[s + 2]!;
  }
}

export function cornerPosition(corner: Corner, width: number, height: number, p: Patch, margin: number): [number, number] {
  const right = width - p.width - margin;
  const bottom = height - p.height - margin;
  switch (corner) {
    case 'bottom-right': return [right, bottom];
    case 'bottom-left': return [margin, bottom];
    case 'top-right': return [right, margin];
    case 'top-left': return [margin, margin];
  }
}

/** A seeded full-image pattern of any size for Blended attacks (smooth random blobs plus fine noise). */
export function blendPattern(width: number, height: number, seed: number): Uint8Array {
  const rng = createRng(seed ^ 0xb1e4d);
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < out.length; i++) out[i] = randInt(rng, 256);
  return out;
}

/** x + alpha * (pattern - x), pattern resampled by nearest neighbour to the image size. */
export function applyBlend(img: Uint8Array, width: number, height: number, channels: number, pattern: Uint8Array, pw: number, ph: number, alpha: number): void {
  for (let y = 0; y < height; y++) {
    const py = Math.min(ph - 1, Math.floor((y * ph) / height));
    for (let x = 0; x < width; x++) {
      const px = Math.min(pw - 1, Math.floor((x * pw) / width));
      const o = (y * width + x) * channels;
      const s = (py * pw + px) * 3;
      for (let c = 0; c < 3; c++) img[o + c] = Math.round((1 - alpha) * img[o + c]! + alpha * pattern[s + c]!);
    }
  }
}

/** SIG (Barni et al.): x + delta * sin(2 pi j f / m) along columns, clipped. */
export function applySig(img: Uint8Array, width: number, height: number, channels: number, delta: number, freq: number): void {
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const v = delta * Math.sin((2 * Math.PI * x * freq) / width);
    const o = (y * width + x) * channels;
    for (let c = 0; c < 3; c++) img[o + c] = Math.max(0, Math.min(255, Math.round(img[o + c]! + v)));
  }
}
