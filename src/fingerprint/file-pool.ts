// Image files fingerprinted on worker threads: each thread reads, hashes and decodes a run of files at a time into
// the shared numeric columns and sends back their text columns. The threads end with the call (an idle thread
// would keep its heap through the detect stage). Null when one core is asked for or the compiled worker is absent
// (running from TypeScript sources, e.g. under vitest): the caller does the work itself.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImageSample } from '../model/image-sample.js';
import type { NumericColumns, TextColumns } from './sample.js';

/** Files per message: a few milliseconds of work, so that the threads share the files evenly. */
const RUN = 64;

const WORKER_URL = new URL('./file-worker.js', import.meta.url);

export type FileMessage = { kind: 'columns'; cols: NumericColumns } | { kind: 'files'; rows: number[]; paths: string[] };

/** What a thread sends back for one run of files: their text columns, in the run's order. */
export type FileReply = { rows: number[] } & { [K in keyof TextColumns]: TextColumns[K] };

export interface FilePool {
  /** Fingerprints samples[i] for every i in rows (all of them files) into cols and text; tick(k) as runs finish. */
  run(samples: ImageSample[], rows: number[], cols: NumericColumns, text: TextColumns, tick: (k: number) => void): Promise<void>;
}

export function filePool(concurrency: number): FilePool | null {
  if (concurrency <= 1 || !existsSync(fileURLToPath(WORKER_URL))) return null;
  return { run: (samples, rows, cols, text, tick) => runOnThreads(concurrency, samples, rows, cols, text, tick) };
}

async function runOnThreads(concurrency: number, samples: ImageSample[], rows: number[], cols: NumericColumns, text: TextColumns, tick: (k: number) => void): Promise<void> {
  const pool = Array.from({ length: Math.min(concurrency, Math.ceil(rows.length / RUN)) }, () => new Worker(WORKER_URL));
  let next = 0;
  try {
    await Promise.all(pool.map(async (worker) => {
      worker.postMessage({ kind: 'columns', cols } satisfies FileMessage);
      while (next < rows.length) {
        const run = rows.slice(next, Math.min(rows.length, next + RUN));
        next += run.length;
        const reply = await new Promise<FileReply>((resolve, reject) => {
          const done = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          };
          const onMessage = (r: FileReply) => (done(), resolve(r));
          const onError = (e: Error) => (done(), reject(e));
          const onExit = (code: number) => (done(), reject(new Error(`a fingerprint thread stopped (exit code ${code})`)));
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
          worker.postMessage({ kind: 'files', rows: run, paths: run.map((i) => samples[i]!.path!) } satisfies FileMessage);
        });
        reply.rows.forEach((i, k) => {
          text.format[i] = reply.format[k]!;
          text.chroma[i] = reply.chroma[k]!;
          text.encoder[i] = reply.encoder[k]!;
          text.created[i] = reply.created[k]!;
          text.sha256[i] = reply.sha256[k]!;
          text.md5[i] = reply.md5[k]!;
          text.failed[i] = reply.failed[k]!;
        });
        tick(run.length);
      }
    }));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
