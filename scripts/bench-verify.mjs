#!/usr/bin/env node
// Verify benchmark: on a copy of an image folder, swap N images for other images, swap N for the same picture
// with a local patch (3-6 px, pattern, colour and place drawn per image), re-encode N at another JPEG quality
// (drawn from 50-95), remove some and add some; `poisonscan verify` against a manifest of the original must report
// exactly the swaps as content changes (the patched ones as local edits), the re-encodes as benign, the removals
// as missing and the additions as unexpected. The manifest is made once; each seed draws new picks.
// usage: node scripts/bench-verify.mjs <image-folder> [--work DIR] [--swaps 20] [--patches 20] [--reencodes 20]
//        [--removed 5] [--added 5] [--seeds 1-5]
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
const n = { swap: Number(opt('--swaps', 20)), patch: Number(opt('--patches', 20)), re: Number(opt('--reencodes', 20)), rm: Number(opt('--removed', 5)), add: Number(opt('--added', 5)) };
const [s0, s1] = String(opt('--seeds', '1-5')).split('-').map(Number);
const seeds = [];
for (let s = s0; s <= (s1 ?? s0); s++) seeds.push(s);
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'dist/cli/main.js');

function rng(seed) {
  let st = seed >>> 0;
  return () => {
    st = (st + 0x6d2b79f5) >>> 0;
    let t = st;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function listImages(root, rel = '') {
  const out = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listImages(root, r)));
    else if (/\.(jpe?g|png|webp)$/i.test(e.name)) out.push(r);
  }
  return out.sort();
}

/** The same picture with a square patch pasted in: size 3-6 px, solid colour, checkerboard or noise, anywhere. */
async function patched(bytes, rand) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const size = 3 + Math.floor(rand() * 4);
  const x0 = Math.floor(rand() * (info.width - size)), y0 = Math.floor(rand() * (info.height - size));
  const kind = Math.floor(rand() * 3);
  const a = [0, 1, 2].map(() => Math.floor(rand() * 256)), b = a.map((v) => 255 - v);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    const o = ((y0 + y) * info.width + x0 + x) * 3 + c;
    data[o] = kind === 0 ? a[c] : kind === 1 ? ((x + y) % 2 ? a[c] : b[c]) : Math.floor(rand() * 256);
  }
  return { bytes: await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 75 }).toBuffer(), size, kind: ['solid', 'checkerboard', 'noise'][kind] };
}

await mkdir(work, { recursive: true });
const manifest = join(work, 'manifest.jsonl');
const t0 = performance.now();
execFileSync('node', [cli, 'scan', src, '--out', join(work, 'original-report'), '--write-manifest', manifest, '--detectors', 'outlier', '--quiet'], { stdio: 'inherit' });
const files = await listImages(src);
const rows = [];
let allOk = true;
for (const seed of seeds) {
  const rand = rng(seed);
  const copy = join(work, `data-${seed}`);
  await rm(copy, { recursive: true, force: true });
  await cp(src, copy, { recursive: true });
  // Distinct picks: swaps, patches, re-encodes, removals, and the donors of the swaps and additions.
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
  const swaps = pick(n.swap), patches = pick(n.patch), reencodes = pick(n.re), removed = pick(n.rm), donors = pick(n.swap + n.add);
  for (let k = 0; k < swaps.length; k++) await writeFile(join(copy, swaps[k]), await readFile(join(copy, donors[k])));
  for (const f of patches) await writeFile(join(copy, f), (await patched(await readFile(join(copy, f)), rand)).bytes);
  for (const f of reencodes) {
    let q = 75;
    while (q === 75) q = 50 + Math.floor(rand() * 46);
    await writeFile(join(copy, f), await sharp(await readFile(join(copy, f))).jpeg({ quality: q }).toBuffer());
  }
  for (const f of removed) await unlink(join(copy, f));
  const added = donors.slice(n.swap).map((d, k) => {
    const name = d.replace(/([^/]+)$/, `added-${k}-$1`);
    return [d, name];
  });
  for (const [d, name] of added) await writeFile(join(copy, name), await readFile(join(src, d)));

  const out = join(work, `verify-${seed}`);
  const tv = performance.now();
  try {
    execFileSync('node', [cli, 'verify', copy, '--manifest', manifest, '--out', out, '--quiet'], { stdio: 'inherit' });
  } catch {
    // exit 1: findings at or above high (the swaps), as expected
  }
  const seconds = (performance.now() - tv) / 1000;
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  const byCheck = Object.fromEntries(report.findings.map((f) => [f.evidence.check, new Set(f.samples)]));
  const got = (c) => byCheck[c] ?? new Set();
  const exact = (g, want) => g.size === want.length && want.every((x) => g.has(x));
  const content = new Set([...got('content-change'), ...got('local-edit')]);
  const checks = {
    contentChanges: [content.size, n.swap + n.patch, exact(content, [...swaps, ...patches])],
    localEdits: [got('local-edit').size, n.patch, exact(got('local-edit'), patches)],
    benign: [got('benign-reencode').size, n.re, exact(got('benign-reencode'), reencodes)],
    missing: [got('missing').size, n.rm, exact(got('missing'), removed)],
    unexpected: [got('unexpected').size, n.add, exact(got('unexpected'), added.map((a) => a[1]))],
  };
  const ok = Object.values(checks).every((c) => c[2]);
  allOk &&= ok;
  rows.push({ seed, checks, ok, seconds, samples: report.dataset.samples });
  await rm(copy, { recursive: true, force: true });
}
console.log('| seed | content changes (of which local edits) | benign re-encodes | missing | unexpected | all exact | verify s |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const c = r.checks;
  const cell = (k) => `${c[k][0]}/${c[k][1]}${c[k][2] ? '' : ' (not exact)'}`;
  console.log(`| ${r.seed} | ${cell('contentChanges')} (${cell('localEdits')}) | ${cell('benign')} | ${cell('missing')} | ${cell('unexpected')} | ${r.ok ? 'yes' : 'NO'} | ${r.seconds.toFixed(1)} |`);
}
console.log(`${rows.filter((r) => r.ok).length} of ${rows.length} seeds exact; whole benchmark ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exitCode = allOk ? 0 : 1;
