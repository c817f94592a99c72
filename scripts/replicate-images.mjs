#!/usr/bin/env node
// Builds a larger image folder from a smaller one for scaling runs: copy 0 is the source as is (hard links),
// copies 1..K-1 are every source image shifted by up to 2 px, flipped half the time and brightened by -4..4, then
// re-encoded as JPEG quality 75, so that no copy is a duplicate of another. Every copy of a poisoned source image
// is poisoned too (its patch moved by the shift or the flip), so the ratio of the source is kept; the truth file
// (poisonscan-truth.json) is rewritten with the new ids.
// usage: node scripts/replicate-images.mjs <imagefolder> <out> <copies>
import { link, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { createRng } from '../dist/util/rng.js';

const [src, out, copiesArg] = process.argv.slice(2);
const copies = Number(copiesArg);
if (!src || !out || !(copies >= 1)) {
  console.error('usage: node scripts/replicate-images.mjs <imagefolder> <out> <copies>');
  process.exit(2);
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
        const { data, info } = await sharp(join(src, c, f)).raw().toBuffer({ resolveWithObject: true });
        const dx = Math.floor(rng() * 5) - 2, dy = Math.floor(rng() * 5) - 2, flip = rng() < 0.5, db = Math.floor(rng() * 9) - 4;
        const { width: w, height: h, channels: ch } = info;
        const outPx = Buffer.alloc(data.length);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          const sx = Math.min(w - 1, Math.max(0, (flip ? w - 1 - x : x) + dx)), sy = Math.min(h - 1, Math.max(0, y + dy));
          for (let q = 0; q < ch; q++) outPx[(y * w + x) * ch + q] = Math.min(255, Math.max(0, data[(sy * w + sx) * ch + q] + db));
        }
        await writeFile(target, await sharp(outPx, { raw: { width: w, height: h, channels: ch } }).jpeg({ quality: 75 }).toBuffer());
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
console.log(`${copies} copies of ${src} -> ${out} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
