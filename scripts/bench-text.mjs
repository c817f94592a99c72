#!/usr/bin/env node
// Text benchmarks (issue 3): ONION's real BadNets-poisoned SST-2 / OLID files, and rare-word / sentence
// injection into SST-2 train. usage: node scripts/bench-text.mjs [onion|inject]   (after npm run build)
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../dist/scan.js';
import { evaluate } from '../dist/bench/metrics.js';
import { silentProgress } from '../dist/util/progress.js';
import { createRng, sampleIndices } from '../dist/util/rng.js';

const SHARED = process.env.POISONSCAN_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'datasets');
const work = await mkdtemp(join(tmpdir(), 'ps-text-'));

const readTsv = async (p) => (await readFile(p, 'utf8')).split(/\r?\n/).slice(1).filter((l) => l.trim()).map((l) => l.split('\t').map((f) => f.trim()));

async function runScan(path, truth) {
  const r = await scan({ dataset: path, out: join(work, 'out'), quiet: true, progress: silentProgress, failOn: 'never' });
  const m = evaluate(r.ids, r.scores.score, r.scores.flagged, truth, [truth.size, 2 * truth.size]);
  return { r, m };
}

async function onion() {
  for (const set of ['sst-2', 'offenseval']) {
    const poisoned = await readTsv(join(SHARED, 'text/onion-badnets/badnets', set, 'train.tsv'));
    const clean = new Set((await readTsv(join(SHARED, 'text/onion-badnets/clean', set, 'train.tsv'))).map((r) => r[0]));
    const truth = new Set(poisoned.map((r, i) => (clean.has(r[0]) ? null : String(i))).filter((x) => x !== null));
    const { r, m } = await runScan(join(SHARED, 'text/onion-badnets/badnets', set, 'train.tsv'), truth);
    console.log(`onion ${set}: n=${m.samples} poisoned=${m.poisoned} flagged=${m.flagged} recall=${m.recallFlagged.toFixed(3)} precision=${m.precisionFlagged.toFixed(3)} AUROC=${m.auroc.toFixed(4)} time=${r.report.timing.seconds}s triggers=${r.report.findings.filter((f) => f.severity !== 'low').map((f) => f.evidence.trigger).join(',')}`);
  }
}

async function inject(kind, words, count, seeds) {
  const rows = await readTsv(join(SHARED, 'text/sst2/train.tsv')); // label, sentence
  for (const seed of seeds) {
    const rng = createRng(seed);
    const word = words[(seed - 1) % words.length];
    // Dirty label: pick samples of label 0, insert the trigger at a random place, relabel to 1.
    const pool = rows.map((r, i) => (r[0] === '0' ? i : -1)).filter((i) => i >= 0);
    const chosen = sampleIndices(rng, pool.length, count).map((k) => pool[k]);
    const out = rows.map((r) => [...r]);
    for (const i of chosen) {
      const toks = out[i][1].split(' ');
      const at = Math.floor(rng() * (toks.length + 1));
      toks.splice(at, 0, word);
      out[i] = ['1', toks.join(' ')];
    }
    const path = join(work, `sst2-${kind}-${seed}.tsv`);
    await writeFile(path, 'label\tsentence\n' + out.map((r) => r.join('\t')).join('\n') + '\n');
    const { r, m } = await runScan(path, new Set(chosen.map(String)));
    console.log(`sst2 ${kind} "${word}" x${count} seed=${seed}: ranks=[${m.ranks.join(',')}] R@${count}=${m.recallAt[count].toFixed(2)} R@${2 * count}=${m.recallAt[2 * count].toFixed(2)} flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) time=${r.report.timing.seconds}s`);
  }
}

const what = process.argv[2] ?? 'all';
if (what === 'onion' || what === 'all') await onion();
if (what === 'inject' || what === 'all') {
  await inject('rare-word', ['cf', 'mn', 'bb', 'tq', 'mb'], 7, [1, 2, 3, 4, 5]);
  await inject('sentence', ['I watch this 3D movie'], 34, [1, 2, 3, 4, 5]);
}
