// The --out folder: checked against the dataset by real path (symbolic links resolved, on either side), created
// with a clear message when it cannot be, and locked so that two runs never write into one folder at once.
import { link, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../types.js';
import { isInside } from '../ingest/inside-root.js';
import { ioReason } from './io-errors.js';

/** The real path of `p`: its nearest existing ancestor resolved through links, plus the rest. */
async function realish(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    if (parent === abs) return abs;
    return join(await realish(parent), basename(abs));
  }
}

/**
 * Refuses an --out that is the dataset or inside it, by resolved and by real path (a link into the dataset, or
 * the dataset reached through a link), and an --out that exists but is not a folder.
 */
export async function checkOutDir(outDir: string, dataset: string, what = 'the dataset'): Promise<void> {
  // A shard pattern (shard-{000000..000009}.tar) is not a path: its folder is what must not be written to.
  const data = dataset.includes('{') ? dirname(resolve(dataset)) : resolve(dataset);
  const pairs: [string, string][] = [[resolve(outDir), data], [await realish(outDir), await realish(data)]];
  for (const [o, d] of pairs) {
    if (isInside(d, o)) throw new UsageError(`--out must not be inside ${what} (poisonscan never writes into the data it reads): ${outDir} is ${o === d ? '' : 'inside '}${d}`);
  }
  // A file dataset inside --out (dd/scores.csv with --out dd) could be replaced by an output of the same name.
  const realData = await realish(data);
  const ds = await stat(realData).catch(() => null);
  if (ds && !ds.isDirectory() && isInside(await realish(outDir), realData)) {
    throw new UsageError(`--out must not hold ${what} (poisonscan never writes over the data it reads): ${dataset} is inside ${outDir}; choose another --out`);
  }
  const s = await stat(outDir).catch(() => null);
  if (s && !s.isDirectory()) throw new UsageError(`--out ${outDir} exists and is not a folder`);
}

/** Refuses an output file (--sarif, --write-manifest FILE) that is the dataset or inside it, by resolved and by real path. */
export async function checkOutFile(file: string, dataset: string, flag: string): Promise<void> {
  const data = dataset.includes('{') ? dirname(resolve(dataset)) : resolve(dataset);
  const pairs: [string, string][] = [[resolve(file), data], [await realish(file), await realish(data)]];
  for (const [f, d] of pairs) {
    if (isInside(d, f)) throw new UsageError(`${flag} must not be inside the dataset (poisonscan never writes into the data it reads): ${file} is ${f === d ? '' : 'inside '}${d}`);
  }
}

/** Creates the --out folder, or says in one line why it cannot be. */
export async function makeOutDir(outDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create --out ${outDir}: ${ioReason(e)}`);
  }
}

export const LOCK_FILE = '.poisonscan.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds now (a second run in the same process is refused like any other). */
const held = new Set<string>();

/**
 * Who holds a lock, from its text (pid, host name, start time, a line each; older locks hold the pid only):
 * null when stale. A lock of this host is stale when its process is gone, or when it names this very process
 * without this process holding it (a previous incarnation: in a container the tool often runs as pid 1 every
 * time). A lock of another host (a shared volume) cannot be checked from here and is in use until removed.
 */
function lockHolder(text: string, path: string): string | null {
  const [pidText = '', host, since] = text.split('\n').map((l) => l.trim());
  const pid = Number(pidText);
  if (pidText === '') return 'another poisonscan run'; // being written by its owner right now
  if (host && host !== hostname()) {
    return `a poisonscan run on host ${host} (pid ${pidText}${since ? `, since ${since}` : ''}); if no run is writing there, remove ${path}`;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return held.has(path) ? `another poisonscan run in this process` : null;
  return alive(pid) ? `another poisonscan run (pid ${pid})` : null;
}

/**
 * Takes the folder's lock (a file holding the owner's pid, host name and start time, created exclusively) or
 * refuses: another run is writing into it. A stale lock (see lockHolder) is taken over. Returns the release function.
 */
export async function lockOutDir(outDir: string): Promise<() => Promise<void>> {
  await makeOutDir(outDir);
  const path = resolve(outDir, LOCK_FILE);
  // Runs in this process ask one at a time: otherwise one could read the other's fresh lock before the other has
  // marked it held, take it for a previous incarnation's and remove it.
  const before = asking.get(path) ?? Promise.resolve();
  const attempt = before.catch(() => undefined).then(() => takeLock(outDir, path));
  asking.set(path, attempt);
  try {
    return await attempt;
  } finally {
    if (asking.get(path) === attempt) asking.delete(path);
  }
}

/** The latest attempt of this process to take each lock. */
const asking = new Map<string, Promise<unknown>>();

async function takeLock(outDir: string, path: string): Promise<() => Promise<void>> {
  const content = `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`;
  // The lock file appears complete or not at all: written aside, then hard-linked into place (link fails if it exists).
  const mine = join(outDir, `${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(mine, content);
      try {
        try {
          await link(mine, path);
        } catch (e) {
          // File systems without hard links: an exclusive create (a reader may see it empty for a moment).
          if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
          await writeFile(path, content, { flag: 'wx' });
        }
        // Held from the moment the lock file exists, with no wait in between: another run in this process that
        // reads the lock meanwhile sees it held, not stale.
        held.add(path);
      } finally {
        await rm(mine, { force: true });
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        // Held until the file is gone: a run that reads it meanwhile waits its turn rather than taking it as stale.
        await rm(path, { force: true });
        held.delete(path);
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UsageError(`cannot write into --out ${outDir}: ${ioReason(e)}`);
    }
    const raw = await readFile(path, 'utf8').catch(() => null);
    if (raw === null) continue; // released meanwhile: try again
    const holder = lockHolder(raw, path);
    if (holder) throw new UsageError(`--out ${outDir} is in use by ${holder}; wait for it or choose another --out`);
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new UsageError(`--out ${outDir} is in use by another poisonscan run`);
}
