#!/usr/bin/env node
// Times trigger-cluster's jobs (per-position pass, each window size) on the first n images of a fingerprints.arrow,
// one thread, to see how each scales.
// usage: node scripts/time-trigger-cluster-jobs.mjs <fingerprints.arrow> <n> [<n> ...]
import { readImageFingerprints, sliceImageFeatures } from '../dist/store/image-fingerprints.js';
import { analysePositions, strideStarts } from '../dist/detect/patterns/position-pass.js';
import { analyseSize } from '../dist/detect/patterns/size-analysis.js';
import { DEFAULT_PARAMS as p } from '../dist/detect/trigger-cluster.js';
const [file, ...ns] = process.argv.slice(2);
const fp = await readImageFingerprints(file);
for (const nStr of ns) {
  const n = Number(nStr);
  const f = sliceImageFeatures(fp.features, 0, n);
  const stride = Math.max(3, Math.round(f.grid / 11));
  const bands = strideStarts(f.grid, p.positions.size, stride).map((_, b) => b);
  let t = performance.now();
  const r = analysePositions({ kind: 'position', pixels: f.pixels, grid: f.grid, phash: f.phash, params: { ...p.positions, stride }, bands,
    minStd: p.minStd, minStructure: p.positionIndexStructure, memberStructure: p.positionMemberStructure, noiseFloor: p.positionNoiseFloor, minScore: p.positionMinScore, seed: 0 });
  const tp = (performance.now() - t) / 1000;
  const out = [`n=${n} position ${tp.toFixed(1)} s windows ${r.windows} groups ${r.groups.length}`];
  for (const size of p.sizes) {
    t = performance.now();
    const s = analyseSize({ pixels: f.pixels, grid: f.grid, phash: f.phash, size, keepFraction: Math.min(1, p.windowBudget / (n * (f.grid - size.size + 1) ** 2)), maxPerImage: p.maxPerImage, minStd: p.minStd, minStructure: p.minStructure, noiseFloor: p.noiseFloor, minScore: p.minScore, seed: 0 });
    out.push(`size${size.size} ${((performance.now() - t) / 1000).toFixed(1)} s (${s.windows} windows, ${s.groups.length} groups)`);
  }
  console.log(out.join(' | '), 'rss', (process.memoryUsage().rss / 2 ** 30).toFixed(2), 'GiB');
}
