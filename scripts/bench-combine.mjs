#!/usr/bin/env node
// Joins two `bench --families ... --work` folders of the same dataset and seeds, seed by seed, and reports what the
// second run's detectors add to the first's. The usual pair: a run with the default (data-only) detectors, and a run
// of the embedding detectors alone (`--embed pretrained --detectors spectral-signature,...`), which is cheaper than
// running every detector again. The two together are scored as one scan would score them: a sample's score is the
// larger of its two scores, and it is flagged when either run flags it. Also each score column of the second run.
// Seeds whose poisoned files differ between the two runs are skipped and named.
//   node scripts/bench-combine.mjs <work-dir-first> <work-dir-second>
// Prints per seed: recall@2k / AUROC / flagged (of them poisoned), ranks; then per family: median / 10th percentile
// (nearest rank) of recall@2k, median AUROC, seeds with a poison flagged, falsely flagged samples per seed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const [firstDir, secondDir] = process.argv.slice(2);
if (!firstDir || !secondDir) {
  console.error('usage: node scripts/bench-combine.mjs <work-dir-first> <work-dir-second>');
  process.exit(2);
}

const sorted = (v) => [...v].sort((a, b) => a - b);
const median = (v) => {
  const s = sorted(v);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const p10 = (v) => sorted(v)[Math.max(0, Math.ceil(0.1 * v.length) - 1)];

/** A report's scores.arrow: ids, and the score, flagged and per-detector score columns. */
function readScores(dir, base) {
  const t = tableFromIPC(readFileSync(join(dir, `${base}-report`, 'scores.arrow')));
  const ids = Array.from(t.getChild('id').toArray(), String);
  const columns = {};
  for (const f of t.schema.fields) if (f.name.startsWith('score') || f.name === 'flagged') columns[f.name] = t.getChild(f.name).toArray();
  return { ids, columns };
}

/** Ranks (ties broken against the poisons, as bench does), recall@2k, AUROC (ties averaged), flagged counts. */
function measure(ids, score, flagged, truth) {
  const n = ids.length;
  const isP = ids.map((id) => truth.has(id));
  const np = isP.filter(Boolean).length;
  const order = [...Array(n).keys()].sort((a, b) => score[b] - score[a] || Number(isP[a]) - Number(isP[b]));
  const ranks = [];
  order.forEach((i, r) => {
    if (isP[i]) ranks.push(r + 1);
  });
  const asc = [...Array(n).keys()].sort((a, b) => score[a] - score[b]);
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[asc[j + 1]] === score[asc[i]]) j++;
    for (let q = i; q <= j; q++) if (isP[asc[q]]) rankSum += (i + j) / 2 + 1;
    i = j + 1;
  }
  let nf = 0, nfp = 0;
  if (flagged) for (let i = 0; i < n; i++) if (flagged[i]) {
    nf++;
    if (isP[i]) nfp++;
  }
  return { recall: ranks.filter((r) => r <= 2 * np).length / np, auroc: (rankSum - (np * (np + 1)) / 2) / (np * (n - np)), ranks, flagged: nf, flaggedPoisoned: nfp };
}

const poisonsOf = (dir, base) => JSON.parse(readFileSync(join(dir, `${base}-truth.json`), 'utf8')).poisoned.slice().sort();

const rows = [];
for (const name of readdirSync(secondDir).filter((n) => n.endsWith('-report')).sort()) {
  const base = name.slice(0, -'-report'.length);
  if (!existsSync(join(firstDir, name, 'scores.arrow')) || !existsSync(join(secondDir, name, 'scores.arrow'))) continue;
  // The clean scan's folder has no truth file.
  if (!existsSync(join(firstDir, `${base}-truth.json`)) || !existsSync(join(secondDir, `${base}-truth.json`))) continue;
  const poisons = poisonsOf(firstDir, base);
  if (poisons.length === 0) continue;
  if (poisons.join('\n') !== poisonsOf(secondDir, base).join('\n')) {
    console.log(`${base}: the two runs poisoned different files, skipped`);
    continue;
  }
  const truth = new Set(poisons);
  const a = readScores(firstDir, base), b = readScores(secondDir, base);
  const rowOf = new Map(b.ids.map((id, i) => [id, i]));
  const n = a.ids.length;
  const bRow = Int32Array.from(a.ids, (id) => rowOf.get(id) ?? -1);
  if (bRow.includes(-1)) {
    console.log(`${base}: the two runs scored different samples, skipped`);
    continue;
  }
  const pick = (col) => Float64Array.from(bRow, (j) => col[j]);
  const second = pick(b.columns.score), secondFlagged = pick(b.columns.flagged);
  const both = new Float64Array(n), bothFlagged = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    both[i] = Math.max(a.columns.score[i], second[i]);
    bothFlagged[i] = a.columns.flagged[i] || secondFlagged[i] ? 1 : 0;
  }
  const perDetector = {};
  for (const [c, v] of Object.entries(b.columns)) if (c.startsWith('score_')) perDetector[c.slice('score_'.length)] = measure(a.ids, pick(v), null, truth);
  rows.push({
    family: base.replace(/-s\d+$/, ''), seed: base.match(/\d+$/)[0],
    first: measure(a.ids, a.columns.score, a.columns.flagged, truth), second: measure(a.ids, second, secondFlagged, truth), both: measure(a.ids, both, bothFlagged, truth), perDetector,
  });
}

const cell = (m) => `${m.recall.toFixed(2)} / ${m.auroc.toFixed(3)} / ${m.flagged} (${m.flaggedPoisoned})`;
console.log('| family | seed | first run: recall@2k / AUROC / flagged (poisoned) | second run | both (max score, either flags) | poison ranks first -> both | second run per detector: recall@2k / AUROC |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const per = Object.entries(r.perDetector).map(([d, m]) => `${d} ${m.recall.toFixed(2)} / ${m.auroc.toFixed(2)}`).join('; ');
  console.log(`| ${r.family} | ${r.seed} | ${cell(r.first)} | ${cell(r.second)} | ${cell(r.both)} | ${r.first.ranks.join(', ')} -> ${r.both.ranks.join(', ')} | ${per} |`);
}
console.log('');
console.log('| family | seeds | scores | recall@2k median / p10 | AUROC median | seeds with a poison flagged | falsely flagged per seed: median, most |');
console.log('|---|---|---|---|---|---|---|');
const VIEWS = { first: 'first run', second: 'second run', both: 'both' };
for (const family of [...new Set(rows.map((r) => r.family))]) {
  const rs = rows.filter((r) => r.family === family);
  const line = (label, ms, flags) => {
    const falsely = ms.map((m) => m.flagged - m.flaggedPoisoned);
    const flagCells = flags ? `${ms.filter((m) => m.flaggedPoisoned > 0).length} | ${median(falsely)}, ${Math.max(...falsely)}` : '- | -';
    console.log(`| ${family} | ${rs.length} | ${label} | ${median(ms.map((m) => m.recall)).toFixed(2)} / ${p10(ms.map((m) => m.recall)).toFixed(2)} | ${median(ms.map((m) => m.auroc)).toFixed(3)} | ${flagCells} |`);
  };
  for (const [key, label] of Object.entries(VIEWS)) line(label, rs.map((r) => r[key]), true);
  for (const d of Object.keys(rs[0].perDetector)) line(`${d} alone (its own score)`, rs.map((r) => r.perDetector[d]), false);
}
