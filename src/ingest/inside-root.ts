// Paths a dataset names (a manifest row, an image path in a table, a symbolic link in a folder) must resolve to a
// file inside the dataset's root: a scan must never be made to open a file elsewhere on the machine.
import { realpath } from 'node:fs/promises';
import { relative, isAbsolute, sep } from 'node:path';

/** Thrown for a path that leaves the dataset root: the sample is refused and reported. */
export class OutsideRootError extends Error {
  override name = 'OutsideRootError';
}

const realRoots = new Map<string, Promise<string>>();

function realRoot(root: string): Promise<string> {
  let r = realRoots.get(root);
  if (!r) {
    r = realpath(root).catch(() => root);
    realRoots.set(root, r);
  }
  return r;
}

/** Whether `p` (already resolved) is `root` or below it. */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + sep));
}

/**
 * Throws OutsideRootError when `file`, with every link on its way resolved, is not inside `root`. A file that
 * does not exist is left to the reader (it reports "no such file").
 */
export async function checkInsideRoot(root: string, file: string, what: string): Promise<void> {
  const base = await realRoot(root);
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    if (!isInside(root, file) && !isInside(base, file)) throw new OutsideRootError(`${what} leaves the dataset folder; not read`);
    return;
  }
  if (!isInside(base, real)) throw new OutsideRootError(`${what} leaves the dataset folder (it resolves to ${real}); not read`);
}
