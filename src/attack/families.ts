// Attack families: each seed draws one trigger from wide parameter ranges, so that no single trigger can be tuned
// for. The table below holds every family's name and ranges; only inject and bench read it, never a detector.
import sharp from 'sharp';
import type { ImageSample } from '../ingest/image-source.js';
import { UsageError, type Json } from '../types.js';
import { createRng, randInt, type Rng } from '../util/rng.js';
import { randomPalette, type Rgb } from './colours.js';
import type { Attack, DrawnRecord } from './image-inject.js';
import type { AdditiveKind } from './patterns.js';

export type PatchPattern = 'mask' | 'cells' | 'noise' | 'crop';
export type BlendSource = 'colour-noise' | 'luma-noise' | 'image';
type Span = readonly [number, number];
/** A poison count: a number of images, or a share of the dataset (at least `min`). */
export type FamilyCount = { images: number } | { share: number; min: number };

interface FamilyBase {
  /** Dirty-label: poisons come from other classes and move to the target. Clean-label: target images keep their label. */
  mode: 'dirty' | 'clean';
  count: FamilyCount;
  summary: string;
}
export type FamilySpec = FamilyBase & (
  | { trigger: 'patch'; place: 'fixed' | 'random'; size: Span; patterns: readonly PatchPattern[]; colours: Span; equalLumaShare: number }
  | { trigger: 'blend'; alpha: Span; sources: readonly BlendSource[] }
  | { trigger: 'sig'; delta: Span; freq: Span }
  | { trigger: 'additive'; linf: Span; patterns: readonly AdditiveKind[]; lumaShare: number }
);

const PATCH = { size: [3, 8], patterns: ['mask', 'cells', 'noise', 'crop'], colours: [2, 4], equalLumaShare: 0.35 } as const;

export const FAMILIES = {
  'patch-fixed': { trigger: 'patch', place: 'fixed', ...PATCH, mode: 'dirty', count: { images: 5 }, summary: 'a patch at one place (drawn anywhere)' },
  'patch-random': { trigger: 'patch', place: 'random', ...PATCH, mode: 'dirty', count: { images: 10 }, summary: 'a patch at a random place per image' },
  blend: { trigger: 'blend', alpha: [0.05, 0.2], sources: ['colour-noise', 'luma-noise', 'image'], mode: 'dirty', count: { share: 0.005, min: 3 }, summary: 'a full-image pattern blended in' },
  sig: { trigger: 'sig', delta: [10, 40], freq: [2, 12], mode: 'dirty', count: { share: 0.005, min: 3 }, summary: 'a sinusoid of random frequency, orientation and phase added' },
  'clean-additive': { trigger: 'additive', linf: [8, 16], patterns: ['noise', 'smooth', 'waves'], lumaShare: 0.5, mode: 'clean', count: { share: 0.0005, min: 3 }, summary: 'a fixed additive pattern on target images that keep their label' },
  'clean-patch': { trigger: 'patch', place: 'fixed', ...PATCH, mode: 'clean', count: { images: 5 }, summary: 'a patch at one place on target images that keep their label' },
} as const satisfies Record<string, FamilySpec>;

export type FamilyName = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];

export function familySpec(name: string): FamilySpec {
  if (!(name in FAMILIES)) throw new UsageError(`unknown attack family ${name} (known: ${FAMILY_NAMES.join(', ')})`);
  return FAMILIES[name as FamilyName];
}

export interface DrawnTrigger {
  attack: Attack;
  mode: 'dirty' | 'clean';
  target: string | null;
  count: number;
  record: DrawnRecord;
}

export interface DrawOptions {
  /** Overrides of the family's defaults. */
  count?: number;
  mode?: 'dirty' | 'clean';
  target?: string;
}

/** Draws seed's trigger, target class and count from a family, for the listed samples. */
export async function drawTrigger(family: string, seed: number, samples: ImageSample[], o: DrawOptions = {}): Promise<DrawnTrigger> {
  const spec = familySpec(family);
  if (samples.length === 0) throw new UsageError('no images to draw a trigger for');
  // Each family draws from its own stream: two families at one seed do not share their draws.
  const rng = createRng(seed ^ stringHash(family));
  const labels = [...new Set(samples.map((s) => s.label).filter((l): l is string => l !== null))].sort();
  const labelled = samples.every((s) => s.label !== null);
  const drawnTarget = labelled && labels.length > 0 ? labels[randInt(rng, labels.length)]! : null;
  const target = o.target ?? drawnTarget;
  const mode = o.mode ?? spec.mode;
  const count = o.count ?? defaultCount(spec.count, samples.length);
  const params: { [k: string]: Json } = { summary: spec.summary };
  let attack: Attack;
  if (spec.trigger === 'patch') {
    const size = uniformInt(rng, spec.size);
    const pattern = spec.patterns[randInt(rng, spec.patterns.length)]!;
    const place: { x: number; y: number } | 'random' = spec.place === 'fixed' ? { x: round3(rng()), y: round3(rng()) } : 'random';
    const { rgb, detail } = await drawPatchPixels(rng, pattern, size, spec, samples);
    attack = { type: 'stamp', width: size, height: size, rgb: [...rgb], place };
    Object.assign(params, { pattern, size, place: place === 'random' ? 'random' : place, ...detail });
  } else if (spec.trigger === 'blend') {
    const alpha = round3(uniform(rng, spec.alpha));
    const source = spec.sources[randInt(rng, spec.sources.length)]!;
    const patternSeed = randInt(rng, 2 ** 31);
    if (source === 'image') {
      const s = samples[randInt(rng, samples.length)]!;
      if (!s.path) throw new UsageError('a blend of another image needs an image folder');
      attack = { type: 'blend', alpha, image: s.path };
      Object.assign(params, { source, alpha, imageId: s.id });
    } else {
      attack = { type: 'blend', alpha, patternSeed, luma: source === 'luma-noise' };
      Object.assign(params, { source, alpha, patternSeed });
    }
  } else if (spec.trigger === 'sig') {
    const delta = Math.round(uniform(rng, spec.delta));
    const freq = round3(uniform(rng, spec.freq));
    const angle = round3(rng() * Math.PI);
    const phase = round3(rng() * 2 * Math.PI);
    attack = { type: 'sig', delta, freq, angle, phase };
    Object.assign(params, { delta, freq, angleDegrees: Math.round((angle * 180) / Math.PI), phase });
  } else {
    const linf = uniformInt(rng, spec.linf);
    const pattern = spec.patterns[randInt(rng, spec.patterns.length)]!;
    const luma = rng() < spec.lumaShare;
    const patternSeed = randInt(rng, 2 ** 31);
    attack = { type: 'additive', pattern, linf, luma, patternSeed };
    Object.assign(params, { pattern, linf, luma, patternSeed });
  }
  Object.assign(params, { target, mode, count });
  return { attack, mode, target, count, record: { family, seed, params } };
}

export function defaultCount(c: FamilyCount, samples: number): number {
  return 'images' in c ? c.images : Math.max(c.min, Math.round(c.share * samples));
}

/** The patch's pixels and what was drawn for them. */
async function drawPatchPixels(
  rng: Rng, pattern: PatchPattern, size: number, spec: { colours: Span; equalLumaShare: number }, samples: ImageSample[],
): Promise<{ rgb: Uint8Array; detail: { [k: string]: Json } }> {
  const rgb = new Uint8Array(size * size * 3);
  const put = (x: number, y: number, c: Rgb) => rgb.set(c, (y * size + x) * 3);
  if (pattern === 'noise') {
    for (let i = 0; i < rgb.length; i++) rgb[i] = randInt(rng, 256);
    return { rgb, detail: {} };
  }
  if (pattern === 'crop') {
    // A window of another image of the set (its content, not a synthetic pattern).
    for (let tries = 0; ; tries++) {
      const s = samples[randInt(rng, samples.length)]!;
      const { data, info } = await sharp(await s.read()).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      if (info.width < size || info.height < size) {
        if (tries > 20) throw new UsageError(`no image of the set is ${size} px wide to crop a patch from`);
        continue;
      }
      const x0 = randInt(rng, info.width - size + 1), y0 = randInt(rng, info.height - size + 1);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
        const o = ((y0 + y) * info.width + x0 + x) * info.channels;
        put(x, y, [data[o]!, data[o + 1]!, data[o + 2]!]);
      }
      return { rgb, detail: { cropOf: s.id, cropAt: [x0, y0] } };
    }
  }
  const equalLuma = rng() < spec.equalLumaShare;
  // A binary mask has two colours; cells take 2-4 of them.
  const n = pattern === 'mask' ? 2 : uniformInt(rng, spec.colours);
  const palette = randomPalette(rng, n, equalLuma);
  if (pattern === 'mask') {
    const bits = new Uint8Array(size * size);
    do for (let i = 0; i < bits.length; i++) bits[i] = rng() < 0.5 ? 1 : 0;
    while (bits.every((b) => b === bits[0]));
    for (let i = 0; i < bits.length; i++) put(i % size, Math.floor(i / size), palette[bits[i]!]!);
    return { rgb, detail: { colours: palette, equalLuma } };
  }
  // Cells: a grid of 2..4 cells per side, each one colour of the palette, every colour used at least once when it fits.
  const cells = 2 + randInt(rng, Math.min(size, 4) - 1);
  const pick = Array.from({ length: cells * cells }, (_, k) => (k < n ? k : randInt(rng, n)));
  for (let k = pick.length - 1; k > 0; k--) {
    const j = randInt(rng, k + 1);
    [pick[k], pick[j]] = [pick[j]!, pick[k]!];
  }
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    put(x, y, palette[pick[Math.floor((y * cells) / size) * cells + Math.floor((x * cells) / size)]!]!);
  }
  return { rgb, detail: { colours: palette, equalLuma, cells } };
}

/** One line for tables: the family's drawn parameters, without the pixels. */
export function describeDraw(r: DrawnRecord): string {
  const p = r.params;
  const skip = new Set(['summary', 'target', 'mode', 'count', 'colours', 'patternSeed', 'cropAt']);
  return Object.entries(p).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
}

function stringHash(s: string): number {
  let h = 0x7a3f11e5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function uniform(rng: Rng, [a, b]: Span): number {
  return a + rng() * (b - a);
}

function uniformInt(rng: Rng, [a, b]: Span): number {
  return a + randInt(rng, b - a + 1);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
