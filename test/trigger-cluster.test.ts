import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { parseJpeg } from '../src/fingerprint/file-facts.js';
import { DEFAULT_PARAMS, runTriggerCluster } from '../src/detect/trigger-cluster.js';
import { scan } from '../src/scan.js';
import { readImageFingerprints } from '../src/store/image-fingerprints.js';
import { silentProgress } from '../src/util/progress.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
let clean: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-tc-'));
  clean = join(dir, 'clean');
  await writeSyntheticFolder(clean, ['a', 'b', 'c'], 150, 7);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function poisonAndScan(name: string, attack: Parameters<typeof injectImageFolder>[0]['attack'], count: number) {
  const data = join(dir, name);
  const truth = await injectImageFolder({ source: clean, out: data, attack, count, target: 'a', seed: 3, truth: join(dir, `${name}.json`) });
  const r = await scan({ dataset: data, out: join(dir, `${name}-out`), quiet: true, progress: silentProgress, detectors: ['trigger-cluster'], concurrency: 1 });
  const order = [...r.ids.keys()].sort((x, y) => r.scores.score[y]! - r.scores.score[x]!);
  return { truth, r, top: order.slice(0, count).map((i) => r.ids[i]!) };
}

describe('trigger-cluster', () => {
  it('finds 4 images with a checkerboard patch at random places among 450, as one finding', async () => {
    const { truth, r, top } = await poisonAndScan('cb', { type: 'patch', pattern: 'checkerboard', size: 3, position: 'random' }, 4);
    expect(new Set(top)).toEqual(new Set(truth.poisoned));
    const f = r.report.findings.find((x) => x.detector === 'trigger-cluster' && x.severity !== 'low');
    expect(f).toBeDefined();
    expect(new Set(f!.samples)).toEqual(new Set(truth.poisoned));
    expect(f!.evidence.labels).toEqual({ a: 4 });
    expect(r.exitCode).toBe(f!.severity === 'high' ? 1 : 0);
  });

  it('reads its score lines from the detector parameters set for the scan', async () => {
    const lines = { minScore: 50, highScore: 60, isolationMinScore: 50, isolationHighScore: 60, positionMinScore: 50, positionHighScore: 60 };
    const r = await scan({ dataset: join(dir, 'cb'), out: join(dir, 'cb-strict'), quiet: true, progress: silentProgress, detectors: ['trigger-cluster'], concurrency: 1, set: { 'trigger-cluster': lines } });
    expect(r.report.findings.filter((x) => x.severity !== 'low')).toEqual([]);
  });

  it('finds an 8x8 coloured patch in a corner', async () => {
    // Cells that differ in brightness: colour-only differences are smeared by JPEG 4:2:0 (see README, limits).
    const { truth, top } = await poisonAndScan('trojan', { type: 'patch', pattern: 'random', size: 8, position: 'bottom-right', margin: 2, patternSeed: 1 }, 5);
    expect(new Set(top)).toEqual(new Set(truth.poisoned));
  });

  it('finds a hue-dominated 8x8 patch at a fixed place through the per-position pass, with a large dataset\'s window budget', async () => {
    // The cells of this pattern (trojan-8x8's seed-3 pattern, missed on CIFAR-10 before the per-position pass)
    // differ more in colour than in luma (luma std 38, chroma 38/46). A budget of 2,000 windows keeps ~1% of
    // them, as 300,000 do of CIFAR-10's 50,000 images: the patch's windows fall below that cut, so only the
    // per-position pass (all windows at one place, exact isolation) finds it.
    const { truth, r } = await poisonAndScan('hue', { type: 'patch', pattern: 'random', size: 8, position: 'bottom-right', margin: 3, patternSeed: 3 }, 5);
    const fp = await readImageFingerprints(join(dir, 'hue-out', 'fingerprints.arrow'));
    const ctx = { modality: 'image' as const, ids: r.ids, labels: fp.labels, images: fp.features, seed: 1, concurrency: 1, progress: silentProgress };
    const poisoned = new Set(truth.poisoned.map((id) => r.ids.indexOf(id)));
    const run = async (positions: typeof DEFAULT_PARAMS.positions) => {
      const out = await runTriggerCluster(ctx, { ...DEFAULT_PARAMS, windowBudget: 2000, positions });
      const order = [...out.scores.keys()].sort((x, y) => out.scores[y]! - out.scores[x]!);
      const f = out.findings.find((x) => x.severity !== 'low' && x.samples.filter((i) => poisoned.has(i)).length >= 4);
      return { top: new Set(order.slice(0, 5)), f };
    };
    const on = await run(DEFAULT_PARAMS.positions);
    expect(on.top).toEqual(poisoned);
    expect(on.f?.evidence.places).toBe(1);
    const off = await run(null);
    expect(off.f).toBeUndefined();
    // The sampled screen (on by default only at places of 4,096+ windows), forced here with a sample of 64 of
    // ~450 windows per place: the same group, measured exactly.
    const screened = await run({ ...DEFAULT_PARAMS.positions!, screen: { sample: 64, minScore: 1.5 } });
    expect(screened.top).toEqual(poisoned);
    expect(new Set(screened.f?.samples)).toEqual(new Set(on.f?.samples));
    expect(screened.f?.evidence.withinDistance).toBeCloseTo(on.f!.evidence.withinDistance, 3);
  });

  it('flags nothing in the clean set', async () => {
    const r = await scan({ dataset: clean, out: join(dir, 'clean-out'), quiet: true, progress: silentProgress, detectors: ['trigger-cluster'], concurrency: 1 });
    expect(r.report.findings.filter((f) => f.severity !== 'low')).toEqual([]);
    expect(r.scores.flagged.every((x) => x === 0)).toBe(true);
  });
});

describe('inject', () => {
  it('re-encodes poisoned JPEGs at the source quality and leaves the source untouched', async () => {
    const before = await readdir(join(clean, 'b'));
    const data = join(dir, 'inj');
    const truth = await injectImageFolder({ source: clean, out: data, attack: { type: 'patch', pattern: 'square', size: 3, position: 'top-left' }, count: 3, target: 'a', seed: 1, truth: join(dir, 'inj.json') });
    expect(truth.poisoned).toHaveLength(3);
    for (const id of truth.poisoned) {
      expect(id.startsWith('a/')).toBe(true);
      const j = parseJpeg(await readFile(join(data, id)));
      expect(j?.quality).toBe(75);
      expect(j?.chroma).toBe('4:2:0');
    }
    expect(await readdir(join(clean, 'b'))).toEqual(before);
    const all = (await readdir(join(data, 'a'))).length + (await readdir(join(data, 'b'))).length + (await readdir(join(data, 'c'))).length;
    expect(all).toBe(450);
  });

  it('with link, hard-links the untouched files and never writes through a link into the source', async () => {
    const digest = async (root: string) => {
      const h = createHash('sha256');
      for (const c of ['a', 'b', 'c']) for (const f of (await readdir(join(root, c))).sort()) h.update(f).update(await readFile(join(root, c, f)));
      return h.digest('hex');
    };
    const before = await digest(clean);
    const data = join(dir, 'inj-link');
    const attack = { type: 'patch', pattern: 'square', size: 3, position: 'top-left' } as const;
    const t1 = await injectImageFolder({ source: clean, out: data, attack, count: 3, target: 'a', seed: 1, truth: join(dir, 'inj-link.json'), link: true });
    const untouched = (await readdir(join(clean, 'b')))[0]!;
    expect((await stat(join(data, 'b', untouched))).ino).toBe((await stat(join(clean, 'b', untouched))).ino);
    for (const id of t1.poisoned) expect((await stat(join(data, id))).nlink).toBe(1);
    // A second run into the same folder poisons other images: their old links are replaced, not written through.
    const t2 = await injectImageFolder({ source: clean, out: data, attack, count: 3, target: 'a', seed: 2, truth: join(dir, 'inj-link2.json'), link: true });
    expect(t2.poisoned).not.toEqual(t1.poisoned);
    expect(await digest(clean)).toBe(before);
  });
});
