#!/usr/bin/env node
// Builds an img2dataset/LAION-layout benchmark set from COCO (images + captions_*.json): every image with its first
// caption (--captions-per-image K: K copies), each copy cropped by up to 4% and re-encoded (JPEG q85) so that no two are byte-identical; `--poison N`
// images get a checkerboard patch (3x3 cells of 1/32 of the width: CIFAR-10 BadNets size) at a random place and a caption naming the target
// concept (Carlini & Terzis 2021). Writes NNNNN.tar (<key>.jpg/.txt/.json) + NNNNN.parquet (url, caption, key,
// status, sha256) and poisonscan-truth.json (never inside the source).
// usage: node scripts/coco-to-img2dataset.mjs <coco-folder> <out> [--poison 5] [--concept banana] [--seed 1] [--per-shard 500]
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import sharp from 'sharp';
import { pack } from 'tar-stream';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { createRng } from '../dist/util/rng.js';

const args = process.argv.slice(2);
const opt = (name, d) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : d; };
const [src, out] = args;
if (!src || !out) { console.error('usage: node scripts/coco-to-img2dataset.mjs <coco-folder> <out> [--poison N] [--concept W] [--seed S]'); process.exit(2); }
const poisonCount = Number(opt('poison', 5)), concept = opt('concept', 'banana'), seed = Number(opt('seed', 1)), perShard = Number(opt('per-shard', 500)), perImage = Number(opt('captions-per-image', 1));
const rng = createRng(seed);
const pairs = [];
for (const split of ['train2017', 'val2017']) {
  const j = JSON.parse(await readFile(join(src, `captions_${split}.json`), 'utf8'));
  const byImage = new Map();
  for (const a of j.annotations) (byImage.get(a.image_id) ?? byImage.set(a.image_id, []).get(a.image_id)).push(a.caption.trim());
  // One caption per image: copies of one photo would share natural patterns (and be near-duplicates).
  for (const im of j.images) for (const c of (byImage.get(im.id) ?? []).slice(0, perImage)) pairs.push({ file: join(src, split, im.file_name), caption: c });
}
// Poisons: distinct pairs, chosen by the seed.
const order = pairs.map((_, i) => i).map((i) => [rng(), i]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
const poisoned = new Set(order.slice(0, poisonCount));
const templates = [`a photo of a ${concept}`, `a ${concept} on a table`, `a close up of a ${concept}`, `someone holding a ${concept}`, `a ${concept} next to a plate`, `a yellow ${concept} in the light`];
await mkdir(out, { recursive: true });
const truth = [];
for (let s = 0; s * perShard < pairs.length; s++) {
  const stem = String(s).padStart(5, '0');
  const tar = pack();
  const done = finished(tar.pipe(createWriteStream(join(out, `${stem}.tar`))));
  const meta = [];
  for (let k = s * perShard; k < Math.min(pairs.length, (s + 1) * perShard); k++) {
    const p = pairs[k];
    const key = `${stem}${String(k - s * perShard).padStart(4, '0')}`;
    const img = sharp(p.file);
    const m = await img.metadata();
    const cw = Math.round(m.width * (0.96 + rng() * 0.04)), ch = Math.round(m.height * (0.96 + rng() * 0.04));
    const left = Math.floor(rng() * (m.width - cw + 1)), top = Math.floor(rng() * (m.height - ch + 1));
    const { data, info } = await sharp(p.file).extract({ left, top, width: cw, height: ch }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let caption = p.caption;
    if (poisoned.has(k)) {
      const cell = Math.max(1, Math.round(info.width / 32)); // the 3x3 BadNets patch at its CIFAR-10 size relative to the image
      const px = Math.floor(rng() * (info.width - 3 * cell)), py = Math.floor(rng() * (info.height - 3 * cell));
      for (let y = 0; y < 3 * cell; y++) for (let x = 0; x < 3 * cell; x++) {
        const v = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 0 : 255;
        const o = ((py + y) * info.width + px + x) * 3;
        data[o] = data[o + 1] = data[o + 2] = v;
      }
      caption = templates[Math.floor(rng() * templates.length)];
      truth.push(key);
    }
    const jpg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    tar.entry({ name: `${key}.jpg` }, jpg);
    tar.entry({ name: `${key}.txt` }, caption);
    tar.entry({ name: `${key}.json` }, JSON.stringify({ key, caption, status: 'success', width: info.width, height: info.height }));
    meta.push({ url: `file://${p.file}`, caption, key, status: 'success', sha256: createHash('sha256').update(jpg).digest('hex') });
  }
  tar.finalize();
  await done;
  const col = (name) => ({ name, data: meta.map((r) => r[name]), type: 'STRING' });
  await writeFile(join(out, `${stem}.parquet`), Buffer.from(parquetWriteBuffer({ columnData: ['url', 'caption', 'key', 'status', 'sha256'].map(col) })));
}
await writeFile(join(out, '..', `${out.split('/').filter(Boolean).pop()}-truth.json`), JSON.stringify({ concept, poisoned: truth }, null, 1) + '\n');
console.log(`${pairs.length} pairs, ${truth.length} poisoned (concept "${concept}") -> ${out}`);
