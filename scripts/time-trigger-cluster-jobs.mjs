#!/usr/bin/env node
// Times trigger-cluster's jobs (each window size, the two halves of the per-position pass, the colour pass) on the
// first n images of a fingerprints.arrow, one thread, with the detector's default parameters, to see how each scales.
// usage: node scripts/time-trigger-cluster-jobs.mjs <fingerprints.arrow> <n> [<n> ...]
import { readImageFingerprints, sliceImageFeatures } from '../dist/store/image-fingerprints.js';
import { runJob } from '../dist/detect/patterns/parallel.js';
import { DEFAULT_PARAMS, triggerClusterJobs } from '../dist/detect/trigger-cluster.js';
const [file, ...ns] = process.argv.slice(2);
if (!file || !ns.length) {
  console.error('usage: node scripts/time-trigger-cluster-jobs.mjs <fingerprints.arrow> <n> [<n> ...]');
  process.exit(2);
}
const fp = await readImageFingerprints(file);
for (const nStr of ns) {
  const f = sliceImageFeatures(fp.features, 0, Number(nStr));
  const out = [`n=${f.phash.length}`];
  for (const job of triggerClusterJobs(f, DEFAULT_PARAMS, 0)) {
    const t = performance.now();
    const r = runJob(job);
    const name = job.kind === 'position' ? `position bands ${job.bands.join(',')}` : job.kind === 'colour' ? 'colour' : `size ${job.size.size}`;
    out.push(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s, ${r.windows} windows, ${r.groups.length} groups`);
  }
  console.log(out.join(' | '), '| rss', (process.memoryUsage().rss / 2 ** 30).toFixed(2), 'GiB');
}
