import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder, type Attack } from '../src/attack/image-inject.js';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
let clean: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-blend-'));
  clean = join(dir, 'clean');
  await writeSyntheticFolder(clean, ['a', 'b', 'c'], 400, 21);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function blendScan(name: string, attack: Attack) {
  const data = join(dir, name);
  const truth = await injectImageFolder({ source: clean, out: data, attack, count: 40, target: 'a', seed: 5, truth: join(dir, `${name}.json`) });
  const r = await scan({ dataset: data, out: join(dir, `${name}-out`), quiet: true, progress: silentProgress, detectors: ['blend'], concurrency: 1 });
  const f = r.report.findings.find((x) => x.detector === 'blend');
  return { truth, r, f };
}

describe('blend', () => {
  it('finds images blended with a fixed noise pattern (alpha 0.2), 40 of 1,240', async () => {
    const { truth, f } = await blendScan('noise', { type: 'blend', alpha: 0.2 });
    expect(f).toBeDefined();
    const hits = f!.samples.filter((s) => truth.poisoned.includes(s)).length;
    expect(hits).toBeGreaterThanOrEqual(36);
    expect(f!.samples.length - hits).toBeLessThanOrEqual(4);
  });

  it('finds a SIG sinusoid and reports its frequency', async () => {
    const { truth, f } = await blendScan('sig', { type: 'sig', delta: 30, freq: 6 });
    expect(f).toBeDefined();
    expect(f!.samples.filter((s) => truth.poisoned.includes(s)).length).toBeGreaterThanOrEqual(36);
    expect((f!.evidence.dominantFrequency as { horizontal: { frequency: number } }).horizontal.frequency).toBe(6);
  });

  it('reports nothing on the clean set', async () => {
    const r = await scan({ dataset: clean, out: join(dir, 'clean-out'), quiet: true, progress: silentProgress, detectors: ['blend'], concurrency: 1 });
    expect(r.report.findings).toEqual([]);
  });
});
