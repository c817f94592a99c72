// Attack families: each seed's drawn trigger stays within its family's ranges, and the injection does what the
// family says (where pixels change, by how much, which labels the poisons carry, the file format kept).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luma, type Rgb } from '../src/attack/colours.js';
import { drawTrigger, FAMILIES, FAMILY_NAMES, type FamilyName } from '../src/attack/families.js';
import { injectImageFolder, type GroundTruth } from '../src/attack/image-inject.js';
import { applySig } from '../src/attack/patterns.js';
import { runFamilyBench } from '../src/bench/family-bench.js';
import { familyMarkdown, percentile, summariseFamilies } from '../src/bench/family-summary.js';
import { parseJpeg, sniffFormat } from '../src/fingerprint/file-facts.js';
import { listImageFolder } from '../src/ingest/imagefolder.js';
import { createRng } from '../src/util/rng.js';
import { runCli } from './fixtures/run-cli.js';
import { syntheticImage, writeSyntheticFolder } from './fixtures/synthetic-images.js';

const SIZE = 24;
let dir: string;
let png: string;
let jpg: string;
let grey: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-fam-'));
  png = join(dir, 'png');
  jpg = join(dir, 'jpg');
  grey = join(dir, 'grey');
  const rng = createRng(11);
  for (const cls of ['a', 'b', 'c']) {
    await mkdir(join(png, cls), { recursive: true });
    for (let k = 0; k < 40; k++) {
      const px = syntheticImage(rng, SIZE);
      await writeFile(join(png, cls, `${k}.png`), await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer());
    }
  }
  await writeSyntheticFolder(jpg, ['a', 'b'], 15, 4, SIZE);
  for (const cls of ['a', 'b']) {
    await mkdir(join(grey, cls), { recursive: true });
    for (let k = 0; k < 10; k++) {
      const px = syntheticImage(rng, SIZE);
      await writeFile(join(grey, cls, `${k}.png`), await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } }).toColourspace('b-w').png().toBuffer());
    }
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pixels(path: string): Promise<Uint8Array> {
  const { data } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

async function injectFamily(name: string, family: string, seed: number, o: { mode?: 'dirty' | 'clean'; count?: number; source?: string } = {}) {
  const source = o.source ?? png;
  const { samples } = await listImageFolder(source);
  const d = await drawTrigger(family, seed, samples, { mode: o.mode, count: o.count });
  const out = join(dir, name);
  const truth = await injectImageFolder({ source, out, attack: d.attack, count: d.count, target: d.target ?? undefined, mode: d.mode, seed, drawn: d.record, link: true });
  return { d, truth, out, source };
}

/** For each poisoned image: the per-pixel difference to its origin (signed, RGB). */
async function diffs(t: GroundTruth, out: string, source: string): Promise<Map<string, Int16Array>> {
  const m = new Map<string, Int16Array>();
  for (const id of t.poisoned) {
    const a = await pixels(join(source, t.origin[id]!)), b = await pixels(join(out, id));
    m.set(id, Int16Array.from(b, (v, i) => v - a[i]!));
  }
  return m;
}

function changedOutside(diff: Int16Array, box: { x: number; y: number; w: number; h: number }): number {
  let n = 0;
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
    const inside = x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h;
    for (let c = 0; c < 3; c++) if (!inside && diff[(y * SIZE + x) * 3 + c] !== 0) n++;
  }
  return n;
}

function expectLabels(t: GroundTruth, mode: 'dirty' | 'clean') {
  for (const id of t.poisoned) {
    expect(id.split('/')[0]).toBe(t.target);
    // Clean-label poisons are target images that keep their place; dirty-label ones come from other classes.
    if (mode === 'clean') expect(t.origin[id]).toBe(id);
    else expect(t.origin[id]!.split('/')[0]).not.toBe(t.target);
  }
}

describe('attack families: draws', () => {
  it('every family draws within its ranges, and the draws vary over seeds', async () => {
    const { samples } = await listImageFolder(png);
    const seen: Record<string, Set<string>> = {};
    const note = (k: string, v: unknown) => (seen[k] ??= new Set()).add(String(v));
    for (const family of FAMILY_NAMES) {
      const spec = FAMILIES[family];
      for (let seed = 1; seed <= 30; seed++) {
        const d = await drawTrigger(family, seed, samples);
        const p = d.record.params;
        expect(d.mode).toBe(spec.mode);
        note(`${family}:target`, d.target);
        const a = d.attack;
        if (spec.trigger === 'patch') {
          expect(a.type).toBe('stamp');
          if (a.type !== 'stamp') continue;
          expect(a.width).toBeGreaterThanOrEqual(3);
          expect(a.width).toBeLessThanOrEqual(8);
          expect(a.rgb).toHaveLength(a.width * a.height * 3);
          expect(a.place === 'random').toBe(spec.place === 'random');
          note(`${family}:pattern`, p.pattern);
          note(`${family}:size`, a.width);
          if (p.pattern === 'mask' || p.pattern === 'cells') {
            note(`${family}:equalLuma`, p.equalLuma);
            const colours = p.colours as Rgb[];
            expect(colours.length).toBeGreaterThanOrEqual(2);
            const l = colours.map(luma);
            if (p.equalLuma) expect(Math.max(...l) - Math.min(...l)).toBeLessThan(3);
          }
        } else if (a.type === 'blend') {
          expect(a.alpha).toBeGreaterThanOrEqual(0.05);
          expect(a.alpha).toBeLessThanOrEqual(0.2);
          note(`${family}:source`, p.source);
        } else if (a.type === 'sig') {
          expect(a.delta).toBeGreaterThanOrEqual(10);
          expect(a.delta).toBeLessThanOrEqual(40);
          expect(a.freq).toBeGreaterThanOrEqual(2);
          expect(a.freq).toBeLessThanOrEqual(12);
          note(`${family}:angle`, a.angle);
        } else if (a.type === 'additive') {
          expect(a.linf).toBeGreaterThanOrEqual(8);
          expect(a.linf).toBeLessThanOrEqual(16);
          note(`${family}:pattern`, a.pattern);
          note(`${family}:luma`, a.luma);
        }
      }
    }
    expect(seen['patch-fixed:pattern']).toEqual(new Set(['mask', 'cells', 'noise', 'crop']));
    expect(seen['patch-random:equalLuma']).toEqual(new Set(['true', 'false']));
    expect(seen['patch-fixed:size']!.size).toBeGreaterThanOrEqual(5);
    expect(seen['blend:source']).toEqual(new Set(['colour-noise', 'luma-noise', 'image']));
    expect(seen['clean-additive:pattern']).toEqual(new Set(['noise', 'smooth', 'waves']));
    expect(seen['clean-additive:luma']!.size).toBe(2);
    expect(seen['sig:angle']!.size).toBe(30);
    for (const f of FAMILY_NAMES) expect(seen[`${f}:target`]!.size).toBe(3);
    // The same seed draws the same trigger; two families at one seed do not share their draw.
    const a1 = await drawTrigger('patch-fixed', 5, samples), a2 = await drawTrigger('patch-fixed', 5, samples);
    expect(a2.attack).toEqual(a1.attack);
    expect((await drawTrigger('clean-patch', 5, samples)).attack).not.toEqual(a1.attack);
  });

  it('counts follow the family (images, or a share of the set with a floor) unless given', async () => {
    const { samples } = await listImageFolder(png);
    expect((await drawTrigger('patch-fixed', 1, samples)).count).toBe(5);
    expect((await drawTrigger('patch-random', 1, samples)).count).toBe(10);
    expect((await drawTrigger('blend', 1, samples)).count).toBe(3); // 0.5% of 120, at least 3
    expect((await drawTrigger('sig', 1, samples, { count: 7 })).count).toBe(7);
  });
});

describe('attack families: injection', () => {
  it('patch-fixed: one box at one place, pixels changed only there, relabelled to the target', async () => {
    const { truth, d, out, source } = await injectFamily('pf', 'patch-fixed', 3);
    expect(truth.poisoned).toHaveLength(5);
    expect(truth.drawn?.family).toBe('patch-fixed');
    expectLabels(truth, 'dirty');
    const boxes = new Set(Object.values(truth.positions!).map((b) => JSON.stringify(b)));
    expect(boxes.size).toBe(1);
    const a = d.attack;
    if (a.type !== 'stamp') throw new Error('a patch family draws a stamp');
    for (const [id, diff] of await diffs(truth, out, source)) {
      const box = truth.positions![id]!;
      expect(changedOutside(diff, box)).toBe(0);
      const px = await pixels(join(out, id));
      for (let y = 0; y < box.h; y++) for (let x = 0; x < box.w; x++) for (let c = 0; c < 3; c++) {
        expect(px[((box.y + y) * SIZE + box.x + x) * 3 + c]).toBe(a.rgb[(y * box.w + x) * 3 + c]);
      }
    }
  });

  it('patch-random: a place per image, pixels changed only in each image\'s box', async () => {
    const { truth, out, source } = await injectFamily('pr', 'patch-random', 4);
    expect(truth.poisoned).toHaveLength(10);
    expectLabels(truth, 'dirty');
    const places = new Set(Object.values(truth.positions!).map((b) => `${b.x},${b.y}`));
    expect(places.size).toBeGreaterThan(5);
    for (const [id, diff] of await diffs(truth, out, source)) expect(changedOutside(diff, truth.positions![id]!)).toBe(0);
  });

  it('blend: no pixel moves by more than alpha x 255, and most pixels move', async () => {
    for (const seed of [1, 2, 3]) {
      const { truth, d, out, source } = await injectFamily(`bl${seed}`, 'blend', seed, { count: 6 });
      expectLabels(truth, 'dirty');
      if (d.attack.type !== 'blend') throw new Error('blend draws a blend');
      const alpha = d.attack.alpha;
      for (const diff of (await diffs(truth, out, source)).values()) {
        expect(Math.max(...diff.map(Math.abs))).toBeLessThanOrEqual(Math.ceil(alpha * 255));
        expect(diff.filter((v) => v !== 0).length).toBeGreaterThan(diff.length / 3);
      }
    }
  });

  it('sig: the drawn sinusoid, exactly (lossless source)', async () => {
    const { truth, d, out, source } = await injectFamily('sig', 'sig', 2, { count: 4 });
    const a = d.attack;
    if (a.type !== 'sig') throw new Error('sig draws a sig');
    for (const id of truth.poisoned) {
      const want = await pixels(join(source, truth.origin[id]!));
      applySig(want, SIZE, SIZE, 3, a.delta, a.freq, a.angle, a.phase);
      expect(await pixels(join(out, id))).toEqual(want);
    }
  });

  it('clean-additive: labels kept, L-inf within the drawn budget, one pattern for every image', async () => {
    const { truth, d, out, source } = await injectFamily('ca', 'clean-additive', 6, { count: 4 });
    expect(truth.mode).toBe('clean');
    expectLabels(truth, 'clean');
    const a = d.attack;
    if (a.type !== 'additive') throw new Error('clean-additive draws an additive pattern');
    const ds = [...(await diffs(truth, out, source)).entries()];
    const origins = await Promise.all(ds.map(([id]) => pixels(join(source, truth.origin[id]!))));
    for (const [, diff] of ds) {
      expect(Math.max(...diff.map(Math.abs))).toBeLessThanOrEqual(a.linf);
      expect(Math.max(...diff.map(Math.abs))).toBeGreaterThan(a.linf / 2);
    }
    // Where no image clips, all images moved by the same amount.
    let compared = 0;
    for (let i = 0; i < ds[0]![1].length; i++) {
      if (origins.some((o) => o[i]! < a.linf || o[i]! > 255 - a.linf)) continue;
      compared++;
      if (ds.some(([, diff]) => diff[i] !== ds[0]![1][i])) throw new Error(`images moved differently at ${i}`);
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('clean-patch: target images keep their label; only the box changes', async () => {
    const { truth, out, source } = await injectFamily('cp', 'clean-patch', 8);
    expect(truth.poisoned).toHaveLength(5);
    expectLabels(truth, 'clean');
    for (const [id, diff] of await diffs(truth, out, source)) expect(changedOutside(diff, truth.positions![id]!)).toBe(0);
  });

  it('every family takes either mode', async () => {
    for (const [family, mode] of [['blend', 'clean'], ['clean-additive', 'dirty'], ['patch-random', 'clean']] as [FamilyName, 'dirty' | 'clean'][]) {
      const { truth } = await injectFamily(`mode-${family}`, family, 9, { mode, count: 3 });
      expect(truth.mode).toBe(mode);
      expectLabels(truth, mode);
    }
  });

  it('re-encodes poisons like the source: JPEG at its quality, PNG as PNG, grey as grey', async () => {
    const j = await injectFamily('fmt-jpg', 'patch-random', 1, { source: jpg, count: 4 });
    for (const id of j.truth.poisoned) {
      const b = await readFile(join(j.out, id));
      expect(sniffFormat(b)).toBe('jpeg');
      expect(parseJpeg(b)?.quality).toBe(75);
    }
    const p = await injectFamily('fmt-png', 'clean-additive', 1, { count: 3 });
    for (const id of p.truth.poisoned) expect(sniffFormat(await readFile(join(p.out, id)))).toBe('png');
    const g = await injectFamily('fmt-grey', 'patch-fixed', 2, { source: grey, count: 3 });
    for (const id of g.truth.poisoned) expect((await sharp(join(g.out, id)).metadata()).channels).toBe(1);
  });

  it('inject --family writes the drawn parameters into the ground truth; unknown families exit 2', async () => {
    const out = join(dir, 'cli');
    const r = await runCli(['inject', png, '--out', out, '--family', 'patch-random', '--seed', '12', '--count', '4', '--link']);
    expect(r.code).toBe(0);
    const t = JSON.parse(await readFile(join(out, 'poisonscan-truth.json'), 'utf8')) as GroundTruth;
    expect(t.poisoned).toHaveLength(4);
    expect(t.drawn).toMatchObject({ family: 'patch-random', seed: 12, params: { place: 'random', count: 4 } });
    expect((await runCli(['inject', png, '--out', join(dir, 'cli2'), '--family', 'nope'])).code).toBe(2);
    expect((await runCli(['bench', png, '--families', 'nope'])).code).toBe(2);
  });
});

describe('bench --families', () => {
  it('runs seed by seed over the families, decoding only the poisoned images of each seed', async () => {
    const work = join(dir, 'bench');
    const res = await runFamilyBench({ dataset: png, families: ['patch-fixed', 'clean-additive'], seeds: [1, 2], concurrency: 1, detectors: ['near-duplicate'], workDir: work });
    expect(res.clean.samples).toBe(120);
    expect(res.rows.map((r) => `${r.family}:${r.seed}`)).toEqual(['patch-fixed:1', 'clean-additive:1', 'patch-fixed:2', 'clean-additive:2']);
    for (const r of res.rows) {
      expect(r.recallAt2k).toBe(r.metrics.recallAt[String(2 * r.poisoned)]);
      const rep = JSON.parse(await readFile(join(work, `${r.family}-s${r.seed}-report`, 'report.json'), 'utf8')) as { config: { reusedFingerprints: number } };
      expect(rep.config.reusedFingerprints).toBe(120 - r.poisoned);
    }
    const md = familyMarkdown(res, '# t');
    expect(md).toContain('| patch-fixed | 2 | 5 |');
    expect(summariseFamilies(res.rows).map((s) => s.family)).toEqual(['patch-fixed', 'clean-additive']);
  });
});

describe('bench summaries', () => {
  it('the 10th percentile is a nearest rank: at least 90% of the seeds reach it', () => {
    const v = Array.from({ length: 20 }, (_, i) => i / 19);
    expect(percentile(v, 0.1)).toBe(v[1]);
    expect(percentile([0.5], 0.1)).toBe(0.5);
    expect(percentile([1, 0, 1, 1, 1, 1, 1, 1, 1, 1], 0.1)).toBe(0);
  });
});
