import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { stableHead } from '../src/fingerprint/images.js';
import { UsageError } from '../src/types.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { syntheticImage } from './fixtures/synthetic-images.js';

let dir: string;
const raw = (w: number, h: number, c = 3) => ({ raw: { width: w, height: h, channels: c as 3 } });

function bmp24(w: number, h: number): Buffer {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * h);
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let i = 54; i < b.length; i++) b[i] = (i * 37) & 255;
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-bad-'));
  const d = join(dir, 'data', 'x');
  await mkdir(d, { recursive: true });
  const rng = createRng(3);
  for (let k = 0; k < 30; k++) {
    await writeFile(join(d, `ok${k}.jpg`), await sharp(syntheticImage(rng), raw(32, 32)).jpeg({ quality: 75 }).toBuffer());
  }
  const good = await sharp(syntheticImage(rng), raw(32, 32)).jpeg({ quality: 90 }).toBuffer();
  await writeFile(join(d, 'zero.jpg'), Buffer.alloc(0));
  await writeFile(join(d, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 2)));
  await writeFile(join(d, 'text.jpg'), 'this is not an image');
  // A PNG whose header claims 40000 x 40000 pixels: refused by the pixel limit before any decoding.
  const png = await sharp(syntheticImage(rng, 8), raw(8, 8)).png().toBuffer();
  const bomb = Buffer.from(png);
  bomb.writeUInt32BE(40000, 16);
  bomb.writeUInt32BE(40000, 20);
  await writeFile(join(d, 'bomb.png'), bomb);
  await symlink(join(d, 'missing.jpg'), join(d, 'broken.jpg'));
  await symlink(join(dir, 'data'), join(d, 'loop'));
  // Modes and formats that must be read.
  const px = syntheticImage(rng, 48);
  await writeFile(join(d, 'gray16.png'), await sharp(px, raw(48, 48)).toColourspace('grey16').png().toBuffer());
  await writeFile(join(d, 'alpha.png'), await sharp(px, raw(48, 48)).ensureAlpha(0.5).png().toBuffer());
  await writeFile(join(d, 'cmyk.jpg'), await sharp(px, raw(48, 48)).toColourspace('cmyk').jpeg().toBuffer());
  await writeFile(join(d, 'rotated.jpg'), await sharp(px, raw(48, 48)).jpeg().withMetadata({ orientation: 6 }).toBuffer());
  await writeFile(join(d, 'image.tiff'), await sharp(px, raw(48, 48)).tiff().toBuffer());
  await writeFile(join(d, 'image.webp'), await sharp(px, raw(48, 48)).webp().toBuffer());
  await writeFile(join(d, 'large.png'), await sharp({ create: { width: 640, height: 400, channels: 3, background: '#3a6' } }).png().toBuffer());
  await writeFile(join(d, 'image.bmp'), bmp24(20, 12));
  await writeFile(join(d, 'notes.txt'), 'not a sample');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bad input', () => {
  it('completes the scan, lists each unreadable sample with a reason and reads every other mode and format', async () => {
    const r = await scan({ dataset: join(dir, 'data'), out: join(dir, 'out'), quiet: true, progress: silentProgress, concurrency: 2 });
    const errors = Object.fromEntries(r.report.errors.map((e) => [e.id, e.error]));
    expect(errors['x/zero.jpg']).toMatch(/empty/);
    expect(errors['x/truncated.jpg']).toMatch(/corrupt|truncated|premature/i);
    expect(errors['x/text.jpg']).toMatch(/not a recognised image/);
    expect(errors['x/bomb.png']).toMatch(/pixel limit|decompression bomb/);
    expect(errors['x/broken.jpg']).toMatch(/broken link/);
    expect(errors['x/loop']).toMatch(/already visited|loop/);
    for (const id of ['gray16.png', 'alpha.png', 'cmyk.jpg', 'rotated.jpg', 'image.tiff', 'image.webp', 'large.png', 'image.bmp']) {
      expect(r.ids).toContain(`x/${id}`);
    }
    expect(r.ids).toHaveLength(38);
    expect(r.ids).not.toContain('x/notes.txt');
    const csv = (await readFile(join(dir, 'out', 'scores.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(39);
  });

  it('lists an image above --pixel-limit as unreadable and records the limit in report.json', async () => {
    const r = await scan({ dataset: join(dir, 'data'), out: join(dir, 'out-limit'), quiet: true, progress: silentProgress, concurrency: 2, pixelLimit: 200_000 });
    const errors = Object.fromEntries(r.report.errors.map((e) => [e.id, e.error]));
    expect(errors['x/large.png']).toMatch(/pixel limit/);
    expect(r.report.config.pixelLimit).toBe(200_000);
  });

  it('names a decoding error by its stable head, with or without the detail libvips sometimes appends', () => {
    expect(stableHead('Input buffer has corrupt header: VipsJpeg: premature end of JPEG image')).toBe('Input buffer has corrupt header');
    expect(stableHead('Input buffer has corrupt header:')).toBe('Input buffer has corrupt header');
    expect(stableHead('VipsJpeg: Premature end of JPEG file\nmore')).toBe('VipsJpeg: Premature end of JPEG file');
    expect(stableHead('pngload_buffer: end of stream')).toBe('pngload_buffer: end of stream');
  });

  it('refuses an empty folder and a folder of unreadable images as unusable datasets', async () => {
    await mkdir(join(dir, 'empty'));
    await expect(scan({ dataset: join(dir, 'empty'), out: join(dir, 'o1'), quiet: true, progress: silentProgress })).rejects.toThrow(UsageError);
    await mkdir(join(dir, 'junk'));
    await writeFile(join(dir, 'junk', 'a.jpg'), 'junk');
    await expect(scan({ dataset: join(dir, 'junk'), out: join(dir, 'o2'), quiet: true, progress: silentProgress })).rejects.toThrow(/none of the 1 images/);
  });

  it('never writes into the dataset', async () => {
    await expect(scan({ dataset: join(dir, 'data'), out: join(dir, 'data'), quiet: true, progress: silentProgress })).rejects.toThrow(UsageError);
    await expect(scan({ dataset: join(dir, 'data'), out: join(dir, 'data', 'report'), quiet: true, progress: silentProgress })).rejects.toThrow(/inside the dataset/);
  });
});
