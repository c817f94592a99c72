#!/usr/bin/env node
// Runs trigger-cluster's per-position pass on the first n rows of a fingerprints.arrow, one thread, with the build in
// <distdir>, and prints its time and a hash of its results (to compare two builds on the same data).
// usage: node scripts/compare-position-pass.mjs <distdir> <fingerprints.arrow> <n> [bands]
import { createHash } from 'node:crypto';
const [distDir, file, nStr, bandsArg] = process.argv.slice(2);
const { readImageFingerprints, sliceImageFeatures } = await import(`${distDir}/store/image-fingerprints.js`);
const { analysePositions, strideStarts } = await import(`${distDir}/detect/patterns/position-pass.js`);
const { DEFAULT_PARAMS: p } = await import(`${distDir}/detect/trigger-cluster.js`);
const fp = await readImageFingerprints(file);
const n = Number(nStr);
const f = sliceImageFeatures(fp.features, 0, n);
const stride = Math.max(3, Math.round(f.grid / 11));
const all = strideStarts(f.grid, p.positions.size, stride).map((_, b) => b);
const bands = bandsArg ? bandsArg.split(',').map(Number) : all;
const t = performance.now(); const c0 = process.cpuUsage();
const r = analysePositions({ kind: 'position', pixels: f.pixels, grid: f.grid, phash: f.phash, params: { ...p.positions, stride }, bands,
  minStd: p.minStd, minStructure: p.positionIndexStructure, memberStructure: p.positionMemberStructure, noiseFloor: p.positionNoiseFloor, minScore: p.positionMinScore, seed: 0 });
const cpu = process.cpuUsage(c0);
const h = createHash('sha256'); h.update(Buffer.from(r.best.buffer));
for (const g of r.groups) for (const k of ['images','x','y','score','reach','next']) h.update(Buffer.from(g[k].buffer, g[k].byteOffset, g[k].byteLength));
console.log(`n=${n} bands=${bands.length} wall ${((performance.now()-t)/1000).toFixed(1)} s cpu ${((cpu.user+cpu.system)/1e6).toFixed(1)} s windows ${r.windows} groups ${r.groups.length} hash ${h.digest('hex').slice(0,16)} rss ${(process.memoryUsage().rss/2**30).toFixed(2)} GiB`);
