#!/usr/bin/env node
// Builds Parquet shards of larger encoded images (for the ingest-memory check): the first <count> images of an
// image folder, upscaled to <side> x <side> and re-encoded as JPEG quality 90, in shards of 2,000 rows with
// columns id, image (bytes), label. Real datasets' images are tens of KB, not CIFAR-10's ~1 KB.
// usage: node scripts/upscale-parquet.mjs <imagefolder> <out-dir> <count> <side>
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { parquetWriteBuffer } from 'hyparquet-writer';

const [src, out, countArg, sideArg] = process.argv.slice(2);
const count = Number(countArg), side = Number(sideArg);
if (!src || !out || !(count > 0) || !(side > 0)) {
  console.error('usage: node scripts/upscale-parquet.mjs <imagefolder> <out-dir> <count> <side>');
  process.exit(2);
}
const classes = (await readdir(src, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const files = [];
for (const c of classes) for (const f of (await readdir(join(src, c))).sort()) files.push({ c, f });
// Round-robin over classes so that any prefix has every label.
files.sort((a, b) => a.f.localeCompare(b.f) || a.c.localeCompare(b.c));
await mkdir(out, { recursive: true });
let bytes = 0;
for (let s = 0; s * 2000 < Math.min(count, files.length); s++) {
  const part = files.slice(s * 2000, Math.min(count, (s + 1) * 2000));
  const images = [];
  for (const { c, f } of part) images.push(new Uint8Array(await sharp(join(src, c, f)).resize(side, side).jpeg({ quality: 90 }).toBuffer()));
  bytes += images.reduce((a, b) => a + b.length, 0);
  const buf = parquetWriteBuffer({ columnData: [
    { name: 'id', data: part.map(({ c, f }) => `${c}/${f}`), type: 'STRING' },
    { name: 'image', data: images, type: 'BYTE_ARRAY' },
    { name: 'label', data: part.map(({ c }) => c), type: 'STRING' },
  ] });
  await writeFile(join(out, `part-${String(s).padStart(5, '0')}.parquet`), Buffer.from(buf));
}
console.log(`${Math.min(count, files.length)} images of ${side}x${side}, ${(bytes / 2 ** 20).toFixed(0)} MiB of JPEG bytes -> ${out}`);
