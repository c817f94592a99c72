// Fingerprint storage at scale: fingerprints.arrow written batch by batch reads back as the same columns, and
// trigger-cluster's memory bounds (pixels read in place, the per-position pass in chunks of places) change nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { DEFAULT_PARAMS, runTriggerCluster } from '../src/detect/trigger-cluster.js';
import { scan } from '../src/scan.js';
import { readImageFingerprints, writeImageFingerprints } from '../src/store/image-fingerprints.js';
import { isShared } from '../src/util/shared-bytes.js';
import { silentProgress } from '../src/util/progress.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
let data: string;
let truth: { poisoned: string[] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-store-'));
  await writeSyntheticFolder(join(dir, 'clean'), ['a', 'b', 'c'], 100, 5);
  data = join(dir, 'data');
  truth = await injectImageFolder({
    source: join(dir, 'clean'), out: data, attack: { type: 'patch', pattern: 'checkerboard', size: 4, position: 'bottom-right', margin: 1 },
    count: 5, target: 'a', seed: 2, truth: join(dir, 'truth.json'),
  });
  await scan({ dataset: data, out: join(dir, 'out'), quiet: true, progress: silentProgress, detectors: ['trigger-cluster'], concurrency: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fingerprint store', () => {
  it('writes fingerprints.arrow in record batches that read back as the same columns, pixels in shared memory', async () => {
    const one = await readImageFingerprints(join(dir, 'out', 'fingerprints.arrow'));
    expect(isShared(one.features.pixels)).toBe(true);
    const path = join(dir, 'batched.arrow');
    await writeImageFingerprints(path, one.ids, one.labels, one.features, 70);
    const back = await readImageFingerprints(path);
    expect(back.ids).toEqual(one.ids);
    expect(back.labels).toEqual(one.labels);
    expect(back.features.grid).toBe(one.features.grid);
    expect(Buffer.from(back.features.pixels).equals(Buffer.from(one.features.pixels))).toBe(true);
    expect(back.features.phash).toEqual(one.features.phash);
    expect(back.features.stats.brightness).toEqual(one.features.stats.brightness);
    expect(back.features.file.sha256).toEqual(one.features.file.sha256);
  });

  it('gives the same trigger-cluster result when the per-position pass holds one place at a time', async () => {
    const fp = await readImageFingerprints(join(dir, 'out', 'fingerprints.arrow'));
    const ctx = { modality: 'image' as const, ids: fp.ids, labels: fp.labels, images: fp.features, seed: 1, concurrency: 1, progress: silentProgress };
    const whole = await runTriggerCluster(ctx, DEFAULT_PARAMS);
    const dim = DEFAULT_PARAMS.positions!.size ** 2;
    const chunked = await runTriggerCluster(ctx, { ...DEFAULT_PARAMS, positions: { ...DEFAULT_PARAMS.positions!, vectorBudget: fp.ids.length * dim } });
    expect(Array.from(chunked.scores)).toEqual(Array.from(whole.scores));
    expect(JSON.stringify(chunked.findings)).toEqual(JSON.stringify(whole.findings));
    const poisoned = new Set(truth.poisoned.map((id) => fp.ids.indexOf(id)));
    const order = [...whole.scores.keys()].sort((x, y) => whole.scores[y]! - whole.scores[x]!);
    expect(new Set(order.slice(0, 5))).toEqual(poisoned);
  });
});
