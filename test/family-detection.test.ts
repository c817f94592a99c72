// Detection per attack family: a small synthetic set, a freshly drawn trigger, a full scan; the poisons must be
// found as a group (most of them in one medium/high finding and among the top scores). Cases the detectors miss
// today are skipped with what is missed, to be un-skipped as the detectors learn them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawTrigger } from '../src/attack/families.js';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { evaluate } from '../src/bench/metrics.js';
import { listImageFolder } from '../src/ingest/imagefolder.js';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
let clean: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-famdet-'));
  clean = join(dir, 'clean');
  await writeSyntheticFolder(clean, ['a', 'b', 'c'], 100, 31);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function found(family: string, seed: number, count?: number) {
  const { samples } = await listImageFolder(clean);
  const d = await drawTrigger(family, seed, samples, { count });
  const data = join(dir, `${family}-${seed}`);
  const truth = await injectImageFolder({ source: clean, out: data, attack: d.attack, count: d.count, target: d.target ?? undefined, mode: d.mode, seed, link: true, truth: join(dir, `${family}-${seed}.json`) });
  const r = await scan({ dataset: data, out: join(dir, `${family}-${seed}-out`), quiet: true, progress: silentProgress, concurrency: 2, failOn: 'never' });
  const poisoned = new Set(truth.poisoned);
  const k2 = 2 * poisoned.size;
  const m = evaluate(r.ids, r.scores.score, r.scores.flagged, poisoned, [k2]);
  const best = Math.max(0, ...r.report.findings.filter((f) => f.severity !== 'low').map((f) => f.samples.filter((s) => poisoned.has(s)).length));
  return { recall: m.recallAt[String(k2)]!, groupShare: best / poisoned.size };
}

/** Most poisons among the 2k top scores and in one medium/high finding. */
function expectFound(r: { recall: number; groupShare: number }) {
  expect(r.recall).toBeGreaterThanOrEqual(0.8);
  expect(r.groupShare).toBeGreaterThanOrEqual(0.8);
}

describe('family detection (300 synthetic JPEGs)', () => {
  // Missed: a 6 px two-colour mask of equal luma at one place (poisons rank 121-254, no finding).
  it.skip('patch-fixed: a drawn patch at one place on 5 images', async () => {
    expectFound(await found('patch-fixed', 1));
  });

  // Missed: 5 px cells of three equal-luma colours at random places (no poison in the top 20, no finding).
  it.skip('patch-random: a drawn patch at a random place on 10 images', async () => {
    expectFound(await found('patch-random', 1));
  });

  // Missed: another image blended at alpha 0.075 (recall@40 0.15, no finding).
  it.skip('blend: a drawn pattern blended into 20 images', async () => {
    expectFound(await found('blend', 1, 20));
  });

  it('sig: a drawn sinusoid on 20 images', async () => {
    expectFound(await found('sig', 1, 20));
  });

  // Missed: luma noise of L-inf 8/255 on target images that keep their label (poisons rank 45-300).
  it.skip('clean-additive: a drawn additive pattern on 5 target images that keep their label', async () => {
    expectFound(await found('clean-additive', 1, 5));
  });

  it('clean-patch: a drawn patch at one place on 5 target images that keep their label', async () => {
    expectFound(await found('clean-patch', 1));
  });
});
