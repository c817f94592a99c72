// Runs the per-size analyses on worker threads (the sizes are independent; a scan's detect stage has the
// cores to itself). Falls back to the calling thread when the compiled worker is absent (running from
// TypeScript sources, e.g. under vitest) or when only one core is asked for.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyseColour, type ColourInput } from './colour-pass.js';
import { analysePositions, type PositionInput } from './position-pass.js';
import { isShared } from '../../util/shared-bytes.js';
import { analyseSize, type SizeInput, type SizeResult } from './size-analysis.js';

/** One job: a window size over the whole dataset, some row bands of the per-position pass, or the colour pass over every row. */
export type AnalysisJob = SizeInput | PositionInput | ColourInput;

/** One job on this thread. */
export function runJob(job: AnalysisJob): SizeResult {
  return job.kind === 'position' ? analysePositions(job) : job.kind === 'colour' ? analyseColour(job) : analyseSize(job);
}

const WORKER_URL = new URL('./size-worker.js', import.meta.url);

export async function analyseSizes(jobs: AnalysisJob[], concurrency: number, onJobDone: () => void = () => {}): Promise<SizeResult[]> {
  const canFork = concurrency > 1 && jobs.length > 1 && existsSync(fileURLToPath(WORKER_URL));
  if (!canFork) return jobs.map((j) => {
    const r = runJob(j);
    onJobDone();
    return r;
  });
  // The pixels once in shared memory: every job reads them, and posting a plain array copies it per job. The
  // fingerprint stage allocates them shared already (util/shared-bytes.ts); other callers' arrays are copied once.
  const shared = new Map<Uint8Array, Uint8Array>();
  const inputs = jobs.map((j) => {
    let px = isShared(j.pixels) ? j.pixels : shared.get(j.pixels);
    if (!px) {
      px = new Uint8Array(new SharedArrayBuffer(j.pixels.length));
      px.set(j.pixels);
      shared.set(j.pixels, px);
    }
    return { ...j, pixels: px };
  });
  const results: SizeResult[] = new Array(inputs.length);
  let nextJob = 0;
  const runOne = async (): Promise<void> => {
    const worker = new Worker(WORKER_URL);
    try {
      while (nextJob < inputs.length) {
        const k = nextJob++;
        results[k] = await new Promise<SizeResult>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.postMessage(inputs[k]);
        });
        worker.removeAllListeners('error');
        onJobDone();
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, runOne));
  return results;
}
