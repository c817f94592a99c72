// Runs the per-size analyses on worker threads (the sizes are independent; a scan's detect stage has the
// cores to itself). Falls back to the calling thread when the compiled worker is absent (running from
// TypeScript sources, e.g. under vitest) or when only one core is asked for.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyseSize, type SizeInput, type SizeResult } from './size-analysis.js';

const WORKER_URL = new URL('./size-worker.js', import.meta.url);

export async function analyseSizes(inputs: SizeInput[], concurrency: number): Promise<SizeResult[]> {
  const canFork = concurrency > 1 && inputs.length > 1 && existsSync(fileURLToPath(WORKER_URL));
  if (!canFork) return inputs.map(analyseSize);
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
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, runOne));
  return results;
}
