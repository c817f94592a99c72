#!/usr/bin/env node
// Writes an ImageFolder dataset again as a Hugging Face save_to_disk folder (Arrow IPC streams, Image structs,
// ClassLabel names), as Parquet shards (id, image bytes, label) and as WebDataset tar shards (<key>.jpg, <key>.cls),
// so that the same scan can be run on each.
// usage: node scripts/convert-imagefolder.mjs <imagefolder> <out>   (writes <out>/hf, <out>/parquet, <out>/wds)
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Binary, Field, Int64, Schema, Struct, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { pack } from 'tar-stream';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node scripts/convert-imagefolder.mjs <imagefolder> <out>');
  process.exit(2);
}
const classes = (await readdir(src, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const rows = [];
for (const [k, c] of classes.entries()) {
  for (const f of (await readdir(join(src, c))).sort()) rows.push({ id: relative(src, join(src, c, f)), label: k, path: join(src, c, f) });
}
const SHARD = 5000;
const shards = Math.ceil(rows.length / SHARD);
await mkdir(join(out, 'hf', 'train'), { recursive: true });
await mkdir(join(out, 'parquet', 'data'), { recursive: true });
await mkdir(join(out, 'wds'), { recursive: true });
const features = { id: { _type: 'Value', dtype: 'string' }, image: { _type: 'Image' }, label: { _type: 'ClassLabel', names: classes } };
const files = [];
for (let s = 0; s < shards; s++) {
  const part = rows.slice(s * SHARD, (s + 1) * SHARD);
  const bytes = await Promise.all(part.map((r) => readFile(r.path)));
  const image = vectorFromArray(part.map((r, i) => ({ bytes: new Uint8Array(bytes[i]), path: r.id })), new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)]));
  const t = new Table({ id: vectorFromArray(part.map((r) => r.id), new Utf8()), image, label: vectorFromArray(part.map((r) => BigInt(r.label)), new Int64()) });
  const withMeta = new Table(new Schema(t.schema.fields, new Map([['huggingface', JSON.stringify({ info: { features } })]])), t.batches);
  const name = `data-${String(s).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.arrow`;
  await writeFile(join(out, 'hf', 'train', name), tableToIPC(withMeta, 'stream'));
  files.push({ filename: name });
  const pq = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: part.map((r) => r.id), type: 'STRING' },
      { name: 'image', data: bytes.map((b) => new Uint8Array(b)), type: 'BYTE_ARRAY' },
      { name: 'label', data: part.map((r) => classes[r.label]), type: 'STRING' },
    ],
    rowGroupSize: 1000,
  });
  await writeFile(join(out, 'parquet', 'data', `train-${String(s).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.parquet`), Buffer.from(pq));
  // WebDataset keys cannot hold dots or slashes of their own: the class folder becomes part of the key.
  const tar = pack();
  const done = finished(tar.pipe(createWriteStream(join(out, 'wds', `shard-${String(s).padStart(6, '0')}.tar`))));
  for (const [i, r] of part.entries()) {
    const key = r.id.replace(/\.[^.]+$/, '').replace(/\//g, '_');
    tar.entry({ name: `${key}.jpg` }, bytes[i]);
    tar.entry({ name: `${key}.cls` }, classes[r.label]);
  }
  tar.finalize();
  await done;
}
await writeFile(join(out, 'hf', 'train', 'state.json'), JSON.stringify({ _data_files: files, _split: 'train' }));
await writeFile(join(out, 'hf', 'train', 'dataset_info.json'), JSON.stringify({ features }));
await writeFile(join(out, 'hf', 'dataset_dict.json'), JSON.stringify({ splits: ['train'] }));
console.log(`${rows.length} images, ${classes.length} classes -> ${out}/hf (${shards} Arrow files), ${out}/parquet (${shards} Parquet shards), ${out}/wds (${shards} tar shards)`);
