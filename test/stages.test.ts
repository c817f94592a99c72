// The first two stages: read lists the samples without decoding them; fingerprint decodes the images and keeps, in
// every column, the samples that could be read (or one --shard slice of them).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../src/stages/read.js';
import { fingerprintDataset } from '../src/stages/fingerprint.js';
import { memorySource } from '../src/ingest/memory.js';
import { silentProgress } from '../src/util/progress.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-stages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('read and fingerprint stages', () => {
  it('read lists every image; fingerprint keeps the readable ones in every column', async () => {
    const root = join(dir, 'images');
    await writeSyntheticFolder(root, ['a', 'b'], 4, 1);
    await writeFile(join(root, 'a', 'broken.png'), 'not an image');
    const read = await readDataset(root, { progress: silentProgress });
    expect(read.listed.ids).toHaveLength(9);
    expect(read.listed.images?.samples.map((s) => s.id)).toEqual(read.listed.ids);
    expect(read.listed.errors).toEqual([]);

    const data = await fingerprintDataset(read, { concurrency: 1, progress: silentProgress });
    expect(data.ids).toHaveLength(8);
    expect(data.errors.map((e) => e.id)).toEqual(['a/broken.png']);
    expect(data.images!.phash).toHaveLength(8);
    expect(data.labels).toEqual(data.ids.map((id) => id.split('/')[0]));
    expect(data.sourceRows).toEqual(data.ids.map((id) => read.listed.ids.indexOf(id)));
    expect(data.listed).toBe(9);
  });

  it('reads an embedding column for the readable rows; a text shard is a slice without them', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ text: i === 3 ? '' : `sample ${i}`, label: i % 2, embedding: [i, -i] }));
    const opts = { records: memorySource(rows), format: 'jsonl' as const, progress: silentProgress };
    const read = await readDataset('rows', opts);
    expect(read.listed.ids).toHaveLength(9);
    expect(read.listed.errors.map((e) => e.id)).toEqual(['3']);
    expect(Array.from(read.columnEmbeddings!.data.subarray(6, 8))).toEqual([4, -4]);

    const whole = await fingerprintDataset(read, { concurrency: 1, progress: silentProgress });
    expect(whole.embeddings?.dim).toBe(2);
    expect(whole.sourceRows).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);

    const second = await fingerprintDataset(await readDataset('rows', { ...opts, records: memorySource(rows) }), { concurrency: 1, progress: silentProgress, shard: { index: 1, count: 2 } });
    expect(second.ids).toEqual(['5', '6', '7', '8', '9']);
    expect(second.errors).toEqual([]);
    expect(second.embeddings).toBeUndefined();
    expect(second.listed).toBe(9);
  });
});
