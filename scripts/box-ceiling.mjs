#!/usr/bin/env node
// What a group at one place can score at the boxes inside its pattern: for each draw of an attack family whose
// copies share one place, the copies are measured exactly at every box inside the pattern (of the sides the
// same-place box search uses), as that search measures a box, and the best score is printed beside the group line.
// A draw whose best score stays under the line is not found through any window inside its pattern, whichever
// windows the passes propose (the search also tries boxes that cross the pattern's edge, which hold other pixels in
// each copy); a draw above it that a benchmark misses was lost before the measure (no candidate, or another box).
//
// The clean images' pixels come from a clean scan's fingerprints.arrow, the poisoned ones are decoded from a
// poisoned copy made with `poisonscan inject --family --link` in the work folder (removed after reading).
// usage: node scripts/box-ceiling.mjs <clean image folder> <clean fingerprints.arrow> --families a,b --seeds A[-B]
//          --work <dir> [--bench bench.json ...] [--low 2.0]   (bench.json of the same draws: their recall@2k is printed
//          too, and the closing table counts the draws found, recall@2k 1.00; --low splits the scores under the line)
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PARAMS as p } from '../dist/detect/trigger-cluster.js';
import { boxContext, measureBox } from '../dist/detect/patterns/place-box.js';
import { isolationScratch } from '../dist/detect/patterns/isolation.js';
import { decodeImage, DEFAULT_PIXEL_LIMIT } from '../dist/fingerprint/decode.js';
import { readImageFingerprints } from '../dist/store/image-fingerprints.js';

const usage = 'usage: node scripts/box-ceiling.mjs <clean folder> <clean fingerprints.arrow> --families a,b --seeds A[-B] --work <dir> [--bench bench.json ...] [--low 2.0]';
const args = process.argv.slice(2);
const opt = (name) => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`${name} needs a value\n${usage}`);
    process.exit(2);
  }
  args.splice(at, 2);
  return value;
};
const families = opt('--families')?.split(',');
const seeds = opt('--seeds')?.match(/^(\d+)(?:-(\d+))?$/);
const work = opt('--work');
const low = Number(opt('--low') ?? 2.0);
const benches = [];
for (let b; (b = opt('--bench')); ) benches.push(b);
const [from, to] = seeds ? [Number(seeds[1]), Number(seeds[2] ?? seeds[1])] : [NaN, NaN];
if (args.length !== 2 || args.some((a) => a.startsWith('--')) || !families || !work || !(from <= to) || !(low >= 0)) {
  console.error(usage);
  process.exit(2);
}
const [clean, fingerprints] = args;
const achieved = new Map();
for (const b of benches) for (const r of JSON.parse(readFileSync(b, 'utf8')).rows) achieved.set(`${r.family}/${r.seed}`, r.recallAt2k);

const { ids, features: f } = await readImageFingerprints(fingerprints);
const row = new Map(ids.map((id, i) => [id, i]));
const g = f.grid, per = g * g * 3;
const box = p.positions.box, line = p.positionMinScore;
const here = fileURLToPath(new URL('..', import.meta.url));
// Per band: draws, and of them found (recall@2k 1.00 in a --bench file).
const bands = { small: [0, 0], flat: [0, 0], under: [0, 0], near: [0, 0], line: [0, 0] };
let elsewhere = 0;
const tally = (band, got) => {
  bands[band][0]++;
  if (got === 1) bands[band][1]++;
};

/**
 * One draw: injected into `out`, read, and `out` removed again. Returns a printed line for a draw that is not at one
 * place or is smaller than the search's boxes, else the pixels with each poisoned image in its origin's row.
 */
async function readDraw(family, seed, out) {
  try {
    const r = spawnSync(process.execPath, [join(here, 'dist/cli/main.js'), 'inject', clean, '--family', family, '--seed', String(seed), '--out', out, '--link'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`inject ${family} ${seed}: ${r.stderr.trim()}`);
    const truth = JSON.parse(readFileSync(join(out, 'poisonscan-truth.json'), 'utf8'));
    const places = Object.values(truth.positions ?? {});
    const first = places[0];
    const params = truth.drawn?.params ?? {};
    const kind = `${params.pattern ?? truth.attack.type}${params.equalLuma ? ' (equal luma)' : ''}${first ? ` ${first.w} px` : ''}`;
    const got = achieved.get(`${family}/${seed}`);
    const tail = got === undefined ? '' : got.toFixed(2);
    if (!first || places.some((q) => q.x !== first.x || q.y !== first.y || q.w !== first.w || q.h !== first.h)) {
      elsewhere++;
      return `${family} | ${seed} | ${kind} | not at one place | ${tail}`;
    }
    if (Math.min(first.w, first.h) < box.minSide) {
      tally('small', got);
      return `${family} | ${seed} | ${kind} | - (smaller than ${box.minSide} px) | ${tail}`;
    }
    const pixels = new Uint8Array(f.pixels);
    const members = [];
    for (const [id, origin] of Object.entries(truth.origin)) {
      const i = row.get(origin);
      if (i === undefined) throw new Error(`${origin} is not in ${fingerprints}`);
      const d = await decodeImage(new Uint8Array(readFileSync(join(out, id))), { grid: g, pixelLimit: DEFAULT_PIXEL_LIMIT });
      // Positions are in the image's own pixels: they are the grid's only when the image is the grid's size.
      if (d.width !== g || d.height !== g) throw new Error(`${id} is ${d.width}x${d.height}, not the ${g} px grid`);
      pixels.set(d.rgb, i * per);
      members.push(i);
    }
    return { members: members.sort((a, b) => a - b), pixels, first, kind, tail, got };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

console.log(`line ${line}; boxes of ${box.minSide}-${box.maxSide} px inside the pattern, measured exactly over ${ids.length} images`);
console.log('family | seed | pattern | best score at a box inside it (box, copies in the group) | recall@2k');
for (const family of families) {
  for (let seed = from; seed <= to; seed++) {
    const out = join(work, `${family}-s${seed}`);
    const drawn = await readDraw(family, seed, out);
    if (typeof drawn === 'string') {
      console.log(drawn);
      continue;
    }
    const { members, pixels, first, kind, tail, got } = drawn;
    const ctx = boxContext(pixels, g, ids.length, p.positions.radius, p.positionNoiseFloor, p.minStd, isolationScratch(f.phash), box, seed);
    let best = null;
    for (let s = box.minSide; s <= Math.min(box.maxSide, first.w, first.h); s++) {
      for (let y = first.y; y + s <= first.y + first.h; y++) {
        for (let x = first.x; x + s <= first.x + first.w; x++) {
          const m = measureBox(ctx, { x, y, s }, members);
          if (m && (!best || m.score > best.score)) best = { ...m, x, y, s };
        }
      }
    }
    tally(!best ? 'flat' : best.score >= line ? 'line' : best.score >= low ? 'near' : 'under', got);
    const copies = best ? best.members.filter((i) => members.includes(i)).length : 0;
    const at = best ? `${best.score.toFixed(2)} (${best.s} px at ${best.x},${best.y}; ${copies} of ${members.length}${best.members.length > copies ? ` + ${best.members.length - copies} other` : ''})` : `- (no box of ${box.minSide}+ px with luma contrast)`;
    console.log(`${family} | ${seed} | ${kind} | ${at} | ${tail}`);
  }
}
const cell = ([n, found]) => `${n}${benches.length ? `, ${found} found` : ''}`;
console.log(`\n${elsewhere} draws not at one place left out`);
console.log(`| smaller than ${box.minSide} px | no box with luma contrast | best box under ${low.toFixed(1)} | ${low.toFixed(1)} to the line | from the line |`);
console.log('|---|---|---|---|---|');
console.log(`| ${[bands.small, bands.flat, bands.under, bands.near, bands.line].map(cell).join(' | ')} |`);
