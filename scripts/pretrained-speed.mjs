#!/usr/bin/env node
// Speed and memory of the pretrained embedding (--embed pretrained) at several input sides (after `npm run build`):
// decodes an image folder once to its working grid, then embeds N images (spread over the folder) at each side, one
// JSON line per side: load seconds, wall and CPU seconds, images per second of each, peak resident memory, backend,
// and how well the vectors know the classes: leave-one-out 10-nearest-neighbour accuracy among the N (folder labels).
//   node scripts/pretrained-speed.mjs <imagefolder> [sides, default 64,96,128,224] [N, default all]
// CPU seconds matter on a shared machine: wall-clock rates there depend on the other jobs.
import { loadavg } from 'node:os';

const [dataset, sidesArg = '64,96,128,224', limitArg] = process.argv.slice(2);
if (!dataset) {
  process.stderr.write('usage: node scripts/pretrained-speed.mjs <imagefolder> [sides] [N]\n');
  process.exit(2);
}
const { loadDataset } = await import('../dist/ingest/load.js');
const { loadPretrained } = await import('../dist/embed/pretrained.js');
const { silentProgress } = await import('../dist/util/progress.js');
const d = await loadDataset(dataset, { concurrency: 2, progress: silentProgress });
if (!d.images) {
  process.stderr.write(`${dataset} holds no images\n`);
  process.exit(2);
}
const per = d.images.grid * d.images.grid * 3;
const n = Math.min(Number(limitArg ?? Infinity), d.ids.length);
// Every (total/n)-th image, so that every class is there.
const pick = Array.from({ length: n }, (_, i) => Math.floor((i * d.ids.length) / n));
const pixels = new Uint8Array(n * per);
pick.forEach((r, i) => pixels.set(d.images.pixels.subarray(r * per, (r + 1) * per), i * per));
const images = { ...d.images, pixels };
const labels = pick.map((r) => d.labels[r]);

/** Leave-one-out majority vote of the 10 nearest (Euclidean) among the n vectors. */
function knnAccuracy(e) {
  const { dim, data } = e;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) sq[i] += data[i * dim + k] ** 2;
  let right = 0;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += data[i * dim + k] * data[j * dim + k];
      dist[j] = j === i ? Infinity : sq[i] + sq[j] - 2 * dot;
    }
    const near = [...dist.keys()].sort((a, b) => dist[a] - dist[b]).slice(0, 10);
    const votes = new Map();
    for (const j of near) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
    if (best === labels[i]) right++;
  }
  return right / n;
}
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
for (const side of sidesArg.split(',').map(Number)) {
  const model = await loadPretrained(side);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const e = await model.embed(images, silentProgress);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(JSON.stringify({
    side, images: n, grid: d.images.grid, loadSeconds: +model.loadSeconds.toFixed(2), wallSeconds: +wall.toFixed(1), imagesPerSecond: +(n / wall).toFixed(1),
    cpuSeconds: +cpu.toFixed(1), imagesPerCpuSecond: +(n / cpu).toFixed(1), peakRssMiB: Math.round(peak / 2 ** 20), load1: +loadavg()[0].toFixed(1),
    backend: model.spec.backend, package: model.spec.package, knn10Accuracy: +knnAccuracy(e).toFixed(3),
  }) + '\n');
  model.dispose();
}
clearInterval(sample);
