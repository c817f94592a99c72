// Worker-thread entry of the file pool (file-pool.ts): fingerprints runs of image files into shared columns.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { CrashHook, FileMessage, FileReply, FileWorkerData } from './file-pool.js';
import { fingerprintSample, type NumericColumns, type TextColumns } from './sample.js';

let cols: NumericColumns | undefined;
let luma = new Float64Array(0);
// Two files in flight: one decoding through libvips while the next is read (files this thread decodes itself
// finish before the next starts).
const limit = pLimit(2);
const crashOn = (workerData as FileWorkerData | null)?.crashOn;

parentPort!.on('message', async (m: FileMessage) => {
  if (m.kind === 'columns') {
    cols = m.cols;
    if (luma.length !== cols.grid * cols.grid) luma = new Float64Array(cols.grid * cols.grid);
    return;
  }
  const c = cols!;
  const k = m.rows.length;
  // Text columns of this run, indexed by position in the run.
  const text: TextColumns = { format: new Array(k).fill(''), chroma: new Array(k).fill(''), encoder: new Array(k).fill(''), created: new Array(k).fill(''), sha256: new Array(k).fill(''), md5: new Array(k).fill(''), failed: new Array(k).fill(null) };
  await Promise.all(m.rows.map((row, j) => limit(() => {
    if (crashOn) crash(crashOn, m.paths[j]!, m.retry);
    return fingerprintSample(() => readFileSync(m.paths[j]!), row, c, text, j, luma);
  })));
  parentPort!.postMessage({ kind: 'run', rows: m.rows, ...text } satisfies FileReply);
});

if (crashOn?.how === 'start') process.exit(71);
parentPort!.postMessage({ kind: 'ready' } satisfies FileReply);

/** Test-only (CrashHook): fail this thread on a listed file. */
function crash(hook: CrashHook, path: string, retry: boolean): void {
  if (!hook.paths.includes(path) || (retry && hook.firstTryOnly)) return;
  if (hook.how === 'exit') process.exit(70);
  throw new Error(`injected failure on ${path}`);
}
