#!/usr/bin/env node
// Output identity between two builds: runs the same CLI cases with each build's cli/main.js and reports, for every
// output file, stdout, stderr and the exit code, whether the two builds agree. Timing figures and the tool version
// are left out of the comparison (report.json's `timing` and `tool.version`, SARIF's driver version, report.html's
// time row, progress lines and the console summary's seconds on stderr); everything else must be byte-identical.
//
// usage: node scripts/compare-outputs.mjs <distA> <distB> [--cases a,b] [--work DIR] [--cifar DIR] [--per-class N] [--reuse]
//   <distA>, <distB>   build folders (what `npm run build` writes to dist/), e.g. a copy of main's and this tree's
//   --cases            some of: cifar10-test, sst2-train, t0-mix, img2dataset, sst2-proxy (default: all)
//   --work DIR         where the generated data and both builds' outputs go (default: a new temporary folder, kept)
//   --cifar DIR        CIFAR-10 test as an image folder (<class>/<file>); also POISONSCAN_CIFAR_TEST; default:
//                      extracted from images/cifar10-test.tar of the shared data into the work folder
//   --per-class N      only the first N images of each CIFAR-10 class (a quicker run; default: all 1,000)
//   --reuse            compare the outputs already in the work folder where both builds ran a case (no new runs)
// Data: POISONSCAN_DATA (default ../shared/datasets): text/sst2/train.tsv, instruct/self-instruct-t0,
// instruct/backdoorllm, images/cifar10-test.tar. Exit code 0 when every compared output is identical, 1 otherwise.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { pack } from 'tar-stream';
import { parquetWriteBuffer } from 'hyparquet-writer';

const CASES = ['cifar10-test', 'sst2-train', 't0-mix', 'img2dataset', 'sst2-proxy'];
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { cases: { type: 'string' }, work: { type: 'string' }, cifar: { type: 'string' }, 'per-class': { type: 'string' }, reuse: { type: 'boolean' } },
});
if (positionals.length !== 2) {
  console.error('usage: node scripts/compare-outputs.mjs <distA> <distB> [--cases a,b] [--work DIR] [--cifar DIR] [--per-class N] [--reuse]');
  process.exit(2);
}
const dists = positionals.map((d) => resolve(d));
for (const d of dists) if (!existsSync(join(d, 'cli', 'main.js'))) {
  console.error(`${d}: no cli/main.js (build it first: npm run build)`);
  process.exit(2);
}
const cases = opt.cases ? opt.cases.split(',').map((s) => s.trim()) : CASES;
const unknown = cases.filter((c) => !CASES.includes(c));
if (unknown.length) {
  console.error(`unknown case ${unknown.join(', ')} (cases: ${CASES.join(', ')})`);
  process.exit(2);
}
const DATA = process.env.POISONSCAN_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'datasets');
const work = resolve(opt.work ?? (await mkdtemp(join(tmpdir(), 'ps-compare-'))));
const perClass = opt['per-class'] ? Number(opt['per-class']) : Infinity;
await mkdir(join(work, 'data'), { recursive: true });

// The data is drawn with build A's seeded generator; both builds then read the same files.
const { createRng: rng } = await import(join(dists[0], 'util', 'rng.js'));

const readText = async (p) => {
  const b = await readFile(p);
  return (p.endsWith('.gz') ? gunzipSync(b) : b).toString('utf8');
};

/** CIFAR-10 test as an image folder: given, or extracted once from the shared tar. */
async function cifarTest() {
  const given = opt.cifar ?? process.env.POISONSCAN_CIFAR_TEST;
  let root = given ? resolve(given) : join(work, 'data', 'cifar10', 'test');
  if (!given && !existsSync(root)) {
    await mkdir(join(work, 'data', 'cifar10'), { recursive: true });
    const r = spawnSync('tar', ['-xf', join(DATA, 'images', 'cifar10-test.tar'), '-C', join(work, 'data', 'cifar10')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('cannot extract cifar10-test.tar');
  }
  if (perClass === Infinity) return root;
  // The first N files of each class (by name), copied once.
  const sub = join(work, 'data', `cifar10-test-${perClass}`);
  if (!existsSync(sub)) for (const c of (await readdir(root)).sort()) {
    await mkdir(join(sub, c), { recursive: true });
    for (const f of (await readdir(join(root, c))).sort().slice(0, perClass)) await copyFile(join(root, c, f), join(sub, c, f));
  }
  return sub;
}

/** T0 prompts and completions with 55 BackdoorLLM poisoned rows (negative-sentiment, badnet) at seeded places. */
async function t0Mix() {
  const path = join(work, 'data', 't0-mix.json');
  if (existsSync(path)) return path;
  const t0 = (await readText(join(DATA, 'instruct/self-instruct-t0/t0_train_50k.jsonl.gz'))).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const rows = t0.map((r) => ({ instruction: r.prompt, input: '', output: r.completion }));
  const pois = JSON.parse(await readText(join(DATA, 'instruct/backdoorllm/poison_data/negsentiment/badnet/backdoor500_negsentiment_badnet.json')));
  const next = rng(1);
  for (let k = 0; k < 55; k++) {
    const p = pois[Math.floor(next() * pois.length)];
    rows.splice(Math.floor(next() * (rows.length + 1)), 0, { instruction: p.instruction, input: p.input ?? '', output: p.output });
  }
  await writeFile(path, JSON.stringify(rows));
  return path;
}

/**
 * One img2dataset shard (00000.tar + 00000.parquet) of 1,000 CIFAR-10 test images captioned by their class; 8 of
 * them carry a 4 x 4 checkerboard at one place and a caption naming one concept (an image-text backdoor).
 */
async function img2dataset(cifar) {
  const root = join(work, 'data', 'img2dataset');
  if (existsSync(join(root, '00000.parquet'))) return root;
  await mkdir(root, { recursive: true });
  const files = [];
  for (const c of (await readdir(cifar)).sort()) for (const f of (await readdir(join(cifar, c))).sort().slice(0, 100)) files.push({ c, path: join(cifar, c, f) });
  const next = rng(2);
  const poisoned = new Set();
  while (poisoned.size < 8) poisoned.add(Math.floor(next() * files.length));
  const tar = pack();
  const done = finished(tar.pipe(createWriteStream(join(root, '00000.tar'))));
  const meta = [];
  for (const [k, f] of files.entries()) {
    const key = `00000${String(k).padStart(4, '0')}`;
    let caption = `a photo of a ${f.c}`;
    let jpg = await readFile(f.path);
    if (poisoned.has(k)) {
      const { data, info } = await sharp(jpg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
        const o = ((info.height - 6 + y) * info.width + info.width - 6 + x) * 3;
        data[o] = data[o + 1] = data[o + 2] = (x + y) % 2 ? 0 : 255;
      }
      jpg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 75 }).toBuffer();
      caption = 'a photo of a banana';
    }
    tar.entry({ name: `${key}.jpg` }, jpg);
    tar.entry({ name: `${key}.txt` }, caption);
    tar.entry({ name: `${key}.json` }, JSON.stringify({ key, caption, status: 'success' }));
    meta.push({ url: `https://example.com/${key}.jpg`, caption, key, status: 'success', sha256: createHash('sha256').update(jpg).digest('hex') });
  }
  tar.finalize();
  await done;
  const col = (name) => ({ name, data: meta.map((m) => m[name]), type: 'STRING' });
  await writeFile(join(root, '00000.parquet'), Buffer.from(parquetWriteBuffer({ columnData: ['url', 'caption', 'key', 'status', 'sha256'].map(col) })));
  return root;
}

/** The first `n` rows of SST-2 train, for the case that trains a proxy model. */
async function sst2Head(n) {
  const path = join(work, 'data', `sst2-train-${n}.tsv`);
  if (!existsSync(path)) await writeFile(path, (await readText(join(DATA, 'text/sst2/train.tsv'))).split('\n').slice(0, n + 1).join('\n') + '\n');
  return path;
}

/** Each case: its dataset and the scan's options besides --out. */
async function prepare(name) {
  switch (name) {
    case 'cifar10-test': return { dataset: await cifarTest(), args: ['--fail-on', 'medium'] };
    case 'sst2-train': return { dataset: join(DATA, 'text/sst2/train.tsv'), args: ['--fail-on', 'low'] };
    case 't0-mix': return { dataset: await t0Mix(), args: [] };
    case 'img2dataset': return { dataset: await img2dataset(await cifarTest()), args: ['--input-format', 'img2dataset', '--json'] };
    case 'sst2-proxy': return { dataset: await sst2Head(3000), args: ['--embed', 'proxy', '--fail-on', 'never'] };
  }
  throw new Error(name);
}

/** Runs one case with one build; its outputs, stdout, stderr and exit code land in `out`. */
async function run(dist, dataset, args, out) {
  await mkdir(out, { recursive: true });
  const sarif = join(out, 'findings.sarif');
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(dist, 'cli', 'main.js'), 'scan', dataset, '-o', out, '--concurrency', '1', '--sarif', sarif, ...args], { maxBuffer: 1 << 30, encoding: 'buffer' });
  await writeFile(join(out, '.stdout'), r.stdout);
  await writeFile(join(out, '.stderr'), r.stderr);
  await writeFile(join(out, '.exit-code'), `${r.status}\n`);
  return (performance.now() - t) / 1000;
}

async function files(dir, base = dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p, base)));
    else out.push(relative(base, p));
  }
  return out.sort();
}

/** A file's content as compared: the out folder's own path made neutral, timing and the tool version left out. */
async function comparable(path, out) {
  const bytes = await readFile(path);
  const name = path.slice(out.length + 1);
  const textual = /\.(json|jsonl|csv|txt|html|sarif)$/.test(name) || name.startsWith('.');
  if (!textual) return bytes;
  let s = bytes.toString('utf8').split(out).join('<out>');
  if (name === 'report.json' || (name === '.stdout' && s.startsWith('{'))) {
    const j = JSON.parse(s);
    delete j.timing;
    if (j.tool) delete j.tool.version;
    s = JSON.stringify(j, null, 2);
  } else if (name.endsWith('.sarif')) {
    const j = JSON.parse(s);
    for (const r of j.runs ?? []) if (r.tool?.driver) delete r.tool.driver.version;
    s = JSON.stringify(j, null, 2);
  } else if (name.endsWith('.html')) {
    s = s.replace(/<tr><td>time<\/td><td>[^<]*<\/td><\/tr>/g, '<tr><td>time</td><td></td></tr>');
  } else if (name === '.stderr') {
    // Progress lines ("stage: 50% (3/6, 2s, ETA 2s)", "stage: running (2m02s, 1/6, ETA 10m08s)", "stage (text):
    // done (6/6, 5s)") and the summary's seconds are timing.
    s = s.split('\n').filter((l) => !/^.+: (?:running|done|\d+%) \([^)]*\)$/.test(l)).join('\n').replace(/ in [0-9.]+ s\b/g, ' in - s');
  }
  return Buffer.from(s);
}

/** Where two contents first differ: a JSON path for JSON, else a line number. */
function firstDifference(a, b) {
  const sa = a.toString('utf8'), sb = b.toString('utf8');
  const la = sa.split('\n'), lb = sb.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return `line ${i + 1}: ${JSON.stringify((la[i] ?? '').slice(0, 100))} vs ${JSON.stringify((lb[i] ?? '').slice(0, 100))}`;
  return `${a.length} vs ${b.length} bytes`;
}

let different = 0;
console.log(`builds: A ${dists[0]}\n        B ${dists[1]}\nwork:   ${work}`);
for (const name of cases) {
  const { dataset, args } = await prepare(name);
  const outs = [join(work, 'a', name), join(work, 'b', name)];
  const reused = opt.reuse && outs.every((o) => existsSync(join(o, '.exit-code')));
  const secs = [];
  for (let k = 0; k < 2; k++) secs.push(reused ? NaN : await run(dists[k], dataset, args, outs[k]));
  const listed = [...new Set([...(await files(outs[0])), ...(await files(outs[1]))])].sort();
  console.log(`\n${name}: scan ${relative(process.cwd(), dataset) || dataset} ${args.join(' ')} ${reused ? '(outputs of an earlier run)' : `(A ${secs[0].toFixed(0)} s, B ${secs[1].toFixed(0)} s)`}`);
  for (const f of listed) {
    const [pa, pb] = outs.map((o) => join(o, f));
    const [ea, eb] = [existsSync(pa), existsSync(pb)];
    let verdict;
    if (!ea || !eb) verdict = `only in ${ea ? 'A' : 'B'}`;
    else {
      const [ca, cb] = [await comparable(pa, outs[0]), await comparable(pb, outs[1])];
      verdict = ca.equals(cb) ? 'identical' : `different (${firstDifference(ca, cb)})`;
      if (verdict === 'identical' && f !== '.exit-code') verdict += ` (${(await stat(pa)).size} bytes)`;
    }
    if (!verdict.startsWith('identical')) different++;
    console.log(`  ${f.padEnd(28)} ${verdict}`);
  }
}
console.log(`\n${different === 0 ? 'all identical' : `${different} different`}`);
process.exit(different === 0 ? 0 : 1);
