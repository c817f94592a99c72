#!/usr/bin/env node
// Speed and memory of the pretrained embedding (--embed pretrained) at several input sides (after `npm run build`):
// decodes an image folder once to its working grid, then embeds its first N images at each side, one JSON line per
// side: load seconds, wall and CPU seconds, images per second of each, resident memory, backend.
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
const images = { ...d.images, pixels: d.images.pixels.subarray(0, n * per) };
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
for (const side of sidesArg.split(',').map(Number)) {
  const model = await loadPretrained(side);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.embed(images, silentProgress);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(JSON.stringify({
    side, images: n, grid: d.images.grid, loadSeconds: +model.loadSeconds.toFixed(2), wallSeconds: +wall.toFixed(1), imagesPerSecond: +(n / wall).toFixed(1),
    cpuSeconds: +cpu.toFixed(1), imagesPerCpuSecond: +(n / cpu).toFixed(1), peakRssMiB: Math.round(peak / 2 ** 20), load1: +loadavg()[0].toFixed(1),
    backend: model.spec.backend, package: model.spec.package,
  }) + '\n');
  model.dispose();
}
clearInterval(sample);
