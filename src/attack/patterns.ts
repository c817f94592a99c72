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

/** A seeded full-image pattern of uniform noise for Blended attacks; `luma`: one grey value per pixel. */
export function blendPattern(width: number, height: number, seed: number, luma = false): Uint8Array {
  const rng = createRng(seed ^ 0xb1e4d);
  const out = new Uint8Array(width * height * 3);
  if (!luma) for (let i = 0; i < out.length; i++) out[i] = randInt(rng, 256);
  else for (let i = 0; i < out.length; i += 3) out[i] = out[i + 1] = out[i + 2] = randInt(rng, 256);
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

/**
 * SIG (Barni et al.): x + delta * sin(2 pi j f / m) along columns, clipped. `angle` turns the stripes (radians, 0:
 * along columns; the frequency stays in cycles per image width) and `phase` shifts them.
 */
export function applySig(img: Uint8Array, width: number, height: number, channels: number, delta: number, freq: number, angle = 0, phase = 0): void {
  const cx = Math.cos(angle), cy = Math.sin(angle);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const t = angle === 0 ? x : x * cx + y * cy;
    const v = delta * Math.sin((2 * Math.PI * t * freq) / width + phase);
    const o = (y * width + x) * channels;
    for (let c = 0; c < 3; c++) img[o + c] = Math.max(0, Math.min(255, Math.round(img[o + c]! + v)));
  }
}

export type AdditiveKind = 'noise' | 'smooth' | 'waves';

/**
 * A seeded full-image additive pattern with values in [-1, 1] and max |value| = 1 (width x height x 3): per-pixel
 * noise, smooth noise (random values on a coarse lattice of 3-6 px cells, bilinear between them: mid frequencies),
 * or a sum of three sinusoids of random direction and 2-8 cycles per side. `luma`: the same value in every channel.
 */
export function additivePattern(kind: AdditiveKind, width: number, height: number, seed: number, luma: boolean): Float32Array {
  const rng = createRng(seed ^ 0xadd17);
  const out = new Float32Array(width * height * 3);
  const planes = luma ? 1 : 3;
  const cell = 3 + randInt(rng, 4);
  const gw = Math.ceil(width / cell) + 2, gh = Math.ceil(height / cell) + 2;
  for (let c = 0; c < planes; c++) {
    const lattice = Float32Array.from({ length: gw * gh }, () => rng() * 2 - 1);
    const waves = Array.from({ length: 3 }, () => ({ a: rng() * Math.PI, f: 2 + rng() * 6, p: rng() * 2 * Math.PI }));
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      let v: number;
      if (kind === 'noise') v = rng() * 2 - 1;
      else if (kind === 'smooth') {
        const gx = x / cell, gy = y / cell, ix = Math.floor(gx), iy = Math.floor(gy), fx = gx - ix, fy = gy - iy;
        const at = (i: number, j: number) => lattice[j * gw + i]!;
        v = (1 - fy) * ((1 - fx) * at(ix, iy) + fx * at(ix + 1, iy)) + fy * ((1 - fx) * at(ix, iy + 1) + fx * at(ix + 1, iy + 1));
      } else {
        v = 0;
        for (const w of waves) v += Math.sin((2 * Math.PI * w.f * (x * Math.cos(w.a) + y * Math.sin(w.a))) / width + w.p);
      }
      const o = (y * width + x) * 3;
      if (luma) out[o] = out[o + 1] = out[o + 2] = v;
      else out[o + c] = v;
    }
  }
  let max = 0;
  for (let i = 0; i < out.length; i++) max = Math.max(max, Math.abs(out[i]!));
  if (max > 0) for (let i = 0; i < out.length; i++) out[i]! /= max;
  return out;
}

/** x + round(linf * pattern), clipped: no pixel moves by more than linf (0-255 units). */
export function applyAdditive(img: Uint8Array, width: number, height: number, channels: number, pattern: Float32Array, linf: number): void {
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const o = p * channels + c;
      img[o] = Math.max(0, Math.min(255, img[o]! + Math.round(linf * pattern[p * 3 + c]!)));
    }
  }
}
