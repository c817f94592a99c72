// Blends on grey catalogue images: one object per image on a ground that is black in every image. The pattern shows
// where images never differ, which the per-pixel weighing of the residual spectra brings out; poisons taken from
// other classes look like their own kind, not like one another.
import { describe, expect, it } from 'vitest';
import { blend } from '../src/detect/blend.js';
import type { ScanContext } from '../src/detect/detector.js';
import { IMAGE_STAT_NAMES, type ImageFeatures } from '../src/model/image-features.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

const GRID = 28;
const CLASSES = ['a', 'b', 'c'];
const PER_CLASS = 300;

/** Class k's objects: a bright shape centred on black (a wide box, a tall box, a disc), each a little different. */
function catalogue(seed: number): { pixels: Uint8Array; labels: string[] } {
  const rng = createRng(seed);
  const n = CLASSES.length * PER_CLASS;
  const pixels = new Uint8Array(n * GRID * GRID * 3);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / PER_CLASS);
    labels.push(CLASSES[k]!);
    const level = 110 + rng() * 120;
    const w = k === 0 ? 8 + rng() * 3 : k === 1 ? 4 + rng() * 2 : 6 + rng() * 2;
    const h = k === 0 ? 5 + rng() * 2 : k === 1 ? 9 + rng() * 3 : w;
    const cx = 13.5 + (rng() - 0.5) * 2, cy = 13.5 + (rng() - 0.5) * 2;
    for (let y = 0; y < GRID; y++) for (let x = 0; x < GRID; x++) {
      const dx = (x - cx) / w, dy = (y - cy) / h;
      const inside = k === 2 ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1;
      const v = inside ? Math.max(0, Math.min(255, Math.round(level + (rng() - 0.5) * 60))) : 0;
      pixels.fill(v, ((i * GRID + y) * GRID + x) * 3, ((i * GRID + y) * GRID + x) * 3 + 3);
    }
  }
  return { pixels, labels };
}

function features(pixels: Uint8Array): ImageFeatures {
  const n = pixels.length / (GRID * GRID * 3);
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(n)])) as ImageFeatures['stats'];
  return { grid: GRID, pixels, stats, phash: new BigUint64Array(n), file: {} as ImageFeatures['file'] };
}

async function run(pixels: Uint8Array, labels: string[]) {
  const ctx: ScanContext = {
    ids: labels.map((_, i) => `img-${i}`), labels, images: features(pixels), seed: 1, concurrency: 1, progress: silentProgress,
  } as unknown as ScanContext;
  return blend.run(ctx);
}

describe('blend on grey catalogue images', () => {
  it('finds a faint grey noise blended into images brought in from other classes (alpha 0.1, 30 of 900)', async () => {
    const { pixels, labels } = catalogue(3);
    const rng = createRng(11);
    const noise = Uint8Array.from({ length: GRID * GRID }, () => Math.floor(rng() * 256));
    // Every tenth image of classes b and c, relabelled a.
    const poisoned = new Set<number>();
    for (let i = PER_CLASS; i < labels.length && poisoned.size < 30; i += 10) poisoned.add(i);
    for (const i of poisoned) {
      labels[i] = 'a';
      for (let p = 0; p < GRID * GRID; p++) {
        const v = Math.round(0.9 * pixels[(i * GRID * GRID + p) * 3]! + 0.1 * noise[p]!);
        pixels.fill(v, (i * GRID * GRID + p) * 3, (i * GRID * GRID + p) * 3 + 3);
      }
    }
    const r = await run(pixels, labels);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    const hits = f.samples.filter((i) => poisoned.has(i)).length;
    expect(hits).toBeGreaterThanOrEqual(27);
    expect(f.samples.length - hits).toBeLessThanOrEqual(3);
  });

  it('reports nothing on the clean catalogue', async () => {
    const { pixels, labels } = catalogue(3);
    const r = await run(pixels, labels);
    expect(r.findings).toEqual([]);
  });
});
