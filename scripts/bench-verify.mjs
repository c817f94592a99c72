#!/usr/bin/env node
// Verify benchmark: on a copy of an image folder, swap N images for other images, re-encode N at
// another JPEG quality and remove some; `poisonscan verify` against a manifest of the original must report
// exactly the swaps as content changes, the re-encodes as benign, and the removals as missing.
// usage: node scripts/bench-verify.mjs <image-folder> [--work DIR] [--swaps 20] [--reencodes 20] [--removed 5] [--seed 1]
import { cp, readdir, readFile, rm, unlink, writeFile, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const src = resolve(args[0] ?? '');
const work = resolve(opt('--work', '.bench/verify'));
const nSwap = Number(opt('--swaps', 20)), nRe = Number(opt('--reencodes', 20)), nRm = Number(opt('--removed', 5));
let seed = Number(opt('--seed', 1)) >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'dist/cli/main.js');

async function listImages(root, rel = '') {
  const out = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listImages(root, r)));
    else if (/\.(jpe?g|png|webp)$/i.test(e.name)) out.push(r);
  }
  return out.sort();
}

await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const copy = join(work, 'data');
const t0 = performance.now();
execFileSync('node', [cli, 'scan', src, '--out', join(work, 'original-report'), '--write-manifest', join(work, 'manifest.jsonl'), '--detectors', 'outlier', '--quiet'], { stdio: 'inherit' });
await cp(src, copy, { recursive: true });
const files = await listImages(copy);
// Distinct picks: swaps, re-encodes, removals, and the donors whose pictures the swaps take.
const picked = new Set();
const pick = (k) => {
  const out = [];
  while (out.length < k) {
    const f = files[Math.floor(rand() * files.length)];
    if (!picked.has(f)) {
      picked.add(f);
      out.push(f);
    }
  }
  return out;
};
const swaps = pick(nSwap), reencodes = pick(nRe), removed = pick(nRm), donors = pick(nSwap);
for (let k = 0; k < swaps.length; k++) await writeFile(join(copy, swaps[k]), await readFile(join(copy, donors[k])));
for (const f of reencodes) await writeFile(join(copy, f), await sharp(await readFile(join(copy, f))).jpeg({ quality: 90 }).toBuffer());
for (const f of removed) await unlink(join(copy, f));

const tv = performance.now();
try {
  execFileSync('node', [cli, 'verify', copy, '--manifest', join(work, 'manifest.jsonl'), '--out', join(work, 'verify-report'), '--quiet'], { stdio: 'inherit' });
} catch {
  // exit 1: findings at or above high (the swaps), as expected
}
const verifySeconds = (performance.now() - tv) / 1000;
const report = JSON.parse(await readFile(join(work, 'verify-report/report.json'), 'utf8'));
const byCheck = Object.fromEntries(report.findings.map((f) => [f.evidence.check, new Set(f.samples)]));
const same = (got, want) => got !== undefined && got.size === want.length && want.every((x) => got.has(x));
const rows = [
  ['content changes', byCheck['content-change'], swaps],
  ['benign re-encodes', byCheck['benign-reencode'], reencodes],
  ['missing', byCheck.missing, removed],
];
let ok = true;
for (const [name, got, want] of rows) {
  const exact = same(got, want);
  ok &&= exact;
  console.log(`${name}: reported ${got?.size ?? 0}, expected ${want.length}, exact match ${exact ? 'yes' : 'NO'}`);
}
const unexpected = byCheck.unexpected?.size ?? 0;
console.log(`unexpected: ${unexpected}; samples ${report.dataset.samples}; verify ${verifySeconds.toFixed(1)} s (whole benchmark ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
if (unexpected) ok = false;
process.exitCode = ok ? 0 : 1;
