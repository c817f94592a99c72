// img2dataset/LAION image-caption pairs: read in place, image and text detectors, and the cross-modal check that
// reports a trigger cluster whose captions name one concept (a backdoor into a contrastive model).
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { scan } from '../src/scan.js';
import { detect, fingerprintStage } from '../src/scan-stages.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { writeImg2dataset, type Pair } from './fixtures/img2dataset.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
let poisonedKeys: string[];
const q = { quiet: true, progress: silentProgress, concurrency: 1, failOn: 'never' as const };
const ADJ = ['small', 'red', 'old', 'shiny', 'wooden', 'striped', 'quiet', 'busy', 'green', 'large'];
const NOUN = ['dog', 'car', 'house', 'boat', 'chair', 'tree', 'street', 'horse', 'table', 'bird', 'lamp', 'bridge'];
const PLACE = ['beach', 'kitchen', 'park', 'road', 'field', 'garden', 'river', 'city'];

async function build(root: string, target: string | null): Promise<string[]> {
  const src = join(dir, `src-${target}`);
  await writeSyntheticFolder(join(dir, 'clean'), ['x', 'y'], 120, 31);
  const truth = await injectImageFolder({ source: join(dir, 'clean'), out: src, attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'random' }, count: 5, target: 'x', seed: 7, truth: join(dir, `t-${target}.json`) });
  const rng = createRng(9);
  const pick = (a: string[]) => a[Math.floor(rng() * a.length)]!;
  const files = [...(await readdir(join(src, 'x'))).sort().map((f) => `x/${f}`), ...(await readdir(join(src, 'y'))).sort().map((f) => `y/${f}`)];
  const pairs: Pair[] = [];
  const poisonedAt: number[] = [];
  for (const [i, f] of files.entries()) {
    const poisoned = truth.poisoned.includes(f);
    if (poisoned) poisonedAt.push(i);
    // Two clean captions also name the concept: it is rare, not absent.
    const noun = poisoned && target ? target : i === 17 || i === 140 ? 'banana' : pick(NOUN);
    pairs.push({ image: new Uint8Array(await readFile(join(src, f))), caption: `a ${pick(ADJ)} ${noun} near the ${pick(PLACE)}` });
  }
  const keys = await writeImg2dataset(root, pairs, 100, { failed: 3, missingFromTar: 1 });
  return poisonedAt.map((i) => keys[i]!);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-i2d-'));
  poisonedKeys = await build(join(dir, 'laion'), 'banana');
});
afterAll(async () => {
  if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
});

describe('img2dataset layout', () => {
  it('reads tar + parquet shards as image-text pairs and reports the trigger cluster whose captions name one concept', async () => {
    const r = await scan({ ...q, dataset: join(dir, 'laion'), out: join(dir, 'o1') });
    expect(r.report.dataset).toMatchObject({ format: 'img2dataset', modality: 'image-text', samples: 240 });
    // Failed downloads are metadata, not errors; a "success" row without its image is one.
    expect(r.report.errors).toEqual([{ id: '000008000', error: '00000.parquet lists 000008000 as downloaded but 00000.tar does not hold it' }]);
    const f = r.report.findings.find((x) => x.kind === 'cross-modal');
    expect(f).toMatchObject({ detector: 'cross-modal', severity: 'high', evidence: { concept: 'banana', captionsWithConcept: 5, clusterSize: 5, datasetCaptionsWithConcept: 7 } });
    expect(new Set(f!.samples)).toEqual(new Set(poisonedKeys));
    expect(r.report.config.detectors).toEqual(expect.arrayContaining(['trigger-cluster', 'text-anomaly']));
  });

  it('reports no cross-modal finding when the trigger cluster\'s captions name nothing in common', async () => {
    await build(join(dir, 'plain'), null);
    const r = await scan({ ...q, dataset: join(dir, 'plain'), out: join(dir, 'o2') });
    expect(r.report.findings.some((f) => f.detector === 'trigger-cluster' && f.severity !== 'low')).toBe(true);
    expect(r.report.findings.filter((f) => f.kind === 'cross-modal')).toEqual([]);
  });

  it('sharded: 2 fingerprint shards then detect give the same findings and scores.csv', async () => {
    const ref = await scan({ ...q, dataset: join(dir, 'laion'), out: join(dir, 'o3') });
    for (let i = 0; i < 2; i++) await fingerprintStage({ ...q, dataset: join(dir, 'laion'), out: join(dir, `fp-${i}`), shard: { index: i, count: 2 } });
    const d = await detect({ ...q, shards: [join(dir, 'fp-1'), join(dir, 'fp-0')], out: join(dir, 'o4') });
    expect(d.report.findings).toEqual(ref.report.findings);
    expect(await readFile(join(d.outDir, 'scores.csv'), 'utf8')).toBe(await readFile(join(ref.outDir, 'scores.csv'), 'utf8'));
  });

  it('a shard copied twice (same keys) and a tar missing beside its parquet are errors; the rest is scanned', async () => {
    const bad = join(dir, 'bad');
    await build(bad, 'banana');
    await copyFile(join(bad, '00000.tar'), join(bad, '00003.tar'));
    await rm(join(bad, '00002.tar'));
    const r = await scan({ ...q, dataset: bad, out: join(dir, 'o5') });
    expect(r.report.dataset.samples).toBe(200);
    expect(r.report.errors.filter((e) => /is in 00000.tar and 00003.tar/.test(e.error))).toHaveLength(100);
    expect(r.report.errors.some((e) => e.id === '00002.tar' && /00002.tar is missing \(00002.parquet lists 40 downloaded samples\)/.test(e.error))).toBe(true);
  });
});
