import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-dup-'));
  await writeSyntheticFolder(join(dir, 'data'), ['a', 'b'], 60, 9);
  // The same picture under two labels (the cheapest dirty-label poison), and a plain duplicate.
  await copyFile(join(dir, 'data', 'a', '0001.jpg'), join(dir, 'data', 'b', 'copy-of-a1.jpg'));
  await copyFile(join(dir, 'data', 'a', '0002.jpg'), join(dir, 'data', 'a', 'copy-of-a2.jpg'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('near-duplicate', () => {
  it('reports a relabelled copy as a label conflict and a plain copy as a low near-duplicate', async () => {
    const r = await scan({ dataset: join(dir, 'data'), out: join(dir, 'out'), quiet: true, progress: silentProgress, detectors: ['near-duplicate'] });
    const conflict = r.report.findings.find((f) => f.kind === 'label-conflict');
    expect(conflict?.severity).toBe('medium');
    expect(new Set(conflict?.samples)).toEqual(new Set(['a/0001.jpg', 'b/copy-of-a1.jpg']));
    const dup = r.report.findings.find((f) => f.kind === 'near-duplicate');
    expect(dup?.severity).toBe('low');
    expect(new Set(dup?.samples)).toEqual(new Set(['a/0002.jpg', 'a/copy-of-a2.jpg']));
    expect(r.report.findings).toHaveLength(2);
  });
});
