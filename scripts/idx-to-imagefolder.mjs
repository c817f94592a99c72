#!/usr/bin/env node
// Writes an IDX image set (the MNIST file format: <split>-images-idx3-ubyte and <split>-labels-idx1-ubyte,
// optionally gzipped, as Debian's dataset-fashion-mnist and the MNIST distributions ship them) as a PNG image
// folder: <out>/<class>/<index>.png, lossless, one channel. The source is only read.
// usage: node scripts/idx-to-imagefolder.mjs <idx-folder> <out> [--split train|t10k] [--names a,b,...] [--limit N]
//   --names: class folder names by label number (default: Fashion-MNIST's ten classes when there are ten labels)
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';

const FASHION = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const split = opt('--split', 'train');
const names = opt('--names', undefined)?.split(',');
const limit = Number(opt('--limit', 'Infinity'));
const [src, out] = args;
if (!src || !out || Number.isNaN(limit)) {
  console.error('usage: node scripts/idx-to-imagefolder.mjs <idx-folder> <out> [--split train|t10k] [--names a,b,...] [--limit N]');
  process.exit(2);
}

async function readIdx(kind) {
  const files = await readdir(src);
  const f = files.find((x) => x.startsWith(`${split}-${kind}-idx`));
  if (!f) {
    console.error(`no ${split}-${kind}-idx* file in ${src}`);
    process.exit(2);
  }
  let b = await readFile(join(src, f));
  if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
  // Magic: two zero bytes, the element type (0x08: unsigned byte), the number of dimensions; then the sizes.
  if (b[0] !== 0 || b[1] !== 0 || b[2] !== 0x08) {
    console.error(`${f} is not an IDX file of unsigned bytes`);
    process.exit(2);
  }
  const dims = [];
  for (let k = 0; k < b[3]; k++) dims.push(b.readUInt32BE(4 + 4 * k));
  return { dims, data: b.subarray(4 + 4 * b[3]) };
}

const images = await readIdx('images');
const labels = await readIdx('labels');
const [n, h, w] = images.dims;
if (labels.dims[0] !== n || images.dims.length !== 3) {
  console.error(`images (${images.dims.join('x')}) and labels (${labels.dims.join('x')}) do not match`);
  process.exit(2);
}
const classCount = Math.max(...labels.data) + 1;
const folder = names ?? (classCount === FASHION.length ? FASHION : Array.from({ length: classCount }, (_, k) => String(k)));
const count = Math.min(n, limit);
const width = String(count - 1).length;
for (const c of new Set(Array.from(labels.data.subarray(0, count), (l) => folder[l]))) await mkdir(join(out, c), { recursive: true });
const per = w * h;
let next = 0;
// A few encodes in flight keep both cores busy without holding the whole set as PNGs.
await Promise.all(Array.from({ length: 4 }, async () => {
  while (next < count) {
    const i = next++;
    const px = images.data.subarray(i * per, (i + 1) * per);
    const png = await sharp(px, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    await writeFile(join(out, folder[labels.data[i]], `${String(i).padStart(width, '0')}.png`), png);
  }
}));
console.log(`wrote ${count} ${w}x${h} PNGs in ${folder.length} classes to ${out}`);
