import { describe, expect, it } from 'vitest';
import { blend } from '../src/detect/blend.js';
import { COARSE_SIDE, contentLink } from '../src/detect/blend/look-alikes.js';
import { IMAGE_STAT_NAMES, type ImageFeatures } from '../src/model/image-features.js';
import { createRng, randInt, type Rng } from '../src/util/rng.js';
import { silentProgress } from '../src/util/progress.js';

const G = 28;
const PER_CLASS = 400;
const CLASSES = ['a', 'b', 'c'];

/**
 * Centred grey objects on a black ground, as in a catalogue: ellipses of varied size and brightness; in class "a",
 * the first `kindShare` of the images are of another kind, an L-shaped outline (a shaft and a foot) of varied,
 * sub-pixel size and place. Alone, the kind makes a one-sided tail on the class's template (the tail test reports
 * it at this share).
 */
function catalogue(kindShare: number): { labels: string[]; pixels: Uint8Array; kind: boolean[] } {
  const rng = createRng(3);
  const n = CLASSES.length * PER_CLASS;
  const pixels = new Uint8Array(n * G * G * 3);
  const labels: string[] = [];
  const kind: boolean[] = [];
  let i = 0;
  for (const [c, cls] of CLASSES.entries()) {
    for (let k = 0; k < PER_CLASS; k++, i++) {
      labels.push(cls);
      const isKind = cls === 'a' && k < PER_CLASS * kindShare;
      kind.push(isKind);
      const v = 120 + rng() * 130;
      if (isKind) {
        const x0 = 8 + rng() * 4, w = 4 + rng() * 3, y0 = 2 + rng() * 4, y1 = 17 + rng() * 4, fx = 19 + rng() * 5;
        rect(pixels, i, rng, v, x0, x0 + w, y0, y1 + 5);
        rect(pixels, i, rng, v, x0, fx, y1, y1 + 5);
      } else {
        const cx = 14 + (rng() - 0.5) * 3, cy = 14 + (rng() - 0.5) * 3;
        const rx = 5 + rng() * 5 + c, ry = 4 + rng() * 4;
        for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
          if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) set(pixels, i, x, y, v + (rng() - 0.5) * 40);
        }
      }
    }
  }
  return { labels, pixels, kind };
}

/** A filled rectangle with sub-pixel edges (partial pixels get their covered share). */
function rect(pixels: Uint8Array, i: number, rng: Rng, v: number, x0: number, x1: number, y0: number, y1: number): void {
  const cover = (a0: number, a1: number, p: number) => Math.max(0, Math.min(a1, p + 1) - Math.max(a0, p));
  for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
    const c = cover(x0, x1, x) * cover(y0, y1, y);
    if (c > 0) set(pixels, i, x, y, Math.max(pixels[(i * G * G + y * G + x) * 3]!, c * (v + (rng() - 0.5) * 40)));
  }
}

function set(pixels: Uint8Array, i: number, x: number, y: number, v: number): void {
  const o = (i * G * G + y * G + x) * 3;
  pixels[o] = pixels[o + 1] = pixels[o + 2] = Math.max(0, Math.min(255, Math.round(v)));
}

function features(pixels: Uint8Array): ImageFeatures {
  const n = pixels.length / (G * G * 3);
  const strings = () => Array.from({ length: n }, () => '');
  return {
    grid: G,
    pixels,
    stats: Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(n)])) as ImageFeatures['stats'],
    phash: new BigUint64Array(n),
    file: {
      format: strings(), bytes: new Float64Array(n), width: new Uint32Array(n).fill(G), height: new Uint32Array(n).fill(G),
      jpegQuality: new Float32Array(n).fill(-1), chroma: strings(), encoder: strings(), created: strings(), sha256: strings(), md5: strings(),
    },
  };
}

async function runBlend(labels: string[], pixels: Uint8Array) {
  return blend.run({ modality: 'image', ids: labels.map((_, i) => String(i)), labels, images: features(pixels), seed: 0, concurrency: 1, progress: silentProgress });
}

describe('blend: images of one kind are related by content', () => {
  it('does not report a kind of object that a class shares (their look-alikes share their score)', async () => {
    const { labels, pixels } = catalogue(0.3);
    const out = await runBlend(labels, pixels);
    expect(out.findings).toEqual([]);
  });

  it('still reports a noise pattern blended into unrelated images of the same catalogue', async () => {
    const { labels, pixels, kind } = catalogue(0.3);
    // 40 images of class "b" relabelled to "a" with one colour-noise pattern blended in at alpha 0.3.
    const rng = createRng(9);
    const pattern = Uint8Array.from({ length: G * G * 3 }, () => randInt(rng, 256));
    const poisoned = new Set<number>();
    for (let q = 0; q < 40; q++) {
      const i = PER_CLASS + q * 7;
      labels[i] = 'a';
      poisoned.add(i);
      for (let p = 0; p < G * G * 3; p++) pixels[i * G * G * 3 + p] = Math.round(0.7 * pixels[i * G * G * 3 + p]! + 0.3 * pattern[p]!);
    }
    const out = await runBlend(labels, pixels);
    expect(out.findings).toHaveLength(1);
    const f = out.findings[0]!;
    expect(f.samples.filter((i) => poisoned.has(i)).length).toBeGreaterThanOrEqual(36);
    expect(f.samples.filter((i) => kind[i]).length).toBe(0);
    expect(f.evidence.lookAlikeShare as number).toBeLessThan(0.1);
  });
});

describe('contentLink', () => {
  // Two looks (coarse vectors); the score follows the look for a kind, and is added to random members for a pattern.
  const d = COARSE_SIDE * COARSE_SIDE;
  const m = 600;
  const rng = createRng(4);
  const coarse = new Float32Array(m * d);
  const look = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    look[i] = i % 3 === 0 ? 1 : 0;
    for (let p = 0; p < d; p++) coarse[i * d + p] = (look[i] ? (p < d / 2 ? 1 : -1) : p % 2 ? 1 : -1) + 0.5 * (rng() - 0.5);
  }
  const members = Array.from({ length: m }, (_, i) => i);

  it('is near 1 when the images that look like the group score like it', () => {
    // Every image of look 1 scores high; the group is the half of them above a cut.
    const z = Float32Array.from(members, (i) => (look[i] ? 4 + (i % 2) * 2 : 0) + 0.1 * (rng() - 0.5));
    const inGroup = Uint8Array.from(members, (i) => (z[i]! >= 5 ? 1 : 0));
    expect(contentLink(coarse, members, z, inGroup).share).toBeGreaterThan(0.5);
  });

  it('is near 0 when the group carries a score its look-alikes do not', () => {
    const inGroup = Uint8Array.from(members, (i) => (i % 10 === 1 ? 1 : 0));
    const z = Float32Array.from(members, (i) => (inGroup[i] ? 6 : 0) + (rng() - 0.5));
    expect(Math.abs(contentLink(coarse, members, z, inGroup).share)).toBeLessThan(0.1);
  });

  it('measures cohesion: far above 1 when the whole group is one look, about 1 for a group of any looks', () => {
    const z = Float32Array.from(members, () => 0);
    // The whole of look 1 is the group: nothing outside looks like it, but its members are one another's nearest.
    const kind = contentLink(coarse, members, z, Uint8Array.from(members, (i) => look[i]!));
    expect(kind.cohesion).toBeGreaterThan(2);
    const spread = contentLink(coarse, members, z, Uint8Array.from(members, (i) => (i % 10 === 1 ? 1 : 0)));
    expect(spread.cohesion).toBeGreaterThan(0.5);
    expect(spread.cohesion).toBeLessThan(1.5);
  });
});
