// A report set is written whole or not at all: every output goes to a staging folder inside --out first, and only
// when all of them are complete are they renamed into place. A failure on the way (a full disk, a kill) leaves the
// previous report set as it was. Files outside --out (--sarif, --write-manifest FILE) are written beside their
// target and renamed; a target that is not a regular file (a device, a pipe) is written to directly.
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../types.js';
import { ioReason } from './io-errors.js';

const STAGING = '.poisonscan-staging-';

export class StagedOutputs {
  readonly dir: string;
  private readonly external = new Map<string, string>();

  constructor(readonly outDir: string) {
    this.dir = join(outDir, `${STAGING}${process.pid}`);
  }

  /** Starts staging; called with the --out lock held, so staging folders of killed runs are removed too. */
  async begin(): Promise<this> {
    for (const name of await readdir(this.outDir).catch(() => [] as string[])) {
      if (name.startsWith(STAGING)) await rm(join(this.outDir, name), { recursive: true, force: true });
    }
    await this.guard('--out', this.outDir, () => mkdir(this.dir, { recursive: true }));
    return this;
  }

  /** Where to write the output `name` of --out for now. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Where to write a file whose final place is `target`, outside --out, for now. */
  externalPath(target: string): string {
    const staged = join(this.dir, `external-${this.external.size}-${basename(target)}`);
    this.external.set(staged, target);
    return staged;
  }

  /** Runs a write; a file-system failure becomes one line naming the file (exit 2), and the staging is dropped. */
  async guard<T>(what: string, path: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof UsageError || !(e instanceof Error) || !('code' in e)) throw e;
      await this.abort();
      throw new UsageError(`cannot write ${what ? what + ' ' : ''}${path}: ${ioReason(e)}; the previous outputs are unchanged`);
    }
  }

  /** Moves every staged output into place. */
  async commit(): Promise<void> {
    for (const [staged, target] of this.external) {
      await this.guard('', target, () => placeExternal(staged, target));
    }
    for (const name of await readdir(this.dir)) {
      if (this.external.has(join(this.dir, name))) continue;
      await this.guard('', join(this.outDir, name), () => rename(join(this.dir, name), join(this.outDir, name)));
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function placeExternal(staged: string, target: string): Promise<void> {
  const s = await stat(target).catch(() => null);
  if (s && !s.isFile()) {
    // A device or a pipe (/dev/stdout): written in place, never replaced.
    await writeFile(target, await readFile(staged));
    return;
  }
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  try {
    await copyFile(staged, tmp);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
