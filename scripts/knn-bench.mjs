#!/usr/bin/env node
// Measures the k-NN backends of src/embed/knn.ts (after `npm run build`): build time, all-points query time (k=10)
// and recall@10 against exact brute force, on a .npy of embeddings (optionally tiled with noise to N rows); then
// whether a second build gives identical neighbours, and, for comparison, the same index built by usearch with 2
// insertion threads (the non-deterministic build knn.ts used before). Wall and CPU (user+sys) seconds.
//   node scripts/knn-bench.mjs <embeddings.npy> [N] [--brute-sample 2000]
import { createRequire } from 'node:module';
import { readNpy } from '../dist/embed/npy.js';
import { buildKnn } from '../dist/embed/knn.js';
import { createRng } from '../dist/util/rng.js';

const argv = process.argv.slice(2);
const flag = argv.indexOf('--brute-sample');
const sampleArg = flag >= 0 ? Number(argv.splice(flag, 2)[1]) : undefined;
const [path, nArg] = argv;
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
/** Wall and CPU seconds of f(). */
function timed(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}
const fmt = (t) => `${t.wall.toFixed(2)} s (cpu ${t.cpu.toFixed(2)} s)`;
const sample = Math.min(n, sampleArg ?? (n > 10000 ? 300 : 2000));
const sq = new Float32Array(sample * d);
const which = Array.from({ length: sample }, (_, i) => Math.floor((i * n) / sample));
which.forEach((r, i) => sq.set(pts.subarray(r * d, (r + 1) * d), i * d));
const exact = timed(() => buildKnn(pts, d, { backend: 'brute' }).search(sq, K));
console.log(`n=${n} d=${d}: brute force, ${sample} queries: ${fmt(exact)} (all ${n}: ~${((exact.wall * n) / sample).toFixed(1)} s)`);
const recall = (ids) => {
  let hit = 0;
  which.forEach((r, i) => {
    const truth = new Set(exact.value.ids.subarray(i * K, (i + 1) * K));
    for (let j = 0; j < K; j++) if (truth.has(Number(ids[r * K + j]))) hit++;
  });
  return (hit / (sample * K)).toFixed(4);
};
const build = timed(() => buildKnn(pts, d, { backend: 'usearch' }));
const u = build.value;
if (u.note) console.log(u.note);
const all = timed(() => u.search(pts, K));
console.log(`knn.ts (${u.backend}, 1 insertion thread): build ${fmt(build)}, all-points k=${K} query ${fmt(all)}, recall@${K} ${recall(all.value.ids)}`);
const again = buildKnn(pts, d, { backend: 'usearch' }).search(pts, K);
let diff = 0;
for (let i = 0; i < again.ids.length; i++) if (again.ids[i] !== all.value.ids[i] || again.dist[i] !== all.value.dist[i]) diff++;
console.log(`second build: ${diff} of ${again.ids.length} neighbour slots differ`);
if (u.backend === 'usearch') {
  const { Index } = createRequire(import.meta.url)('usearch');
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  const two = () => {
    const x = new Index({ dimensions: d, metric: 'l2sq', connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
    x.add(keys, pts, 2);
    return x;
  };
  const b2 = timed(two);
  const q2 = timed(() => b2.value.search(pts, K, 2).keys);
  const other = two().search(pts, K, 2).keys;
  let diff2 = 0;
  for (let i = 0; i < other.length; i++) if (other[i] !== q2.value[i]) diff2++;
  console.log(`usearch, 2 insertion threads: build ${fmt(b2)}, query ${fmt(q2)}, recall@${K} ${recall(q2.value)}; a second build: ${diff2} of ${other.length} neighbour slots differ`);
}
