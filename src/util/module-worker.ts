// A worker thread whose entry is a module beside the caller: the compiled .js in a build. Run from TypeScript
// sources (the tests), there is none unless a test asks for threads (fromSources): then the .ts file, loaded
// through the TypeScript loader the tests run under (starting one costs about a second, so other tests run the
// work on their own thread, as from sources they always did).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let fromSources = false;

/** Whether entries run from TypeScript sources (tests of the threaded paths turn it on). */
export function threadsFromSources(on: boolean): void {
  fromSources = on;
}

/** The entry `name` beside the module at `callerUrl` (its import.meta.url), or null when there is none to run. */
export function workerEntry(callerUrl: string, name: string): URL | null {
  const js = new URL(`./${name}.js`, callerUrl);
  if (existsSync(fileURLToPath(js))) return js;
  const ts = new URL(`./${name}.ts`, callerUrl);
  return fromSources && callerUrl.endsWith('.ts') && existsSync(fileURLToPath(ts)) ? ts : null;
}

/** Options of how the process was started that are about its own entry (a script given inline), not a thread's. */
const ENTRY_OPTIONS = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/** The process's Node options a thread inherits: all but those about the process's entry. */
export function threadExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const name = a.split('=')[0]!;
    if (!ENTRY_OPTIONS.has(name)) out.push(a);
    else if (!a.includes('=')) k++;
  }
  return out;
}

/**
 * A thread running `entry` (from workerEntry), with `options` (workerData and the like). It inherits the process's
 * Node options unless some are about the process's entry: then it gets the others (a thread refuses some options,
 * and throws: callers treat that as a thread that cannot start).
 */
export function startWorker(entry: URL, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  const execArgv = threadExecArgv();
  const inherit = execArgv.length === process.execArgv.length ? {} : { execArgv };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { ...options, ...inherit });
  // A thread does not inherit the loader hooks of the one that starts it: it registers them before the import.
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(code, { ...options, eval: true, ...inherit });
}
