// Detectors run at once: the registry says which may run on a worker thread (they read only columns that can be
// sent to one: ids, labels, texts, the seed and parameters). Up to `concurrency` of them run together, each
// thread taking the next in the registry's order as it finishes one; detectors that need the main thread's data
// (image columns, embeddings) run there meanwhile, one after another, and take a slot. The outputs are those of the
// sequential run: each detector is a function of the scan's columns alone, and they come back in the registry's
// order. A detector whose work splits into parts (the registry's IN_PARTS) runs as its parts, each taken by a thread
// as a detector is, and its output is the join of their results. The threads end with the stage (an idle one would
// keep its heap and its copy of the columns).
import type { Worker } from 'node:worker_threads';
import type { AnyDetector, AnyDetectorOutput, ScanContext } from '../detect/detector.js';
import type { DetectorParts } from '../detect/detector-parts.js';
import { DETECTORS, IN_PARTS } from '../detect/registry.js';
import { startWorker, workerEntry } from '../util/module-worker.js';
import type { Progress } from '../util/progress.js';
import { progressLanes } from '../util/progress-lanes.js';
import { rebuildError, type ThreadError } from '../util/thread-errors.js';

/** What a thread holds: the context's columns and settings (no progress, no image columns or embeddings). */
export type ThreadContext = Omit<ScanContext, 'progress' | 'images' | 'embeddings'>;

/** Run the registry's detector `detector`, or only its part `part` (IN_PARTS). */
export type ThreadRequest = { kind: 'context'; ctx: ThreadContext } | { kind: 'run'; detector: number; part?: number };

export type ThreadReply =
  | { kind: 'progress'; call: 'stage'; name: string; total?: number }
  | { kind: 'progress'; call: 'tick'; n?: number }
  | { kind: 'progress'; call: 'done' }
  | { kind: 'progress'; call: 'info'; message: string }
  | { kind: 'output'; output: AnyDetectorOutput; seconds: number }
  | { kind: 'part'; result: unknown; seconds: number }
  | { kind: 'error'; error: ThreadError };

export interface ThreadPlan {
  entry: URL;
  /** Threads to start: at most one per detector that may run on one. */
  threads: number;
}

/**
 * How the detectors run at `concurrency`: on threads, or null for one after another on this thread (one slot, a
 * single detector to run, nothing to run beside it, or no thread entry to start).
 */
export function threadPlan(detectors: readonly AnyDetector[], onThread: (d: AnyDetector) => boolean, concurrency: number): ThreadPlan | null {
  const threaded = detectors.filter(onThread).length;
  const here = detectors.length - threaded;
  const threads = Math.min(threaded, concurrency - (here > 0 ? 1 : 0));
  if (threads < 1 || (threads === 1 && here === 0)) return null;
  const entry = workerEntry(import.meta.url, 'detector-thread');
  return entry ? { entry, threads } : null;
}

export interface ConcurrentRun {
  outputs: AnyDetectorOutput[];
  /** Seconds each detector ran, in the detectors' order. */
  seconds: number[];
}

/**
 * Runs `detectors` (in the registry's order) as `plan` says. Progress of the running detectors shares one line. A
 * detector that throws stops the start of later ones; once those running end, the earliest error in the
 * registry's order is thrown (the one the sequential run meets first). An aborted signal stops the start of more
 * detectors, ends the threads and throws its reason.
 */
export async function runOnThreads(detectors: readonly AnyDetector[], onThread: (d: AnyDetector) => boolean, ctx: ScanContext, plan: ThreadPlan, progress: Progress, signal?: AbortSignal): Promise<ConcurrentRun> {
  const n = detectors.length;
  const outputs: (AnyDetectorOutput | undefined)[] = new Array(n);
  const seconds = new Array<number>(n).fill(0);
  const errors: (Error | undefined)[] = new Array(n);
  let firstError = n;
  const fail = (k: number, e: Error) => {
    errors[k] = e;
    firstError = Math.min(firstError, k);
  };
  const mayStart = (k: number) => k < firstError && !signal?.aborted;
  const lanes = progressLanes(progress);
  const shared: ThreadContext = { modality: ctx.modality, ids: ctx.ids, labels: ctx.labels, texts: ctx.texts, seed: ctx.seed, concurrency: ctx.concurrency, parameters: ctx.parameters };
  // What the threads take, in the registry's order: a detector, or each part of one that splits.
  const jobs: Job[] = [];
  const split = new Map<number, Split>();
  for (let k = 0; k < n; k++) {
    if (!onThread(detectors[k]!)) continue;
    const parts = IN_PARTS.get(detectors[k]!);
    const count = parts ? parts.count(shared) : 1;
    if (!parts || count < 2) {
      jobs.push({ k, part: null });
      continue;
    }
    split.set(k, { parts, results: new Array(count), left: count, start: Infinity, end: 0 });
    for (let q = 0; q < count; q++) jobs.push({ k, part: q });
  }
  const here = detectors.flatMap((d, k) => (onThread(d) ? [] : [k]));
  let next = 0;
  const workers = new Set<Worker>();
  const stopAll = () => workers.forEach((w) => void w.terminate());
  signal?.addEventListener('abort', stopAll, { once: true });

  /** Part `q` of detector `k` ended at `end` (ms) with `result`: once every part has, their join is its output. */
  const partDone = (k: number, q: number, result: unknown, start: number, end: number): void => {
    const s = split.get(k)!;
    s.results[q] = result;
    s.start = Math.min(s.start, start);
    s.end = Math.max(s.end, end);
    if (--s.left > 0) return;
    try {
      outputs[k] = s.parts.join(ctx, s.results);
    } catch (e) {
      fail(k, e as Error);
    }
    seconds[k] = (s.end - s.start) / 1000;
  };

  /** Detector k (or its part q) on this thread. */
  const runHere = async (k: number, q: number | null = null): Promise<void> => {
    const d = detectors[k]!;
    const lane = lanes.lane();
    const ts = performance.now();
    lane.stage(d.name);
    try {
      if (q === null) outputs[k] = await d.run({ ...ctx, progress: lane });
      else {
        const result = await split.get(k)!.parts.run({ ...ctx, progress: lane }, q);
        partDone(k, q, result, ts, performance.now());
      }
    } catch (e) {
      fail(k, e as Error);
    }
    lane.done();
    if (q === null) seconds[k] = (performance.now() - ts) / 1000;
  };

  const threadLane = async (): Promise<void> => {
    let worker: Worker | undefined;
    // A thread that stops (it could not start, or its heap ran out) leaves its lane's detectors to this thread.
    let stopped = false;
    try {
      while (next < jobs.length && mayStart(jobs[next]!.k)) {
        const { k, part } = jobs[next++]!;
        if (stopped || signal?.aborted) {
          if (!signal?.aborted) await runHere(k, part);
          continue;
        }
        if (!worker) {
          try {
            worker = startWorker(plan.entry);
          } catch {
            // A thread the process's options do not allow: this lane's detectors run here.
            stopped = true;
            await runHere(k, part);
            continue;
          }
          // An error between two detectors is seen by the next one's wait (the thread has exited); none goes unheard.
          worker.on('error', () => {});
          worker.once('exit', () => exited.add(worker!));
          workers.add(worker);
          worker.postMessage({ kind: 'context', ctx: shared } satisfies ThreadRequest);
        }
        const lane = lanes.lane();
        lane.stage(detectors[k]!.name);
        const ts = performance.now();
        try {
          const r = await runOne(worker, DETECTORS.indexOf(detectors[k]!), part, lane);
          lane.done();
          if (r.kind === 'part') partDone(k, part!, r.result, ts, performance.now());
          else {
            outputs[k] = r.output;
            seconds[k] = r.seconds;
          }
        } catch (e) {
          lane.done();
          if (!(e instanceof ThreadStopped) || signal?.aborted) fail(k, e as Error);
          else {
            stopped = true;
            workers.delete(worker);
            await worker.terminate();
            worker = undefined;
            await runHere(k, part);
          }
        }
      }
    } finally {
      if (worker) {
        workers.delete(worker);
        await worker.terminate();
      }
    }
  };

  const mainLane = async (): Promise<void> => {
    for (const k of here) {
      // Lets the threads' messages in (and their next detector start) between detectors run here.
      await new Promise((resolve) => setImmediate(resolve));
      if (!mayStart(k)) break;
      await runHere(k);
    }
  };

  try {
    await Promise.all([...Array.from({ length: plan.threads }, threadLane), mainLane()]);
  } finally {
    signal?.removeEventListener('abort', stopAll);
  }
  // A thread ended by the signal reports its detector stopped: the signal's reason is the error.
  signal?.throwIfAborted();
  const first = errors.find((e) => e !== undefined);
  if (first) throw first;
  return { outputs: outputs as AnyDetectorOutput[], seconds };
}

/** One job of the threads: detector `k` whole (part null) or its part `part`. */
interface Job {
  k: number;
  part: number | null;
}

/** A detector run as its parts: their results as they come, how many are left, when the first began and the last ended. */
interface Split {
  parts: DetectorParts;
  results: unknown[];
  left: number;
  start: number;
  end: number;
}

/** Threads that have exited. */
const exited = new WeakSet<Worker>();

/** A thread ended without an answer (not its detector's error). */
class ThreadStopped extends Error {
  override name = 'ThreadStopped';
}

/** The registry's detector `index` (or its part `part`) runs on `worker`; its progress goes to `lane`. */
function runOne(worker: Worker, index: number, part: number | null, lane: Progress): Promise<Extract<ThreadReply, { kind: 'output' | 'part' }>> {
  return new Promise((resolve, reject) => {
    if (exited.has(worker)) return reject(new ThreadStopped('exited'));
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (r: ThreadReply) => {
      if (r.kind === 'progress') {
        if (r.call === 'stage') lane.stage(r.name, r.total);
        else if (r.call === 'tick') lane.tick(r.n);
        else if (r.call === 'done') lane.done();
        else lane.info(r.message);
        return;
      }
      done();
      if (r.kind === 'output' || r.kind === 'part') resolve(r);
      else reject(rebuildError(r.error));
    };
    const onError = (e: Error) => (done(), reject(new ThreadStopped(e.message)));
    const onExit = (code: number) => (done(), reject(new ThreadStopped(`exit code ${code}`)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ kind: 'run', detector: index, ...(part === null ? {} : { part }) } satisfies ThreadRequest);
  });
}
