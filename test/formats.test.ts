// Image datasets in Hugging Face Arrow folders and Parquet: read in place, ClassLabel names, bad rows.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, Field, Int64, Schema, Struct, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { syntheticImage } from './fixtures/synthetic-images.js';

let dir: string;
let pngs: Uint8Array[];
const labels = Array.from({ length: 40 }, (_, i) => BigInt(i % 2));

function hfTable(images: Uint8Array[]): Table {
  const img = vectorFromArray(images.map((bytes, i) => ({ bytes, path: `${i}.png` })), new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)]));
  const label = vectorFromArray(labels.slice(0, images.length), new Int64());
  const t = new Table({ img, label });
  const features = { img: { _type: 'Image' }, label: { _type: 'ClassLabel', names: ['cat', 'dog'] } };
  return new Table(new Schema(t.schema.fields, new Map([['huggingface', JSON.stringify({ info: { features } })]])), t.batches);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-formats-'));
  const rng = createRng(3);
  pngs = [];
  for (let i = 0; i < 40; i++) pngs.push(new Uint8Array(await sharp(syntheticImage(rng), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer()));
  pngs[7] = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]); // a broken PNG
  // save_to_disk layout: dataset_dict.json, one folder per split, state.json naming the stream files.
  for (const split of ['train', 'test']) {
    await mkdir(join(dir, 'hf', split), { recursive: true });
    const half = split === 'train' ? pngs : pngs.slice(0, 10);
    await writeFile(join(dir, 'hf', split, 'data-00000-of-00001.arrow'), tableToIPC(hfTable(half), 'stream'));
    await writeFile(join(dir, 'hf', split, 'state.json'), JSON.stringify({ _data_files: [{ filename: 'data-00000-of-00001.arrow' }] }));
    await writeFile(join(dir, 'hf', split, 'dataset_info.json'), '{}');
  }
  await writeFile(join(dir, 'hf', 'dataset_dict.json'), JSON.stringify({ splits: ['train', 'test'] }));
});
afterAll(async () => {
  if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
});

describe('Hugging Face Arrow folders', () => {
  it('reads a DatasetDict split of Image structs, names ClassLabel integers, and lists a broken image as an error', async () => {
    const r = await scan({ dataset: join(dir, 'hf'), out: join(dir, 'o1'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset).toMatchObject({ format: 'hf', modality: 'image', samples: 39, labels: { cat: 20, dog: 19 } });
    expect(r.report.errors.map((e) => e.id)).toEqual(['7']);
    const t = await scan({ dataset: join(dir, 'hf'), split: 'test', out: join(dir, 'o2'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(t.report.dataset.samples).toBe(9);
    await expect(scan({ dataset: join(dir, 'hf'), split: 'dev', out: join(dir, 'o3'), quiet: true, progress: silentProgress })).rejects.toThrow(/no split "dev"/);
  });

  it('leaves out an Arrow file whose schema changed with one error, and reads the others', async () => {
    await mkdir(join(dir, 'hfchg'), { recursive: true });
    const other = new Table({ img: hfTable(pngs.slice(20, 30)).getChild('img')!, label: vectorFromArray(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'], new Utf8()) });
    await writeFile(join(dir, 'hfchg', 'data-00000-of-00002.arrow'), tableToIPC(hfTable(pngs.slice(10, 20)), 'stream'));
    await writeFile(join(dir, 'hfchg', 'data-00001-of-00002.arrow'), tableToIPC(other, 'stream'));
    const r = await scan({ dataset: join(dir, 'hfchg'), out: join(dir, 'o9'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset.samples).toBe(10);
    expect(r.report.errors).toHaveLength(1);
    expect(r.report.errors[0]!.error).toMatch(/data-00001-of-00002\.arrow: its schema differs .*label is Utf8, not Int64.*its 10 rows are not read/);
  });

  it('keeps the rows before the damage in a truncated stream and says where it broke', async () => {
    await mkdir(join(dir, 'cut'), { recursive: true });
    // Two batches: cut inside the second.
    const two = tableToIPC(new Table([...hfTable(pngs.slice(0, 20)).batches, ...hfTable(pngs.slice(20, 40)).batches]), 'stream');
    await writeFile(join(dir, 'cut', 'data.arrow'), two.subarray(0, Math.floor(two.length * 0.8)));
    const r = await scan({ dataset: join(dir, 'cut', 'data.arrow'), out: join(dir, 'o4'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset.samples).toBe(19); // 20 rows of the first batch, one of them the broken PNG
    expect(r.report.errors.some((e) => /damaged after row 20/.test(e.error))).toBe(true);
  });
});

describe('Parquet images', () => {
  it('reads image bytes from a Parquet column', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'image', data: pngs.slice(0, 20), type: 'BYTE_ARRAY' },
        { name: 'label', data: labels.slice(0, 20).map(Number), type: 'INT32' },
      ],
    });
    await writeFile(join(dir, 'images.parquet'), Buffer.from(buf));
    const r = await scan({ dataset: join(dir, 'images.parquet'), out: join(dir, 'o5'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset).toMatchObject({ format: 'parquet', modality: 'image', samples: 19, labels: { '0': 10, '1': 9 } });
  });

  it('leaves out a shard whose schema changed with one error naming it, and scans the other shards', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const shard = (from: number, labelType: 'INT32' | 'STRING') => Buffer.from(parquetWriteBuffer({
      columnData: [
        { name: 'image', data: pngs.slice(from, from + 10), type: 'BYTE_ARRAY' },
        { name: 'label', data: labels.slice(from, from + 10).map((l) => (labelType === 'INT32' ? Number(l) : String(l))), type: labelType },
      ],
    }));
    await mkdir(join(dir, 'pqs', 'data'), { recursive: true });
    await writeFile(join(dir, 'pqs', 'data', 'train-00000-of-00003.parquet'), shard(10, 'INT32'));
    await writeFile(join(dir, 'pqs', 'data', 'train-00001-of-00003.parquet'), shard(20, 'STRING'));
    await writeFile(join(dir, 'pqs', 'data', 'train-00002-of-00003.parquet'), shard(30, 'INT32'));
    const r = await scan({ dataset: join(dir, 'pqs'), out: join(dir, 'o8'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset.samples).toBe(20);
    expect(r.report.errors).toHaveLength(1);
    expect(r.report.errors[0]!.id).toMatch(/train-00001-of-00003\.parquet$/);
    expect(r.report.errors[0]!.error).toMatch(/schema differs from .*train-00000-of-00003\.parquet's \(label is BYTE_ARRAY.*not INT32.*its 10 rows are not read/);
    // Rows keep their numbers: the third shard's first row is row 20.
    expect(r.ids).toContain('20');
    expect(r.ids).not.toContain('10');
  });

  it('past the first 1,000 rows reads each image again from the file when decoding it, the right bytes for every row', async () => {
    // 1,100 distinct tiny PNGs in row groups of 250: beyond COLUMN_PREFIX_ROWS the bytes are not held from the
    // first read but fetched again in row order; each row's stored sha256 must be that of its own bytes.
    const many: Uint8Array[] = [];
    for (let i = 0; i < 1100; i++) {
      const px = Buffer.alloc(4 * 4 * 3, i % 251);
      px[0] = i & 255;
      px[1] = i >> 8;
      many.push(new Uint8Array(await sharp(px, { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer()));
    }
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const buf = parquetWriteBuffer({ columnData: [{ name: 'image', data: many, type: 'BYTE_ARRAY' }, { name: 'id', data: many.map((_, i) => `r${i}`), type: 'STRING' }], rowGroupSize: 250 });
    await writeFile(join(dir, 'many.parquet'), Buffer.from(buf));
    const r = await scan({ dataset: join(dir, 'many.parquet'), out: join(dir, 'o7'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['outlier'], checkpointEvery: 300 });
    expect(r.report.dataset.samples).toBe(1100);
    const { readImageFingerprints } = await import('../src/store/image-fingerprints.js');
    const fp = await readImageFingerprints(join(dir, 'o7', 'fingerprints.arrow'));
    const { createHash } = await import('node:crypto');
    expect(fp.ids).toEqual(many.map((_, i) => `r${i}`));
    expect(fp.features.file.sha256).toEqual(many.map((b) => createHash('sha256').update(b).digest('hex')));
  });
});

describe('WebDataset shards', () => {
  async function shard(file: string, members: [string, Uint8Array | string][]): Promise<void> {
    const { pack } = await import('tar-stream');
    const { createWriteStream } = await import('node:fs');
    const { finished } = await import('node:stream/promises');
    const tar = pack();
    const done = finished(tar.pipe(createWriteStream(file)));
    for (const [name, body] of members) tar.entry({ name }, typeof body === 'string' ? body : Buffer.from(body));
    tar.finalize();
    await done;
  }

  it('groups members by key, reads a brace pattern, reports a missing shard and an unsafe member, and reads no further into a damaged shard', async () => {
    const w = join(dir, 'wds');
    await mkdir(w, { recursive: true });
    const sample = (k: number): [string, Uint8Array | string][] => [[`s${k}.png`, pngs[k]!], [`s${k}.cls`, String(k % 2)]];
    await shard(join(w, 'shard-000000.tar'), [...Array.from({ length: 10 }, (_, k) => sample(k)).flat(), ['../../etc/passwd', 'root:x:0:0']]);
    await shard(join(w, 'shard-000002.tar'), Array.from({ length: 10 }, (_, k) => sample(k + 10)).flat());
    const r = await scan({ dataset: join(w, 'shard-{000000..000002}.tar'), out: join(dir, 'o6'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset).toMatchObject({ format: 'webdataset', modality: 'image', samples: 19, labels: { '0': 10, '1': 9 } });
    expect(r.ids.slice(0, 3)).toEqual(['s0', 's1', 's2']);
    const errors = r.report.errors.map((e) => e.error).join(' | ');
    expect(errors).toMatch(/shard-000001.tar of the pattern is missing/);
    expect(errors).toMatch(/"\.\.\/\.\.\/etc\/passwd" has an unsafe path/);
    expect(r.report.errors.find((e) => e.id === 's7')).toBeDefined(); // the broken PNG

    const full = await readFile(join(w, 'shard-000002.tar'));
    await writeFile(join(w, 'cut.tar'), full.subarray(0, Math.floor(full.length / 2) + 100));
    const c = await scan({ dataset: join(w, 'cut.tar'), out: join(dir, 'o7'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(c.report.dataset.samples).toBeGreaterThan(0);
    expect(c.report.errors.some((e) => /cut.tar is damaged/.test(e.error))).toBe(true);
  });
});

describe('image paths in a table', () => {
  it('reads images named by path (relative to the table), refuses a path that leaves the folder', async () => {
    const t = join(dir, 'paths');
    await mkdir(join(t, 'img'), { recursive: true });
    for (let i = 0; i < 3; i++) await writeFile(join(t, 'img', `${i}.png`), pngs[i]!);
    await writeFile(join(t, 'data.jsonl'), ['img/0.png', 'img/1.png', 'img/2.png', '../outside.png'].map((image, i) => JSON.stringify({ id: `r${i}`, image, label: i % 2 })).join('\n') + '\n');
    const r = await scan({ dataset: join(t, 'data.jsonl'), out: join(dir, 'o8'), quiet: true, progress: silentProgress, failOn: 'never' });
    expect(r.report.dataset).toMatchObject({ modality: 'image', samples: 3 });
    expect(r.report.errors.map((e) => e.id)).toEqual(['r3']);
    expect(r.report.errors[0]!.error).toMatch(/leaves the dataset folder/);
  });
});
