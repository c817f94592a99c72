// The threaded image fingerprint path (fingerprint/file-pool.ts, file-worker.ts) against the calling thread's, on a
// folder with unreadable and unusual files; and a thread that dies on a file costing that file, not the scan.
// These tests ask for threads from the TypeScript sources (util/module-worker.ts), so they run the same worker
// code as the built package, with no build first.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filePool, type CrashHook } from '../src/fingerprint/file-pool.js';
import { fingerprintImages, type FingerprintImagesResult } from '../src/fingerprint/images.js';
import { fingerprintSample, sharedColumn, type NumericColumns, type TextColumns } from '../src/fingerprint/sample.js';
import { listImageFolder } from '../src/ingest/imagefolder.js';
import { IMAGE_STAT_NAMES, type ImageStatName } from '../src/model/image-features.js';
import type { ImageSample } from '../src/model/image-sample.js';
import { sharedBytes } from '../src/util/shared-bytes.js';
import { threadsFromSources } from '../src/util/module-worker.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { syntheticImage } from './fixtures/synthetic-images.js';

const GRID = 32;
let dir: string;
let samples: ImageSample[];
const raw = (w: number, h: number) => ({ raw: { width: w, height: h, channels: 3 as const } });
const idOf = (name: string) => samples.findIndex((s) => s.id.endsWith(`/${name}`));

beforeAll(async () => {
  threadsFromSources(true);
  dir = await mkdtemp(join(tmpdir(), 'ps-pool-'));
  const rng = createRng(11);
  // Three classes of 50 files: more than two runs of files, so that both threads work and a run is retried.
  for (const cls of ['a', 'b', 'c']) {
    const d = join(dir, cls);
    await mkdir(d, { recursive: true });
    for (let k = 0; k < 50; k++) await writeFile(join(d, `${String(k).padStart(3, '0')}.jpg`), await sharp(syntheticImage(rng), raw(32, 32)).jpeg({ quality: 75 }).toBuffer());
  }
  const px = syntheticImage(rng, 48);
  const good = await sharp(px, raw(48, 48)).jpeg({ quality: 90 }).toBuffer();
  const odd: Record<string, Uint8Array | string> = {
    'a/010e.jpg': Buffer.alloc(0),
    'a/020t.jpg': good.subarray(0, good.length >> 1),
    'b/005n.jpg': 'this is not an image',
    'b/030g.png': await sharp(px, raw(48, 48)).toColourspace('b-w').png().toBuffer(),
    'b/031p.jpg': await sharp(px, raw(48, 48)).jpeg({ progressive: true }).toBuffer(),
    'c/012s.png': await sharp(px, raw(48, 48)).toColourspace('rgb16').png().toBuffer(),
    'c/013k.jpg': await sharp(px, raw(48, 48)).toColourspace('cmyk').jpeg().toBuffer(),
    'c/040a.png': await sharp(px, raw(48, 48)).ensureAlpha(0.5).png().toBuffer(),
  };
  for (const [name, bytes] of Object.entries(odd)) await writeFile(join(dir, name), bytes);
  samples = (await listImageFolder(dir)).samples;
});
afterAll(async () => {
  threadsFromSources(false);
  await rm(dir, { recursive: true, force: true });
});

/** Everything a fingerprint result holds, in plain arrays. */
function plain(r: FingerprintImagesResult) {
  const f = r.features;
  return {
    kept: r.kept,
    errors: r.errors,
    pixels: Buffer.from(f.pixels).toString('base64'),
    stats: Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, [...f.stats[k]]])),
    phash: [...f.phash].map(String),
    file: Object.fromEntries(Object.entries(f.file).map(([k, v]) => [k, Array.from(v as ArrayLike<unknown>)])),
  };
}

function columns(n: number): { cols: NumericColumns; text: TextColumns } {
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, sharedColumn(Float32Array, n)])) as Record<ImageStatName, Float32Array>;
  const cols: NumericColumns = {
    grid: GRID, pixelLimit: 1e8, pixels: sharedBytes(n * GRID * GRID * 3), stats, phash: sharedColumn(BigUint64Array, n),
    bytes: sharedColumn(Float64Array, n), width: sharedColumn(Uint32Array, n), height: sharedColumn(Uint32Array, n), jpegQuality: sharedColumn(Float32Array, n),
  };
  const blank = () => new Array<string>(n).fill('');
  return { cols, text: { format: blank(), chroma: blank(), encoder: blank(), created: blank(), sha256: blank(), md5: blank(), failed: new Array(n).fill(null) } };
}

/** Each row of the columns (numeric and text), as a comparable record; a failed row has only its reason. */
function rows(cols: NumericColumns, text: TextColumns): unknown[] {
  const per = GRID * GRID * 3;
  return text.failed.map((failed, i) => failed !== null ? { failed } : {
    pixels: Buffer.from(cols.pixels.subarray(i * per, (i + 1) * per)).toString('base64'),
    stats: IMAGE_STAT_NAMES.map((k) => cols.stats[k][i]),
    phash: String(cols.phash[i]), bytes: cols.bytes[i], width: cols.width[i], height: cols.height[i], jpegQuality: cols.jpegQuality[i],
    text: [text.format[i], text.chroma[i], text.encoder[i], text.created[i], text.sha256[i], text.md5[i]],
  });
}

/** Every file through the pool (with a crash hook), and the ticks it gave. */
async function throughPool(crashOn?: CrashHook) {
  const { cols, text } = columns(samples.length);
  const pool = filePool(2, crashOn ? { crashOn } : {});
  expect(pool).not.toBeNull();
  let ticks = 0;
  await pool!.run(samples, samples.map((_, i) => i), cols, text, (k) => (ticks += k));
  return { rows: rows(cols, text), ticks };
}

/** Every file on the calling thread, one at a time. */
async function onThisThread() {
  const { cols, text } = columns(samples.length);
  const luma = new Float64Array(GRID * GRID);
  for (let i = 0; i < samples.length; i++) await fingerprintSample(() => samples[i]!.read(), i, cols, text, i, luma);
  return rows(cols, text);
}

describe('threaded image fingerprints', () => {
  it('give the fingerprints, hashes, errors and order of the calling thread, bad files included', async () => {
    expect(samples).toHaveLength(158);
    expect(filePool(2)).not.toBeNull();
    const one = plain(await fingerprintImages(samples, { concurrency: 1, progress: silentProgress }));
    const two = plain(await fingerprintImages(samples, { concurrency: 2, progress: silentProgress }));
    expect(two).toEqual(one);
    const errors = Object.fromEntries(one.errors.map((e) => [e.id.split('/')[1], e.error]));
    expect(Object.keys(errors).sort()).toEqual(['005n.jpg', '010e.jpg', '020t.jpg']);
    expect(one.kept).toHaveLength(155);
    expect(one.file.format[idOf('013k.jpg')]).toBe('jpeg');
  });

  it('lists a file that stops a thread twice as that sample\'s error, and fingerprints every other file as before', async () => {
    const want = await onThisThread();
    // One file in the first run and one in the last: the second is reached only if the dead thread was replaced.
    const killers = [samples[3]!.path!, samples[150]!.path!];
    for (const how of ['exit', 'throw'] as const) {
      const got = await throughPool({ paths: killers, how });
      expect(got.ticks).toBe(samples.length);
      for (const i of [3, 150]) expect(got.rows[i]).toEqual({ failed: expect.stringMatching(how === 'exit' ? /^stopped the fingerprint thread twice \(exit code 70\)$/ : /^stopped the fingerprint thread twice \(.*injected failure/) });
      expect(got.rows.filter((_, i) => i !== 3 && i !== 150)).toEqual(want.filter((_, i) => i !== 3 && i !== 150));
    }
  });

  it('fingerprints a file whose thread died once as if nothing had happened', async () => {
    const want = await onThisThread();
    const got = await throughPool({ paths: [samples[70]!.path!, samples[71]!.path!], how: 'exit', firstTryOnly: true });
    expect(got.rows).toEqual(want);
    expect(got.ticks).toBe(samples.length);
  });

  it('does the files on the calling thread when no thread can start', async () => {
    const want = await onThisThread();
    const got = await throughPool({ paths: [], how: 'start' });
    expect(got.rows).toEqual(want);
    expect(got.ticks).toBe(samples.length);
  });
});
