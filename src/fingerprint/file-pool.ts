// Image files fingerprinted on worker threads: each thread reads, hashes and decodes a run of files at a time into
// the shared numeric columns and sends back their text columns. The threads end with the call (an idle thread
// would keep its heap through the detect stage). Null when one core is asked for: the caller does the work itself.
//
// A thread that dies (an exception escaping, running out of memory, exiting) costs the files that made it die, not
// the scan: its run is tried again one file at a time on a fresh thread, and a file that stops a thread a second
// time gets that as its error. Threads that cannot start at all leave the rest of the files to the calling thread.
import type { Worker } from 'node:worker_threads';
import type { ImageSample } from '../model/image-sample.js';
import { startWorker, workerEntry } from '../util/module-worker.js';
import { hereRunner } from './here.js';
import type { NumericColumns, TextColumns } from './sample.js';

/** Files per message: a few milliseconds of work, so that the threads share the files evenly. */
const RUN = 64;

export type FileMessage = { kind: 'columns'; cols: NumericColumns } | { kind: 'files'; rows: number[]; paths: string[]; retry: boolean };

/** What a thread sends: that it is ready for files, or the text columns of one run of files, in the run's order. */
export type FileReply = { kind: 'ready' } | ({ kind: 'run'; rows: number[] } & { [K in keyof TextColumns]: TextColumns[K] });

/**
 * Test-only: makes a thread fail on the given files (by path), by exiting or by an exception escaping, or makes
 * every thread exit before it is ready ('start'), so that the recovery can be tested without a decoder that really
 * crashes. Never set by the product.
 */
export interface CrashHook {
  paths: string[];
  how: 'exit' | 'throw' | 'start';
  /** Only on the file's first try (a failure that does not come back). */
  firstTryOnly?: boolean;
}

export interface FilePoolOptions {
  /** Test-only (see CrashHook). */
  crashOn?: CrashHook;
}

/** What each thread gets at start. */
export interface FileWorkerData {
  crashOn?: CrashHook;
}

export interface FilePool {
  /** Fingerprints samples[i] for every i in rows (all of them files) into cols and text; tick(k) as files finish. */
  run(samples: ImageSample[], rows: number[], cols: NumericColumns, text: TextColumns, tick: (k: number) => void): Promise<void>;
}

export function filePool(concurrency: number, opts: FilePoolOptions = {}): FilePool | null {
  // The compiled worker in a build; from the TypeScript sources only where a test asks for threads.
  const entry = workerEntry(import.meta.url, 'file-worker');
  if (concurrency <= 1 || entry === null) return null;
  const data: FileWorkerData = opts.crashOn ? { crashOn: opts.crashOn } : {};
  return { run: (samples, rows, cols, text, tick) => runOnThreads(entry, concurrency, data, samples, rows, cols, text, tick) };
}

/** Some files for one message; a retry holds one file that was in a run whose thread died. */
interface Job {
  rows: number[];
  retry: boolean;
}

/** How a job ended: the thread's reply, or why the thread died and whether it had started (loaded its code). */
type Outcome = { reply: Extract<FileReply, { kind: 'run' }> } | { died: string; started: boolean };

/** One worker thread and the job it holds. */
class FileThread {
  readonly worker: Worker;
  private ready = false;
  private dead: string | null = null;
  private pending: ((o: Outcome) => void) | null = null;

  constructor(entry: URL, data: FileWorkerData, cols: NumericColumns) {
    this.worker = startWorker(entry, { workerData: data });
    this.worker.on('message', (m: FileReply) => {
      if (m.kind === 'ready') this.ready = true;
      else this.settle({ reply: m });
    });
    // The first reason is kept: an error is followed by an exit.
    this.worker.on('error', (e: Error) => this.die(firstLine(e.message)));
    this.worker.on('messageerror', (e: Error) => this.die(firstLine(e.message)));
    this.worker.on('exit', (code: number) => this.die(`exit code ${code}`));
    this.worker.postMessage({ kind: 'columns', cols } satisfies FileMessage);
  }

  run(job: Job, samples: ImageSample[]): Promise<Outcome> {
    // A thread that died between jobs: not this job's doing.
    if (this.dead !== null) return Promise.resolve({ died: this.dead, started: false });
    return new Promise<Outcome>((resolve) => {
      this.pending = resolve;
      this.worker.postMessage({ kind: 'files', rows: job.rows, paths: job.rows.map((i) => samples[i]!.path!), retry: job.retry } satisfies FileMessage);
    });
  }

  private settle(o: Outcome): void {
    const p = this.pending;
    this.pending = null;
    p?.(o);
  }

  private die(reason: string): void {
    if (this.dead !== null) return;
    this.dead = reason;
    this.settle({ died: reason, started: this.ready });
  }
}

async function runOnThreads(entry: URL, concurrency: number, data: FileWorkerData, samples: ImageSample[], rows: number[], cols: NumericColumns, text: TextColumns, tick: (k: number) => void): Promise<void> {
  const runs: Job[] = [];
  for (let k = 0; k < rows.length; k += RUN) runs.push({ rows: rows.slice(k, k + RUN), retry: false });
  const retries: Job[] = [];
  let nextRun = 0;
  const take = (): Job | undefined => retries.shift() ?? runs[nextRun++];
  // Set when a thread could not start: the calling thread does what is left.
  let noThreads = false;
  // Threads in a row that died before they were ready.
  let startFailures = 0;
  const here = hereRunner(samples, cols, text, concurrency);
  const live = new Set<FileThread>();

  const slot = async (): Promise<void> => {
    let thread: FileThread | null = null;
    for (let job = take(); job; job = take()) {
      // A slot whose thread still works keeps it; the others work on the calling thread.
      if (noThreads && !thread) {
        await here(job.rows, tick);
        continue;
      }
      if (!thread) {
        try {
          live.add((thread = new FileThread(entry, data, cols)));
        } catch {
          // No thread can be made (too many threads, out of memory): the calling thread takes over.
          noThreads = true;
          retries.unshift(job);
          continue;
        }
      }
      const o = await thread.run(job, samples);
      if ('reply' in o) {
        const r = o.reply;
        r.rows.forEach((i, k) => {
          text.format[i] = r.format[k]!;
          text.chroma[i] = r.chroma[k]!;
          text.encoder[i] = r.encoder[k]!;
          text.created[i] = r.created[k]!;
          text.sha256[i] = r.sha256[k]!;
          text.md5[i] = r.md5[k]!;
          text.failed[i] = r.failed[k]!;
        });
        tick(job.rows.length);
        startFailures = 0;
        continue;
      }
      // The thread is gone: make sure it writes nothing more before its files are tried again.
      live.delete(thread);
      await thread.worker.terminate();
      thread = null;
      if (!o.started) {
        // It died before it said it was ready: its code could not load, or its ready message had not come through
        // yet. The job goes to a fresh thread; a second such death in a row means that threads cannot start here,
        // and the calling thread does what is left.
        if (++startFailures >= 2) noThreads = true;
        retries.unshift(job);
      } else if (job.retry) {
        text.failed[job.rows[0]!] = `stopped the fingerprint thread twice (${o.died})`;
        tick(1);
      } else {
        // Which file of the run did it is unknown: each is tried again alone.
        for (const i of job.rows) retries.push({ rows: [i], retry: true });
      }
    }
    if (thread) {
      live.delete(thread);
      await thread.worker.terminate();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, slot));
  } finally {
    await Promise.all([...live].map((t) => t.worker.terminate()));
  }
}

function firstLine(msg: string): string {
  return msg.split('\n')[0]!;
}
