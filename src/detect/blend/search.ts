// The blend search over a dataset: every image's whitened spectrum, then each class's cross-fitted candidate tails. Both are
// independent per image and per class, so they run on worker threads when more than one core is asked for; the
// spectra live in shared memory and every result is the one the calling thread would compute. Falls back to the
// calling thread when the compiled worker is absent (running from TypeScript sources, e.g. under vitest).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isShared } from '../../util/shared-bytes.js';
import { classTails, type ClassTail } from './class-tail.js';
import { sharedWhitening, type SharedWhitening } from './contrast.js';
import { allocateSpectra, imageCount, whitening, whitenRange, type GridPixels, type Spectra, type Whitening } from './spectra.js';

export type SearchJob =
  | { kind: 'whiten'; f: GridPixels; w: Whitening; x: Int16Array; norm: Float32Array; lo: number; hi: number }
  | { kind: 'tail'; s: Spectra; members: number[]; shared?: SharedWhitening };

export function runSearchJob(job: SearchJob): ClassTail[] | undefined {
  if (job.kind === 'tail') return classTails(job.s, job.members, job.shared);
  whitenRange(job.f, job.w, job.x, job.norm, job.lo, job.hi);
  return undefined;
}

const WORKER_URL = new URL('./search-worker.js', import.meta.url);
/** Images per spectra job: small enough to share the work evenly, large enough that a message costs nothing. */
const WHITEN_CHUNK = 1024;

/** The spectra of every image and the candidate tails of each class in `classes` (same order). */
export async function searchClasses(f: GridPixels, classes: number[][], concurrency: number): Promise<{ spectra: Spectra; tails: ClassTail[][] }> {
  const n = imageCount(f);
  const w = whitening(f);
  const spectra = allocateSpectra(n, w);
  const whiten: SearchJob[] = [];
  for (let lo = 0; lo < n; lo += WHITEN_CHUNK) whiten.push({ kind: 'whiten', f, w, x: spectra.x, norm: spectra.norm, lo, hi: Math.min(n, lo + WHITEN_CHUNK) });
  // Largest classes first: they cost most, so they start first.
  const order = classes.map((_, k) => k).sort((a, b) => classes[b]!.length - classes[a]!.length || a - b);
  const tails: ClassTail[][] = new Array(classes.length);
  const canFork = concurrency > 1 && existsSync(fileURLToPath(WORKER_URL));
  if (!canFork) {
    for (const j of whiten) runSearchJob(j);
    const shared = sharedWhitening(spectra, classes);
    for (const k of order) tails[k] = classTails(spectra, classes[k]!, shared);
    return { spectra, tails };
  }
  // Pixels from the fingerprint stage or the fingerprint store are shared already; others are copied once.
  let pixels = f.pixels;
  if (!isShared(pixels)) {
    pixels = new Uint8Array(new SharedArrayBuffer(f.pixels.length));
    pixels.set(f.pixels);
  }
  const shared: GridPixels = { grid: f.grid, pixels };
  const workers: Worker[] = [];
  try {
    for (let k = 0; k < Math.min(concurrency, Math.max(whiten.length, order.length)); k++) {
      const worker = new Worker(WORKER_URL);
      // An error between jobs is kept for the next job to report, never thrown at the process.
      worker.on('error', () => undefined);
      workers.push(worker);
    }
    await pool(workers, whiten.map((j) => ({ ...j, f: shared })));
    const w = sharedWhitening(spectra, classes);
    const found = await pool(workers, order.map((k) => ({ kind: 'tail', s: spectra, members: classes[k]!, shared: w }) satisfies SearchJob));
    order.forEach((k, q) => (tails[k] = found[q]!));
  } finally {
    await Promise.all(workers.map((wk) => wk.terminate()));
  }
  return { spectra, tails };
}

/** Runs the jobs on the workers, each taking the next job when it is free; results in the jobs' order. */
async function pool(workers: Worker[], jobs: SearchJob[]): Promise<(ClassTail[] | undefined)[]> {
  const results: (ClassTail[] | undefined)[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(workers.map(async (worker) => {
    while (next < jobs.length) {
      const k = next++;
      results[k] = await new Promise<ClassTail[] | undefined>((resolve, reject) => {
        const done = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        const onMessage = (r: ClassTail[] | undefined) => (done(), resolve(r));
        const onError = (e: Error) => (done(), reject(e));
        const onExit = (code: number) => (done(), reject(new Error(`a blend search thread stopped (exit code ${code})`)));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.postMessage(jobs[k]);
      });
    }
  }));
  return results;
}
