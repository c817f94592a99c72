#!/usr/bin/env node
// Builds a larger image folder from a smaller one for scaling runs. Copy 0 is the source as is (hard links).
// Copies 1..K-1 are made one of two ways:
//   --vary light (default, the sets of the earlier scaling rows): every source image shifted by up to 2 px, flipped
//     half the time, brightened by -4..4, re-encoded as JPEG quality 75. Such copies stay near-duplicates of their
//     original (same content at the same places), so the copies of one image agree on local patterns.
//   --vary strong: a random resized crop (45-100% of the area, aspect 3:4-4:3) scaled back to the source size,
//     flipped half the time, brightness 0.8-1.2, saturation 0.7-1.3, hue -15..15 degrees, contrast 0.8-1.2, JPEG
//     quality 70-95: the augmentations a training pipeline applies, so a copy shows the same object at another
//     place and scale and copies are not duplicates.
// Every copy of a poisoned source image is poisoned too (its patch moved with the copy), and the truth file
// (poisonscan-truth.json) is rewritten with the new ids. For a fair scaling set, replicate a clean folder with
// --vary strong and poison the result with `poisonscan inject --link`, so every poison has its own base image and
// its patch where the attack puts it.
// usage: node scripts/replicate-images.mjs <imagefolder> <out> <copies> [--vary light|strong]
import { link, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { createRng } from '../dist/util/rng.js';

const args = process.argv.slice(2);
const varyAt = args.indexOf('--vary');
const vary = varyAt >= 0 ? args.splice(varyAt, 2)[1] : 'light';
const [src, out, copiesArg] = args;
const copies = Number(copiesArg);
if (!src || !out || !(copies >= 1) || (vary !== 'light' && vary !== 'strong')) {
  console.error('usage: node scripts/replicate-images.mjs <imagefolder> <out> <copies> [--vary light|strong]');
  process.exit(2);
}

/** The light perturbation: a shift, a flip and a brightness offset, in one pass over the pixels. */
async function lightCopy(file, rng) {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const dx = Math.floor(rng() * 5) - 2, dy = Math.floor(rng() * 5) - 2, flip = rng() < 0.5, db = Math.floor(rng() * 9) - 4;
  const { width: w, height: h, channels: ch } = info;
  const outPx = Buffer.alloc(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const sx = Math.min(w - 1, Math.max(0, (flip ? w - 1 - x : x) + dx)), sy = Math.min(h - 1, Math.max(0, y + dy));
    for (let q = 0; q < ch; q++) outPx[(y * w + x) * ch + q] = Math.min(255, Math.max(0, data[(sy * w + sx) * ch + q] + db));
  }
  return sharp(outPx, { raw: { width: w, height: h, channels: ch } }).jpeg({ quality: 75 }).toBuffer();
}

/** The strong perturbation: random resized crop, flip and colour jitter, all drawn from rng. */
async function strongCopy(file, rng) {
  const img = sharp(file);
  const { width: w, height: h } = await img.metadata();
  const area = 0.45 + 0.55 * rng(), aspect = Math.exp(Math.log(3 / 4) + rng() * Math.log(16 / 9));
  const cw = Math.max(8, Math.min(w, Math.round(Math.sqrt(area * aspect) * w)));
  const chh = Math.max(8, Math.min(h, Math.round(Math.sqrt(area / aspect) * h)));
  const left = Math.floor(rng() * (w - cw + 1)), top = Math.floor(rng() * (h - chh + 1));
  const flip = rng() < 0.5;
  const brightness = 0.8 + 0.4 * rng(), saturation = 0.7 + 0.6 * rng(), hue = Math.round(rng() * 30 - 15);
  const contrast = 0.8 + 0.4 * rng(), quality = 70 + Math.floor(rng() * 26);
  let p = img.extract({ left, top, width: cw, height: chh }).resize(w, h, { kernel: 'lanczos3' });
  if (flip) p = p.flop();
  return p.modulate({ brightness, saturation, hue }).linear(contrast, 128 * (1 - contrast)).jpeg({ quality }).toBuffer();
}

const classes = (await readdir(src, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const limit = pLimit(4);
let done = 0;
const t0 = performance.now();
for (const c of classes) {
  await mkdir(join(out, c), { recursive: true });
  const files = (await readdir(join(src, c))).sort();
  const jobs = [];
  for (const f of files) {
    for (let k = 0; k < copies; k++) {
      jobs.push(limit(async () => {
        const target = join(out, c, `${k}-${f}`);
        if (k === 0) return link(join(src, c, f), target);
        const rng = createRng(k * 1000003 + done++);
        await writeFile(target, await (vary === 'strong' ? strongCopy : lightCopy)(join(src, c, f), rng));
      }));
    }
  }
  await Promise.all(jobs);
  process.stderr.write(`${c}: ${files.length * copies} images\n`);
}
try {
  const truth = JSON.parse(await readFile(join(src, 'poisonscan-truth.json'), 'utf8'));
  truth.poisoned = truth.poisoned.flatMap((id) => Array.from({ length: copies }, (_, k) => id.replace(/^([^/]+)\//, `$1/${k}-`)));
  truth.source = src;
  await writeFile(join(out, 'poisonscan-truth.json'), JSON.stringify(truth, null, 2));
} catch {
  // a clean source has no truth file
}
console.log(`${copies} copies of ${src} -> ${out} (--vary ${vary}) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
