#!/usr/bin/env node
// Builds a clean image folder of small tiles cut from larger photographs: a colour corpus of another kind than
// object-centred thumbnails, for measuring what the image detectors flag on clean data. Each source image is
// scaled by each of --scales, cut into side x side tiles on a stride of one side, and every tile is written as
// JPEG (4:2:0, quality 75 unless --quality says otherwise). Tiles of one source image go to the same label
// folder (source index modulo --labels), so a label holds several photographs' worth of neighbouring tiles:
// a harsher null than independent images, since neighbouring tiles share colours and textures.
// usage: node scripts/tile-images.mjs <folder of images> <out> [--side 32] [--scales 1,0.5] [--labels 10] [--quality 75]
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';

const args = process.argv.slice(2);
function option(name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] ?? '' : fallback;
}
const side = Number(option('--side', '32'));
const scales = option('--scales', '1,0.5').split(',').map(Number);
const labels = Number(option('--labels', '10'));
const quality = Number(option('--quality', '75'));
const [src, out] = args;
if (!src || !out || !(side >= 8) || !(labels >= 1) || scales.some((s) => !(s > 0 && s <= 1)) || !(quality >= 1 && quality <= 100)) {
  console.error('usage: node scripts/tile-images.mjs <folder of images> <out> [--side 32] [--scales 1,0.5] [--labels 10] [--quality 75]');
  process.exit(2);
}

async function imagesUnder(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await imagesUnder(path)));
    else if (/^\.(jpe?g|png|webp)$/i.test(extname(entry.name))) found.push(path);
  }
  return found.sort();
}

const files = await imagesUnder(src).catch((e) => {
  console.error(`cannot read ${src}: ${e.message}`);
  process.exit(2);
});
if (files.length === 0) {
  console.error(`no images under ${src}`);
  process.exit(2);
}
for (let l = 0; l < labels; l++) await mkdir(join(out, `l${l}`), { recursive: true });
const limit = pLimit(2);
let written = 0;
const unreadable = [];
await Promise.all(files.map((file, index) => limit(async () => {
  const meta = await sharp(file).metadata().catch(() => null);
  if (!meta || !(meta.width > 0 && meta.height > 0)) {
    unreadable.push(file);
    return;
  }
  for (const [si, scale] of scales.entries()) {
    const w = Math.floor(meta.width * scale), h = Math.floor(meta.height * scale);
    if (w < side || h < side) continue;
    const decoded = await sharp(file).removeAlpha().toColourspace('srgb')
      .resize(w, h, { kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true }).catch(() => null);
    if (!decoded) {
      unreadable.push(file);
      return;
    }
    const { data, info } = decoded;
    const ch = info.channels;
    for (let ty = 0; ty + side <= h; ty += side) for (let tx = 0; tx + side <= w; tx += side) {
      const tile = Buffer.alloc(side * side * ch);
      for (let y = 0; y < side; y++) data.copy(tile, y * side * ch, ((ty + y) * w + tx) * ch, ((ty + y) * w + tx + side) * ch);
      const jpeg = await sharp(tile, { raw: { width: side, height: side, channels: ch } })
        .jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
      const name = `${String(index).padStart(4, '0')}-s${si}-${ty / side}-${tx / side}.jpg`;
      await writeFile(join(out, `l${index % labels}`, name), jpeg);
      written++;
    }
  }
})));
console.log(`${written} tiles from ${files.length - unreadable.length} images in ${out}`);
if (unreadable.length > 0) console.error(`unreadable, skipped: ${unreadable.join(', ')}`);
