// label-conflict (confident learning on out-of-fold kNN probabilities) and the shared k-NN index.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKnn } from '../src/embed/knn.js';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-lc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** 3 classes x 200 in 16-d, some overlap; `poisons` samples of class 0's content labelled class 2. */
function dataset(seed: number, poisons: number): { rows: string[]; poisoned: string[] } {
  const rng = createRng(seed);
  const d = 16;
  const means = [0, 1, 2].map(() => Array.from({ length: d }, () => 1.2 * gaussian(rng)));
  const rows: string[] = [];
  const poisoned: string[] = [];
  for (let i = 0; i < 600; i++) {
    let label = i % 3;
    let v = means[label]!.map((m) => m + gaussian(rng));
    if (label === 2 && poisoned.length < poisons && i % 7 === 2) {
      v = means[0]!.map((m) => m + gaussian(rng));
      poisoned.push(`s${i}`);
    }
    rows.push(JSON.stringify({ id: `s${i}`, text: `sample ${i}`, label: ['cat', 'dog', 'ship'][label], embedding: v }));
    label = 0;
  }
  return { rows, poisoned };
}

describe('label-conflict', () => {
  it('ranks dirty-label samples (content of another class) first and reports their class', async () => {
    const { rows, poisoned } = dataset(3, 12);
    const p = join(dir, 'lc.jsonl');
    await writeFile(p, rows.join('\n') + '\n');
    const r = await scan({ dataset: p, out: join(dir, 'o'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['label-conflict'] });
    const order = [...r.ids.keys()].sort((a, b) => r.scores.score[b]! - r.scores.score[a]!);
    const top = new Set(order.slice(0, poisoned.length).map((i) => r.ids[i]));
    expect(poisoned.filter((id) => top.has(id)).length).toBeGreaterThanOrEqual(poisoned.length - 1);
    const f = r.report.findings.find((x) => x.kind === 'label-conflict');
    expect(f?.severity).toBe('medium');
    expect(f?.evidence.class).toBe('ship');
    expect(f?.evidence.lookLike).toMatchObject({ cat: expect.any(Number) });
    expect(f!.samples.filter((s) => poisoned.includes(s)).length).toBeGreaterThanOrEqual(poisoned.length - 1);
    // Seeded: the same scan gives the same scores.
    const again = await scan({ dataset: p, out: join(dir, 'o2'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['label-conflict'] });
    expect([...again.scores.score]).toEqual([...r.scores.score]);
  });

  it('reports nothing on clean data (ordinary overlap spreads over all classes)', async () => {
    const { rows } = dataset(4, 0);
    const p = join(dir, 'clean.jsonl');
    await writeFile(p, rows.join('\n') + '\n');
    const r = await scan({ dataset: p, out: join(dir, 'c'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['label-conflict'] });
    expect(r.report.findings).toEqual([]);
  });
});

/**
 * 10 classes x 150 in 16-d, in five look-alike pairs of growing closeness: the closer pairs confuse each other
 * far more than the rest (as cat and dog do); `poisons` samples labelled c5 hold c0's content.
 */
function unevenClasses(seed: number, poisons: number): { rows: string[]; poisoned: string[] } {
  const rng = createRng(seed);
  const d = 16;
  const unit = () => {
    const v = Array.from({ length: d }, () => gaussian(rng));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const means: number[][] = [];
  for (let pair = 0; pair < 5; pair++) {
    const centre = Array.from({ length: d }, () => 3 * gaussian(rng));
    const u = unit();
    const half = 1.6 - 0.3 * pair;
    means.push(centre.map((c, k) => c + half * u[k]!), centre.map((c, k) => c - half * u[k]!));
  }
  const rows: string[] = [];
  const poisoned: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const label = i % 10;
    const source = label === 5 && poisoned.length < poisons ? 0 : label;
    if (source !== label) poisoned.push(`s${i}`);
    const v = means[source]!.map((m) => m + 0.6 * gaussian(rng));
    rows.push(JSON.stringify({ id: `s${i}`, text: `sample ${i}`, label: `c${label}`, embedding: v }));
  }
  return { rows, poisoned };
}

describe('label-conflict across classes of uneven difficulty', () => {
  it('does not report look-alike classes of a clean set, and still reports a class holding the content of another', async () => {
    const clean = join(dir, 'uneven.jsonl');
    await writeFile(clean, unevenClasses(5, 0).rows.join('\n') + '\n');
    const r = await scan({ dataset: clean, out: join(dir, 'u'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['label-conflict'] });
    expect(r.report.findings).toEqual([]);
    const { rows, poisoned } = unevenClasses(5, 40);
    const p = join(dir, 'uneven-poisoned.jsonl');
    await writeFile(p, rows.join('\n') + '\n');
    const q = await scan({ dataset: p, out: join(dir, 'up'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['label-conflict'] });
    const f = q.report.findings.find((x) => x.kind === 'label-conflict');
    expect(f?.evidence.class).toBe('c5');
    expect(f!.samples.filter((s) => poisoned.includes(s)).length).toBeGreaterThanOrEqual(30);
  });
});

describe('label-conflict with two classes of very different sizes', () => {
  it('reports the small class holding the large class content, although the large class sends many of its own to it', async () => {
    const rng = createRng(9);
    const d = 8;
    const a = Array.from({ length: d }, () => 0);
    const b = Array.from({ length: d }, (_, k) => (k === 0 ? 4 : 0));
    const rows: string[] = [];
    const poisoned: string[] = [];
    const add = (id: string, label: string, mean: number[]) => rows.push(JSON.stringify({ id, text: id, label, embedding: mean.map((m) => m + 0.7 * gaussian(rng)) }));
    // 2,000 of A, 60 of them sitting where B is; 300 of B plus 40 labelled B that look like A.
    for (let i = 0; i < 2000; i++) add(`a${i}`, 'A', i < 60 ? b : a);
    for (let i = 0; i < 300; i++) add(`b${i}`, 'B', b);
    for (let i = 0; i < 40; i++) {
      add(`p${i}`, 'B', a);
      poisoned.push(`p${i}`);
    }
    const p = join(dir, 'imbalanced.jsonl');
    await writeFile(p, rows.join('\n') + '\n');
    const r = await scan({ dataset: p, out: join(dir, 'imb'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['label-conflict'] });
    const f = r.report.findings.find((x) => x.kind === 'label-conflict' && x.evidence.class === 'B');
    expect(f).toBeDefined();
    expect(f!.samples.filter((s) => poisoned.includes(s)).length).toBeGreaterThanOrEqual(35);
  });
});

describe('k-NN index', () => {
  it('brute force is exact; usearch (HNSW) finds nearly the same neighbours', () => {
    const rng = createRng(8);
    const n = 800;
    const d = 8;
    const pts = Float32Array.from({ length: n * d }, () => gaussian(rng));
    const brute = buildKnn(pts, d);
    expect(brute.backend).toBe('brute');
    const nb = brute.search(pts.subarray(0, 10 * d), 5);
    for (let q = 0; q < 10; q++) {
      const dist = Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let t = 0; t < d; t++) s += (pts[q * d + t]! - pts[j * d + t]!) ** 2;
        return s;
      });
      const want = [...dist.keys()].sort((a, b) => dist[a]! - dist[b]! || a - b).slice(0, 5);
      expect([...nb.ids.subarray(q * 5, q * 5 + 5)]).toEqual(want);
      expect(nb.ids[q * 5]).toBe(q);
    }
    const u = buildKnn(pts, d, { backend: 'usearch' });
    const all = u.search(pts, 5);
    const exact = brute.search(pts, 5);
    let hit = 0;
    for (let q = 0; q < n; q++) {
      const s = new Set(exact.ids.subarray(q * 5, q * 5 + 5));
      for (let j = 0; j < 5; j++) if (s.has(all.ids[q * 5 + j]!)) hit++;
    }
    // usearch may be absent on an unusual platform: then buildKnn falls back to brute force with a note.
    if (u.backend === 'usearch') expect(hit / (n * 5)).toBeGreaterThan(0.95);
    else expect(u.note).toMatch(/usearch did not load/);
  });
});
