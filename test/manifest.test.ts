import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { syntheticImage } from './fixtures/synthetic-images.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-manifest-'));
  await mkdir(join(dir, 'data', 'deep', 'er'), { recursive: true });
  const rng = createRng(1);
  for (const name of ['a.png', 'deep/b.png', 'deep/er/c.png']) {
    await writeFile(join(dir, 'data', name), await sharp(syntheticImage(rng), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--manifest', () => {
  it('takes paths and labels from a CSV manifest, relative to the dataset root', async () => {
    const m = join(dir, 'm.csv');
    await writeFile(m, 'path,label\na.png,cat\n"deep/b.png", dog\ndeep/er/c.png,\nmissing.png,cat\n');
    const r = await scan({ dataset: join(dir, 'data'), manifest: m, out: join(dir, 'o1'), quiet: true, progress: silentProgress });
    expect(r.ids).toEqual(['a.png', 'deep/b.png', 'deep/er/c.png']);
    expect(r.report.dataset.labels).toEqual({ cat: 1, dog: 1 });
    expect(r.report.errors.map((e) => e.id)).toEqual(['missing.png']);
  });

  it('takes a JSONL manifest and rejects one without a path', async () => {
    const m = join(dir, 'm.jsonl');
    await writeFile(m, '{"path":"a.png","label":1}\n{"path":"deep/b.png","label":2}\n');
    const r = await scan({ dataset: join(dir, 'data'), manifest: m, out: join(dir, 'o2'), quiet: true, progress: silentProgress });
    expect(r.report.dataset.labels).toEqual({ '1': 1, '2': 1 });
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'file,label\na.png,1\n');
    await expect(scan({ dataset: join(dir, 'data'), manifest: bad, out: join(dir, 'o3'), quiet: true, progress: silentProgress })).rejects.toThrow(/no "path" column/);
  });
});
