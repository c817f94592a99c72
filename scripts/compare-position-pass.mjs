#!/usr/bin/env node
// Runs trigger-cluster's per-position pass on the first n rows of a fingerprints.arrow, one thread, with the build in
// <distdir>, and prints its time and hashes of its results (to compare two builds, or the pass with and without
// its sampled screen, on the same data): "hash" covers the per-image scores and the groups, "groups" the groups
// alone (a screened-out candidate leaves no per-image score, so only the groups can be equal across screens).
// usage: node scripts/compare-position-pass.mjs <distdir> <fingerprints.arrow> <n> [bands|all] [screen: off|<sample>]
import { createHash } from 'node:crypto';
const [distDir, file, nStr, bandsArg, screenArg] = process.argv.slice(2);
const { readImageFingerprints, sliceImageFeatures } = await import(`${distDir}/store/image-fingerprints.js`);
const { analysePositions, strideStarts } = await import(`${distDir}/detect/patterns/position-pass.js`);
const { DEFAULT_PARAMS: p } = await import(`${distDir}/detect/trigger-cluster.js`);
const fp = await readImageFingerprints(file);
const n = Number(nStr);
const f = sliceImageFeatures(fp.features, 0, n);
const stride = Math.max(3, Math.round(f.grid / 11));
const all = strideStarts(f.grid, p.positions.size, stride).map((_, b) => b);
const bands = bandsArg && bandsArg !== 'all' ? bandsArg.split(',').map(Number) : all;
const params = { ...p.positions, stride };
if (screenArg === 'off') params.screen = null;
else if (screenArg) params.screen = { ...p.positions.screen, sample: Number(screenArg) };
const t = performance.now(); const c0 = process.cpuUsage();
const r = analysePositions({ kind: 'position', pixels: f.pixels, grid: f.grid, phash: f.phash, params, bands,
  minStd: p.minStd, minStructure: p.positionIndexStructure, memberStructure: p.positionMemberStructure, noiseFloor: p.positionNoiseFloor, minScore: p.positionMinScore, seed: 0 });
const cpu = process.cpuUsage(c0);
const h = createHash('sha256'), hg = createHash('sha256'); h.update(Buffer.from(r.best.buffer));
for (const g of r.groups) for (const k of ['images','x','y','score','reach','next']) {
  const b = Buffer.from(g[k].buffer, g[k].byteOffset, g[k].byteLength);
  h.update(b); hg.update(b);
}
let scored = 0; for (const b of r.best) if (b > 0) scored++;
console.log(`n=${n} bands=${bands.length} screen=${params.screen ? params.screen.sample : 'off'} wall ${((performance.now()-t)/1000).toFixed(1)} s cpu ${((cpu.user+cpu.system)/1e6).toFixed(1)} s windows ${r.windows} groups ${r.groups.length} (${r.groups.map((g) => `${g.images.length}@${g.x[0]},${g.y[0]}:${g.score[0].toFixed(2)}`).join(' ')}) groups-hash ${hg.digest('hex').slice(0,16)} hash ${h.digest('hex').slice(0,16)} images-scored ${scored} rss ${(process.memoryUsage().rss/2**30).toFixed(2)} GiB`);
