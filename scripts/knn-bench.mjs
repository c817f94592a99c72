#!/usr/bin/env node
// Measures the k-NN backends of src/embed/knn.ts (after `npm run build`): build time, all-points query time (k=10)
// and recall@10 against exact brute force, on a .npy of embeddings (optionally tiled with noise to N rows).
//   node scripts/knn-bench.mjs <embeddings.npy> [N] [--brute-sample 2000]
import { readNpy } from '../dist/embed/npy.js';
import { buildKnn } from '../dist/embed/knn.js';
import { createRng } from '../dist/util/rng.js';

const [path, nArg] = process.argv.slice(2);
const e = await readNpy(path);
const n = Number(nArg ?? e.rows);
const d = e.dim;
const rng = createRng(1);
let pts = e.data;
if (n !== e.rows) {
  // Tiled copies with small noise (1% of each dimension's spread), so that the set grows without duplicates.
  pts = new Float32Array(n * d);
  const sd = new Float32Array(d);
  for (let t = 0; t < d; t++) { let s = 0, ss = 0; for (let i = 0; i < e.rows; i++) { const v = e.data[i * d + t]; s += v; ss += v * v; } sd[t] = Math.sqrt(Math.max(0, ss / e.rows - (s / e.rows) ** 2)); }
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) pts[i * d + t] = e.data[(i % e.rows) * d + t] + 0.01 * sd[t] * (rng() - 0.5) * 3.46;
}
const K = 10;
const sample = Math.min(n, n > 10000 ? 300 : 2000);
const sq = new Float32Array(sample * d);
const which = Array.from({ length: sample }, (_, i) => Math.floor((i * n) / sample));
which.forEach((r, i) => sq.set(pts.subarray(r * d, (r + 1) * d), i * d));
let t0 = performance.now();
const brute = buildKnn(pts, d, { backend: 'brute' });
const exact = brute.search(sq, K);
const bruteSample = (performance.now() - t0) / 1000;
console.log(`n=${n} d=${d}: brute force, ${sample} queries: ${bruteSample.toFixed(2)} s (all ${n}: ~${((bruteSample * n) / sample).toFixed(1)} s)`);
t0 = performance.now();
const u = buildKnn(pts, d, { backend: 'usearch' });
const build = (performance.now() - t0) / 1000;
if (u.note) console.log(u.note);
t0 = performance.now();
const all = u.search(pts, K);
const query = (performance.now() - t0) / 1000;
let hit = 0;
which.forEach((r, i) => {
  const truth = new Set(exact.ids.subarray(i * K, (i + 1) * K));
  for (let j = 0; j < K; j++) if (truth.has(all.ids[r * K + j])) hit++;
});
console.log(`usearch (${u.backend}): build ${build.toFixed(2)} s, all-points k=${K} query ${query.toFixed(2)} s, recall@${K} ${(hit / (sample * K)).toFixed(4)}`);
