// The --out lock after a kill: the same pid again (a container's pid 1) is a previous incarnation, another host's
// lock is in use until removed, and staging folders of killed runs are cleared once the lock is held.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockOutDir, LOCK_FILE } from '../../src/store/out-dir.js';
import { StagedOutputs } from '../../src/store/staged-outputs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the --out lock after a kill', () => {
  it('takes over a lock naming this very pid on this host when this process does not hold it', async () => {
    const out = join(dir, 'same-pid');
    await mkdir(out);
    for (const text of [`${process.pid}\n`, `${process.pid}\n${hostname()}\n2020-01-01T00:00:00.000Z\n`]) {
      await writeFile(join(out, LOCK_FILE), text);
      await (await lockOutDir(out))();
    }
    const release = await lockOutDir(out);
    // While held, a second taker in this same process is refused.
    await expect(lockOutDir(out)).rejects.toThrow(/in use/);
    await release();
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it('gives the lock to exactly one of two runs of this process that ask for it at once', async () => {
    const out = join(dir, 'race');
    await mkdir(out);
    for (let round = 0; round < 25; round++) {
      const both = await Promise.allSettled([lockOutDir(out), lockOutDir(out)]);
      expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
      await (both.find((b) => b.status === 'fulfilled') as PromiseFulfilledResult<() => Promise<void>>).value();
    }
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a lock of another host, saying which file to remove', async () => {
    const out = join(dir, 'other-host');
    await mkdir(out);
    await writeFile(join(out, LOCK_FILE), `${process.pid}\nsome-other-host-${hostname()}\n2020-01-01T00:00:00.000Z\n`);
    await expect(lockOutDir(out)).rejects.toThrow(/some-other-host.*remove .*\.poisonscan\.lock/);
  });

  it('clears staging folders left by killed runs once the lock is held', async () => {
    const out = join(dir, 'staging');
    await mkdir(join(out, '.poisonscan-staging-424242'), { recursive: true });
    await writeFile(join(out, '.poisonscan-staging-424242', 'report.json'), '{}');
    const release = await lockOutDir(out);
    const staged = await new StagedOutputs(out).begin();
    expect((await readdir(out)).filter((n) => n.startsWith('.poisonscan-staging-'))).toEqual([`.poisonscan-staging-${process.pid}`]);
    await staged.abort();
    await release();
  });
});
