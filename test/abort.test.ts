// A scan given a signal that has already stopped rejects with its reason before it reads anything or writes --out.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-abort-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('an aborted signal stops the scan before any work', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stopped by the caller'));
  const rows = Array.from({ length: 50 }, (_, i) => ({ text: `row ${i} of a small table`, label: String(i % 2) }));
  const out = join(dir, 'out');
  await expect(scan({ dataset: 'rows', rows, out, quiet: true, progress: silentProgress, failOn: 'never', signal: controller.signal })).rejects.toThrow('stopped by the caller');
  await expect(readdir(out)).rejects.toThrow();
});
