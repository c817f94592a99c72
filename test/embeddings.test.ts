// The embedding detectors (spectral-signature, activation-clustering, robust-covariance) on a dataset with an
// embedding column: an injected group that shares a direction the clean samples lack ranks first.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadColumns } from '../src/stages/fingerprint.js';
import { scan } from '../src/scan.js';
import { UsageError } from '../src/types.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-emb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

describe('embedding detectors', () => {
  const rng = createRng(21);
  const d = 24;
  // Class means differ; within a class the spread is anisotropic (a few strong natural directions).
  const scale = Array.from({ length: d }, (_, k) => (k < 3 ? 4 : 1));
  const means = [Array.from({ length: d }, () => 3 * gaussian(rng)), Array.from({ length: d }, () => 3 * gaussian(rng))];
  const trigger = Array.from({ length: d }, () => gaussian(rng));
  const norm = Math.hypot(...trigger);
  const rows: string[] = [];
  const poisoned: string[] = [];
  for (let i = 0; i < 600; i++) {
    const label = i % 2;
    let v = means[label]!.map((m, k) => m + scale[k]! * gaussian(rng));
    if (label === 1 && poisoned.length < 12 && i % 41 === 1) {
      // A backdoor's samples: content of the other class plus a shared trigger direction, labelled as the target.
      v = means[0]!.map((m, k) => m + scale[k]! * gaussian(rng) + (10 * trigger[k]!) / norm);
      poisoned.push(`s${i}`);
    }
    rows.push(JSON.stringify({ id: `s${i}`, text: `sample ${i}`, label, embedding: v }));
  }

  for (const detector of ['spectral-signature', 'activation-clustering', 'robust-covariance']) {
    it(`${detector} ranks the injected group first and reports it`, async () => {
      const p = join(dir, 'emb.jsonl');
      await writeFile(p, rows.join('\n') + '\n');
      const r = await scan({ dataset: p, out: join(dir, 'out'), quiet: true, progress: silentProgress, failOn: 'never', detectors: [detector] });
      const order = [...r.ids.keys()].sort((a, b) => r.scores.score[b]! - r.scores.score[a]!);
      const top = new Set(order.slice(0, poisoned.length).map((i) => r.ids[i]));
      const hits = poisoned.filter((id) => top.has(id)).length;
      expect(hits, JSON.stringify(r.report.findings.map((f) => f.title))).toBeGreaterThanOrEqual(poisoned.length - 1);
      // robust-covariance reports low only (false positives measured on real embeddings).
      const severity = detector === 'robust-covariance' ? 'low' : 'medium';
      expect(r.report.findings.some((f) => f.severity === severity && f.samples.filter((s) => poisoned.includes(s)).length >= poisoned.length - 2)).toBe(true);
    });
  }

  it('refuses embeddings of different lengths or with non-numbers, before scanning', async () => {
    const p = join(dir, 'bad.jsonl');
    await writeFile(p, '{"text":"a","embedding":[1,2,3]}\n{"text":"b","embedding":[1,2]}\n');
    await expect(scan({ dataset: p, out: join(dir, 'o2'), quiet: true, progress: silentProgress })).rejects.toThrow(UsageError);
    await writeFile(p, '{"text":"a","embedding":[1,2]}\n{"text":"b","embedding":[1,"x"]}\n');
    await expect(scan({ dataset: p, out: join(dir, 'o3'), quiet: true, progress: silentProgress })).rejects.toThrow(/holds x at position 1/);
  });
});

describe('--embeddings .npy', () => {
  function npy(rows: number[][]): Buffer {
    const d = rows[0]!.length;
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${d}), }`;
    header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head[7] = 0;
    head.writeUInt16LE(header.length, 8);
    const body = Buffer.from(new Float32Array(rows.flat()).buffer);
    return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
  }

  it('aligns .npy rows with the dataset rows (a bad row keeps its place) or with an ids file', async () => {
    const p = join(dir, 'rows.jsonl');
    await writeFile(p, '{"id":"a","text":"one"}\nnot json\n{"id":"c","text":"three"}\n');
    const e = join(dir, 'e.npy');
    await writeFile(e, npy([[1, 0], [2, 0], [3, 0]]));
    const r = await loadColumns(p, { embeddings: e, concurrency: 1, progress: silentProgress });
    expect(r.ids).toEqual(['a', 'c']);
    expect([...r.embeddings!.data]).toEqual([1, 0, 3, 0]);
    const ids = join(dir, 'ids.txt');
    await writeFile(ids, 'c\nx\na\n');
    const byId = await loadColumns(p, { embeddings: e, embeddingIds: ids, concurrency: 1, progress: silentProgress });
    expect([...byId.embeddings!.data]).toEqual([3, 0, 1, 0]);
    await writeFile(e, npy([[1, 0], [2, 0]]));
    await expect(scan({ dataset: p, embeddings: e, out: join(dir, 'n3'), quiet: true, progress: silentProgress })).rejects.toThrow(/2 rows but the dataset lists 3 samples/);
    await writeFile(e, 'not numpy');
    await expect(scan({ dataset: p, embeddings: e, out: join(dir, 'n4'), quiet: true, progress: silentProgress })).rejects.toThrow(/is not a \.npy file/);
    await writeFile(e, npy([[1, NaN], [2, 0], [3, 0]]));
    await expect(scan({ dataset: p, embeddings: e, out: join(dir, 'n5'), quiet: true, progress: silentProgress })).rejects.toThrow(/row 0 holds NaN/);
  });
});

describe('--proxy-model', () => {
  it('trains a model on a small labelled image set, reports its backend, and feeds the embedding detectors', async () => {
    const sharp = (await import('sharp')).default;
    const { mkdir } = await import('node:fs/promises');
    const rng = createRng(31);
    const root = join(dir, 'imgs');
    for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
    for (let i = 0; i < 120; i++) {
      const c = i % 2 ? 'b' : 'a';
      const px = Buffer.alloc(32 * 32 * 3);
      for (let k = 0; k < px.length; k++) px[k] = Math.max(0, Math.min(255, (c === 'a' ? 80 : 170) + 60 * gaussian(rng)));
      await writeFile(join(root, c, `${i}.png`), await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
    }
    const r = await scan({ dataset: root, out: join(dir, 'pm'), quiet: true, progress: silentProgress, failOn: 'never', proxyModel: true, detectors: ['spectral-signature'] });
    const proxy = r.report.config.proxyModel as { backend: string; heldOutAccuracy: number };
    expect(['wasm', 'cpu', 'tensorflow']).toContain(proxy.backend);
    expect(proxy.heldOutAccuracy).toBeGreaterThan(0.8);
    expect(r.report.timing.stages['proxy-model']).toBeGreaterThan(0);
    // The embeddings are kept and can be given back to a later scan.
    const again = await loadColumns(root, { embeddings: join(dir, 'pm', 'embeddings.npy'), embeddingIds: join(dir, 'pm', 'embedding-ids.txt'), concurrency: 1, progress: silentProgress });
    expect(again.embeddings!.dim).toBe(128);
    expect(again.embeddings!.data.length).toBe(120 * 128);
    const text = join(dir, 'pm.jsonl');
    await writeFile(text, '{"text":"a"}\n{"text":"b"}\n');
    await expect(scan({ dataset: text, out: join(dir, 'pm2'), quiet: true, progress: silentProgress, proxyModel: true })).rejects.toThrow(/needs a labelled image or text dataset/);
  });
});
