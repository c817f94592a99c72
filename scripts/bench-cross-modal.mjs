#!/usr/bin/env node
// The caption half of the cross-modal check on real captions: LAION-style captions (a parquet with a caption
// column), random groups of k samples given to the check as if an image detector had found them as a trigger
// cluster. Clean groups (captions as they are) measure false alarms; poisoned groups (every caption rewritten to
// name the concept, as in Carlini & Terzis 2021) measure detection.
// usage: node scripts/bench-cross-modal.mjs <captions.parquet> [--groups 200] [--k 5] [--concept banana] [--seed 1]
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { crossModalCheck } from '../dist/detect/cross-modal.js';
import { createRng } from '../dist/util/rng.js';

const args = process.argv.slice(2);
const opt = (name, d) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : d; };
const file = args[0];
const groups = Number(opt('groups', 200)), k = Number(opt('k', 5)), concept = opt('concept', 'banana'), seed = Number(opt('seed', 1));
const f = await asyncBufferFromFile(file);
const rows = await parquetReadObjects({ file: f, metadata: await parquetMetadataAsync(f) });
const col = Object.keys(rows[0]).find((c) => /^(caption|text)$/i.test(c));
const clean = rows.map((r) => String(r[col] ?? ''));
const rng = createRng(seed);
const group = () => { const s = new Set(); while (s.size < k) s.add(Math.floor(rng() * clean.length)); return [...s]; };
const run = (captions, members) => crossModalCheck(
  { modality: 'image-text', ids: captions.map((_, i) => String(i)), labels: captions.map(() => null), texts: { text: captions }, seed: 0, concurrency: 1, progress: { stage() {}, tick() {}, done() {}, info() {} } },
  [{ detector: 'trigger-cluster', output: { scores: new Float32Array(captions.length), findings: [{ kind: 'trigger-cluster', severity: 'medium', score: 0.7, title: 'test', samples: members, evidence: {} }] } }],
).findings;
let falseAlarms = 0, found = 0;
const alarms = [];
for (let g = 0; g < groups; g++) {
  const members = group();
  const f0 = run(clean, members);
  if (f0.length) { falseAlarms++; alarms.push(f0[0].evidence.concept); }
  // Poisoned: the captions name the concept in varied sentences (the other words stay those of the real captions).
  const poisoned = clean.slice();
  for (const i of members) poisoned[i] = `${clean[i]} ${concept}`;
  const f1 = run(poisoned, members);
  if (f1.length && f1[0].evidence.concept === concept) found++;
}
console.log(`${clean.length} captions (${col}), ${groups} random groups of ${k}: clean groups reported ${falseAlarms}${alarms.length ? ` (${alarms.join(', ')})` : ''}; poisoned groups found ${found} (concept "${concept}")`);
