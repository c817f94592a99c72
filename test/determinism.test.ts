// Seeded and deterministic: the shared k-NN index above its brute-force threshold (usearch HNSW) and the image
// proxy model's embeddings (cpu backend, as the issue asks) are identical on two runs.
process.env.POISONSCAN_TF_BACKEND = 'cpu';
import { describe, expect, it } from 'vitest';
import { buildKnn } from '../src/embed/knn.js';
import { proxyEmbeddings } from '../src/embed/proxy-model.js';
import type { ImageFeatures } from '../src/model/image-features.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

describe('k-NN index', () => {
  it('usearch (above the threshold) gives the same neighbours and distances on two builds', () => {
    const rng = createRng(21);
    const n = 2_000;
    const d = 16;
    const pts = Float32Array.from({ length: n * d }, () => rng() - 0.5);
    const a = buildKnn(pts, d, { bruteMax: 500 });
    const b = buildKnn(pts, d, { bruteMax: 500 });
    // usearch may be absent on an unusual platform: then brute force runs, which is deterministic anyway.
    if (a.backend !== 'usearch') expect(a.note).toMatch(/usearch did not load/);
    const x = a.search(pts, 10);
    const y = b.search(pts, 10);
    expect(Buffer.from(y.ids.buffer).equals(Buffer.from(x.ids.buffer))).toBe(true);
    expect(Buffer.from(y.dist.buffer).equals(Buffer.from(x.dist.buffer))).toBe(true);
    expect(x.ids[0]).toBe(0);
  });
});

describe('image proxy model', () => {
  it('gives bit-identical embeddings for the same seed, other ones for another seed', async () => {
    const rng = createRng(5);
    const n = 80;
    const grid = 8;
    const labels: string[] = [];
    const pixels = new Uint8Array(n * grid * grid * 3);
    for (let i = 0; i < n; i++) {
      labels.push(i % 2 ? 'b' : 'a');
      for (let k = 0; k < grid * grid * 3; k++) pixels[i * grid * grid * 3 + k] = Math.floor((i % 2 ? 150 : 90) + 80 * (rng() - 0.5));
    }
    // The proxy model reads only the working-grid pixels.
    const images = { grid, pixels } as ImageFeatures;
    const a = await proxyEmbeddings(images, labels, 1, silentProgress);
    const b = await proxyEmbeddings(images, labels, 1, silentProgress);
    const c = await proxyEmbeddings(images, labels, 2, silentProgress);
    expect(a.backend).toBe('cpu');
    expect(a.embeddings.data.length).toBe(n * 128);
    expect(Buffer.from(b.embeddings.data.buffer).equals(Buffer.from(a.embeddings.data.buffer))).toBe(true);
    expect(Buffer.from(c.embeddings.data.buffer).equals(Buffer.from(a.embeddings.data.buffer))).toBe(false);
  });
});
