// --embed pretrained: the MobileNet v2 that the optional package nsfwjs ships. The model tests run only where the
// package is installed; the option checks run everywhere.
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { loadPretrained, PRETRAINED_DIM } from '../src/embed/pretrained.js';
import type { ImageFeatures } from '../src/model/image-features.js';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

const installed = (() => {
  try {
    createRequire(import.meta.url).resolve('nsfwjs');
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-pretrained-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** n generated images on a grid x grid working grid: smooth colour fields with a bright square at a drawn place. */
function images(n: number, grid: number, seed: number): ImageFeatures {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * grid * grid * 3);
  for (let i = 0; i < n; i++) {
    const base = [rng() * 200, rng() * 200, rng() * 200];
    const x0 = Math.floor(rng() * (grid - 4));
    const y0 = Math.floor(rng() * (grid - 4));
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        const inSquare = x >= x0 && x < x0 + 4 && y >= y0 && y < y0 + 4;
        for (let c = 0; c < 3; c++) pixels[((i * grid + y) * grid + x) * 3 + c] = inSquare ? 255 : Math.min(255, base[c]! + (40 * (x + y)) / grid);
      }
    }
  }
  return { grid, pixels } as ImageFeatures;
}

describe('--embed options', () => {
  it('is a project config key with its kinds checked', () => {
    expect(parseConfig({ scan: { embed: 'pretrained', embedSize: 64 } }, 'c').scan).toEqual({ embed: 'pretrained', embedSize: 64 });
    expect(() => parseConfig({ scan: { embed: 'imagenet' } }, 'c')).toThrow(/scan.embed must be one of none, proxy, pretrained/);
  });

  it('refuses --proxy-model with another --embed before any work', async () => {
    await expect(scan({ dataset: join(dir, 'none'), out: join(dir, 'x'), quiet: true, progress: silentProgress, proxyModel: true, embed: 'pretrained' })).rejects.toThrow(/--proxy-model and --embed pretrained/);
  });
});

describe.skipIf(!installed)('pretrained backbone (nsfwjs installed)', () => {
  it('gives 1,280 finite values per image, the same on every run and whatever the batch holds', async () => {
    const model = await loadPretrained(32);
    expect(model.spec).toMatchObject({ kind: 'pretrained', backbone: 'MobileNetV2', size: 32, dim: PRETRAINED_DIM });
    expect(model.spec.package).toMatch(/^nsfwjs@4\./);
    const imgs = images(6, 16, 5);
    const a = await model.embed(imgs, silentProgress);
    expect(a.dim).toBe(PRETRAINED_DIM);
    expect(a.data.length).toBe(6 * PRETRAINED_DIM);
    expect(a.data.every(Number.isFinite)).toBe(true);
    // Different images, different vectors.
    expect(a.data.subarray(0, PRETRAINED_DIM)).not.toEqual(a.data.subarray(PRETRAINED_DIM, 2 * PRETRAINED_DIM));
    const b = await model.embed(imgs, silentProgress);
    expect(b.data).toEqual(a.data);
    // Image 3 embedded alone (the others carried over) is what it was in the full batch.
    const c = await model.embed(imgs, silentProgress, (i) => (i === 3 ? undefined : a.data.subarray(i * PRETRAINED_DIM, (i + 1) * PRETRAINED_DIM)));
    expect(c.data).toEqual(a.data);
    model.dispose();
  });

  it('feeds the embedding detectors of a scan, records itself in the config, and carries vectors over from a baseline', async () => {
    const sharp = (await import('sharp')).default;
    const root = join(dir, 'imgs');
    const imgs = images(24, 16, 9);
    for (let i = 0; i < 24; i++) {
      const c = i % 2 ? 'b' : 'a';
      await mkdir(join(root, c), { recursive: true });
      const px = Buffer.from(imgs.pixels.subarray(i * 16 * 16 * 3, (i + 1) * 16 * 16 * 3));
      await writeFile(join(root, c, `${i}.png`), await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer());
    }
    const opts = { dataset: root, quiet: true, progress: silentProgress, failOn: 'never' as const, embed: 'pretrained' as const, embedSize: 32, detectors: ['spectral-signature'] };
    const r = await scan({ ...opts, out: join(dir, 'r1') });
    expect(r.report.config.detectors).toEqual(['spectral-signature']);
    expect(r.report.config.embed).toMatchObject({ kind: 'pretrained', backbone: 'MobileNetV2', size: 32, dim: PRETRAINED_DIM });
    expect((await stat(join(dir, 'r1', 'embeddings.npy'))).size).toBeGreaterThan(24 * PRETRAINED_DIM * 4);
    // One image changed: it alone is embedded again.
    const changed = Buffer.alloc(16 * 16 * 3, 200);
    await writeFile(join(root, 'a', '0.png'), await sharp(changed, { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer());
    const again = await scan({ ...opts, out: join(dir, 'r2'), baseline: join(dir, 'r1') });
    expect((again.report.config.embed as { carriedOver: number }).carriedOver).toBe(23);
  });
});
