#!/usr/bin/env node
// The head-to-head table: every detector (data-only and model-based) x attack x poison ratio, scored by
// recall@2x and AUROC of each detector's own score_<detector> column in scores.arrow, with its run time.
//
//   node scripts/head-to-head.mjs run [--work .bench/h2h] [--cases badnets:1,blended:5,...] [--images .bench/cifar10/test]
//        [--sst2 $POISONSCAN_DATA/text/sst2/train.tsv] [--scan-args "--proxy-model"] [--tag NAME] [--cli dist/cli/main.js]
//   node scripts/head-to-head.mjs table --work DIR [--pcts 0.01,0.1]   (markdown table of the latest row per case x detector)
//
// Data: POISONSCAN_DATA (default ../shared/datasets); CIFAR-10 extracted by scripts/extract-cifar10.sh.
// --images picks the image source: CIFAR-10 test (10,000, the default) or train (`--images .bench/cifar10/train`, 50,000,
// where 0.01% is 5 images); keep one --work folder per source, since the poisoned copies are named by case only.
//
// A case is attack:percent. Image attacks (dirty label, target airplane, seed 1, through `poisonscan inject`):
// badnets (3x3 checkerboard, bottom-right), random-patch (the same at a random place), blended (alpha 0.15), sig
// (delta 40, f 6). Text attacks on SST-2 train (dirty label, label 0 -> 1, seed 1): rare-word ("cf" at a random
// place), sentence ("I watch this 3D movie"). The poisoned copy is made once per case and kept under DIR/data;
// each run appends one JSON line per detector to DIR/results.jsonl. Run one at a time: the machine has 2 cores.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const cmd = args.shift();
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const DATA = process.env.POISONSCAN_DATA ?? join(ROOT, '..', 'shared', 'datasets');
const work = resolve(opt('work', join(ROOT, '.bench', 'h2h')));
const cli = resolve(opt('cli', join(ROOT, 'dist/cli/main.js')));
const IMAGE_ATTACKS = {
  badnets: ['--attack', 'patch', '--pattern', 'checkerboard', '--size', '3', '--position', 'bottom-right'],
  'random-patch': ['--attack', 'patch', '--pattern', 'checkerboard', '--size', '3', '--position', 'random'],
  blended: ['--attack', 'blend', '--alpha', '0.15'],
  sig: ['--attack', 'sig', '--delta', '40', '--freq', '6'],
};
const TEXT_ATTACKS = { 'rare-word': 'cf', sentence: 'I watch this 3D movie' };

function sh(argv, log) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK_KB %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const peak = Number(/PEAK_KB (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  if (log) writeFileSync(log, `${argv.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return { status: r.status, stderr: r.stderr, seconds: (performance.now() - t0) / 1000, peakGiB: peak / 1024 / 1024 };
}

/** Seeded mulberry32, as src/util/rng.ts. */
function rng32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function prepare(attack, pct) {
  const dir = join(work, 'data', `${attack}-${pct}`);
  if (IMAGE_ATTACKS[attack]) {
    const images = resolve(opt('images', join(ROOT, '.bench', 'cifar10', 'test')));
    const total = countFiles(images);
    const count = Math.max(1, Math.round((total * pct) / 100));
    if (!existsSync(join(dir, 'poisonscan-truth.json'))) {
      const r = sh(['node', cli, 'inject', images, '--out', dir, ...IMAGE_ATTACKS[attack], '--count', String(count), '--target', 'airplane', '--seed', '1']);
      if (r.status !== 0) throw new Error(`inject failed: ${r.stderr}`);
    }
    return { dataset: dir, truth: join(dir, 'poisonscan-truth.json'), n: total, count };
  }
  const src = resolve(opt('sst2', join(DATA, 'text', 'sst2', 'train.tsv')));
  const file = join(dir, 'train.tsv');
  const truth = join(dir, 'poisonscan-truth.json');
  const lines = readFileSync(src, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim());
  const rows = lines.map((l) => l.split('\t').map((f) => f.trim()));
  const count = Math.max(1, Math.round((rows.length * pct) / 100));
  if (!existsSync(truth)) {
    mkdirSync(dir, { recursive: true });
    const rnd = rng32(1);
    const pool = rows.map((r, i) => (r[0] === '0' ? i : -1)).filter((i) => i >= 0);
    // Partial Fisher-Yates: `count` distinct label-0 rows.
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rnd() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const chosen = pool.slice(0, count);
    for (const i of chosen) {
      const toks = rows[i][1].split(' ');
      toks.splice(Math.floor(rnd() * (toks.length + 1)), 0, TEXT_ATTACKS[attack]);
      rows[i] = ['1', toks.join(' ')];
    }
    writeFileSync(file, 'label\tsentence\n' + rows.map((r) => r.join('\t')).join('\n') + '\n');
    writeFileSync(truth, JSON.stringify({ poisoned: chosen.map(String) }));
  }
  return { dataset: file, truth, n: rows.length, count };
}

function countFiles(dir) {
  const r = spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return r.stdout.split('\n').filter(Boolean).length;
}

/** recall@2x (ties broken against the poisoned) and AUROC (ties averaged) of one score column. */
function evaluate(scores, ids, truth) {
  const n = scores.length;
  const isP = ids.map((id) => truth.has(id));
  const order = [...scores.keys()].sort((a, b) => scores[b] - scores[a] || Number(isP[a]) - Number(isP[b]));
  const k = 2 * truth.size;
  const recall = order.slice(0, k).filter((i) => isP[i]).length / truth.size;
  const asc = [...scores.keys()].sort((a, b) => scores[a] - scores[b]);
  let rs = 0;
  let np = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[asc[j + 1]] === scores[asc[i]]) j++;
    for (let q = i; q <= j; q++) if (isP[asc[q]]) [rs, np] = [rs + (i + j) / 2 + 1, np + 1];
    i = j + 1;
  }
  return { recall, auroc: (rs - (np * (np + 1)) / 2) / (np * (n - np)) };
}

function run() {
  const cases = opt('cases', 'badnets:1,random-patch:1,blended:1,sig:1').split(',').map((c) => c.split(':'));
  const extra = (opt('scan-args', '') || '').split(' ').filter(Boolean);
  const tag = opt('tag', 'all');
  mkdirSync(work, { recursive: true });
  const commit = opt('commit', spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim());
  for (const [attack, pctS] of cases) {
    const pct = Number(pctS);
    const p = prepare(attack, pct);
    const out = join(work, 'out', `${attack}-${pct}-${tag}`);
    const scanArgs = extra.map((a) => a.replace('{case}', join(work, 'out', `${attack}-${pct}-all`)));
    const r = sh(['node', cli, 'scan', p.dataset, '--out', out, '--fail-on', 'never', '--quiet', ...scanArgs], join(work, `log-${attack}-${pct}-${tag}.txt`));
    if (r.status !== 0) {
      console.error(`${attack} ${pct}%: scan exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const t = tableFromIPC(readFileSync(join(out, 'scores.arrow')));
    const ids = [...t.getChild('id').toArray()].map(String);
    const truth = new Set(JSON.parse(readFileSync(p.truth, 'utf8')).poisoned.map(String));
    const stages = report.timing.stages;
    for (const f of t.schema.fields) {
      if (!f.name.startsWith('score_')) continue;
      const detector = f.name.slice(6);
      const m = evaluate(t.getChild(f.name).toArray(), ids, truth);
      const row = {
        attack, pct, n: ids.length, poisoned: truth.size, detector, tag, commit,
        recall2x: m.recall, auroc: m.auroc, seconds: stages[`detect:${detector}`] ?? null,
        proxySeconds: stages['proxy-model'] ?? null, proxy: report.config.proxyModel ?? null,
        scanSeconds: report.timing.seconds, peakGiB: r.peakGiB, date: new Date().toISOString(),
      };
      appendFileSync(join(work, 'results.jsonl'), JSON.stringify(row) + '\n');
      console.log(`${attack} ${pct}% ${detector}: recall@2x ${m.recall.toFixed(2)} AUROC ${m.auroc.toFixed(3)} (${row.seconds ?? '?'} s)`);
    }
  }
}

function table() {
  const rows = readFileSync(join(work, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const latest = new Map();
  for (const r of rows) latest.set(`${r.attack}|${r.pct}|${r.detector}`, r);
  const attacks = [...Object.keys(IMAGE_ATTACKS), ...Object.keys(TEXT_ATTACKS)];
  const detectors = [...new Set([...latest.values()].map((r) => r.detector))];
  const pcts = opt('pcts', '0.01,0.1,1,5').split(',').map(Number);
  const lines = [];
  for (const attack of attacks) {
    const here = detectors.filter((d) => pcts.some((p) => latest.has(`${attack}|${p}|${d}`)));
    if (!here.length) continue;
    const anyRow = [...latest.values()].find((r) => r.attack === attack);
    lines.push(`\n**${attack}** (${anyRow.n.toLocaleString('en')} samples; recall@2x / AUROC, detector time in s)\n`);
    lines.push(`| detector | ${pcts.map((p) => { const r = [...latest.values()].find((x) => x.attack === attack && x.pct === p); return `${p}%${r ? ` (${r.poisoned})` : ''}`; }).join(' | ')} |`);
    lines.push(`|---|${pcts.map(() => '---').join('|')}|`);
    for (const d of here) {
      const cells = pcts.map((p) => {
        const r = latest.get(`${attack}|${p}|${d}`);
        if (!r) return '—';
        const s = `${r.recall2x.toFixed(2)} / ${r.auroc.toFixed(3)} (${r.seconds === null ? '?' : r.seconds.toFixed(1)})`;
        return r.recall2x >= 0.9 ? `**${s}**` : s;
      });
      lines.push(`| ${d} | ${cells.join(' | ')} |`);
    }
    const proxies = pcts.map((p) => [...latest.values()].find((x) => x.attack === attack && x.pct === p && x.proxy)).filter(Boolean);
    if (proxies.length) lines.push(`\nproxy model: ${proxies.map((r) => `${r.pct}%: ${r.proxy.backend}, held-out acc ${r.proxy.heldOutAccuracy}, ${r.proxySeconds?.toFixed(0)} s, scan ${r.scanSeconds.toFixed(0)} s, peak ${r.peakGiB.toFixed(2)} GiB`).join('; ')}`);
  }
  console.log(lines.join('\n'));
}

if (cmd === 'run') run();
else if (cmd === 'table') table();
else {
  console.error('usage: node scripts/head-to-head.mjs run|table --work DIR [...]');
  process.exitCode = 2;
}
