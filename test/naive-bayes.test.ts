import { describe, expect, it } from 'vitest';
import { CrossFitted } from '../src/text/naive-bayes.js';
import { groupBySource } from '../src/text/source-groups.js';
import { createRng, randInt } from '../src/util/rng.js';

describe('CrossFitted.posteriorWithout', () => {
  it('gives the posterior of the document with the masked tokens (and the bigrams touching them) left out', () => {
    const rng = createRng(3);
    const V = 40;
    const docs = Array.from({ length: 120 }, () => Int32Array.from({ length: 3 + randInt(rng, 30) }, () => randInt(rng, V)));
    const labels = Int32Array.from(docs, (d, i) => (i % 7 === 0 ? -1 : (d[0]! + d[1]!) % 3));
    const models = new CrossFitted(docs, labels, 3, V);
    const a = new Float64Array(3);
    const b = new Float64Array(3);
    for (let i = 0; i < docs.length; i++) {
      const mask = Uint8Array.from(docs[i]!, () => (rng() < 0.2 ? 1 : 0));
      models.posterior(i, mask, a);
      models.posteriorWithout(i, mask, b);
      for (let l = 0; l < 3; l++) expect(b[l]).toBeCloseTo(a[l]!, 9);
    }
  });
});

describe('groupBySource', () => {
  it('joins documents sharing half the bigrams of the smaller one, across the masked unit', () => {
    const docs = [
      Int32Array.from([1, 2, 3, 4, 5, 6]),
      Int32Array.from([1, 2, 3, 9, 4, 5, 6]), // the same with unit 9 inside: masked, it reads as document 0
      Int32Array.from([7, 8, 10, 11, 12]),
      Int32Array.from([1, 2, 20, 21, 22, 23, 24]),
    ];
    const masks = docs.map((d) => Uint8Array.from(d, (w) => (w === 9 ? 1 : 0)));
    const g = groupBySource([0, 1, 2, 3], masks, docs);
    expect(g[0]).toBe(g[1]);
    expect(new Set(g).size).toBe(3);
  });
});
