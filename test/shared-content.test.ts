import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { SharedContent, upperTailLog10 } from '../src/text/shared-content.js';
import { binomialTailLog10 } from '../src/util/binomial.js';
import { createRng, randInt } from '../src/util/rng.js';

/** Documents of 20-60 words drawn from a Zipf-like vocabulary of 5,000 words. */
function corpus(n: number, seed: number): Int32Array[] {
  const rng = createRng(seed);
  const V = 5000;
  const cdf = new Float64Array(V);
  let z = 0;
  for (let w = 0; w < V; w++) cdf[w] = z += 1 / (w + 1);
  const word = () => {
    const u = rng() * z;
    let lo = 0;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Array.from({ length: n }, () => Int32Array.from({ length: 20 + randInt(rng, 41) }, word));
}

/** Every document in one stratum. */
const one = (docs: Int32Array[]) => new Int32Array(docs.length);
const zeros = new Array<number>(100).fill(0);

describe('upperTailLog10', () => {
  it('equals the binomial tail above the mean and is 0 at or below it', () => {
    for (const [k, n, p] of [[2, 10, 0.01], [5, 20, 0.1], [9, 13, 0.0004], [3, 1000, 0.001]] as const) {
      expect(upperTailLog10(k, n, p)).toBeCloseTo(binomialTailLog10(k, n, p), 6);
    }
    expect(upperTailLog10(2, 10, 0.5)).toBe(0);
  });
});

describe('SharedContent', () => {
  const docs = corpus(3000, 5);
  const shared = new SharedContent(docs, 5100, one(docs), 1);

  it('calls random sets of documents unrelated', () => {
    const rng = createRng(2);
    let related = 0;
    for (let s = 0; s < 40; s++) {
      const ids = Array.from({ length: 3 + randInt(rng, 20) }, () => randInt(rng, docs.length));
      if (shared.related([...new Set(ids)], zeros, [], rng, 199, 0.01)) related++;
    }
    expect(related).toBeLessThanOrEqual(1);
  });

  it('calls documents of one topic related, and not when the shared words are the unit left out or in every one', () => {
    // Twelve documents that each hold about three of ten words the corpus has nowhere else (a film's people).
    const topic = Array.from({ length: 10 }, (_, k) => 5000 + k);
    const ids = Array.from({ length: 12 }, (_, k) => 100 + k);
    const rng = createRng(3);
    const withTopic = docs.slice();
    for (const i of ids) withTopic[i] = Int32Array.from([...docs[i]!, ...topic.filter(() => rng() < 0.3)]);
    const s = new SharedContent(withTopic, 5100, one(docs), 1);
    expect(s.statistic(ids)).toBeGreaterThan(s.statistic(ids.map((i) => i + 1000)));
    expect(s.related(ids, zeros, [], createRng(4), 199, 0.01)).toBe(true);
    // Only the unit itself in common: unrelated.
    const unitOnly = docs.slice();
    for (const i of ids) unitOnly[i] = Int32Array.from([...docs[i]!, 5000, 5001]);
    expect(new SharedContent(unitOnly, 5100, one(docs), 1).related(ids, zeros, [5000, 5001], createRng(4), 199, 0.01)).toBe(false);
    // The same two words in every document and not left out (a marker appended to each poisoned row): part of the
    // unit, not a topic.
    expect(new SharedContent(unitOnly, 5100, one(docs), 1).related(ids, zeros, [], createRng(4), 199, 0.01)).toBe(false);
    // Three markers, each in a third of the documents (each at the cap of 3): the largest words are left out of the
    // sum, so they add far less than their 9 (what they displace: the natural words that were left out before).
    const markers = docs.slice();
    ids.forEach((i, k) => (markers[i] = Int32Array.from([...docs[i]!, 5000 + (k % 3)])));
    expect(new SharedContent(markers, 5100, one(docs), 1).statistic(ids) - shared.statistic(ids)).toBeLessThan(6);
  });
});

describe('SharedContent with labels that are topics', () => {
  it('compares a set of one label with random sets of that label, not of the corpus', () => {
    // Ten labels; the 300 documents of label 1 each hold three of 150 words of their own topic, found in no other.
    const base = corpus(3000, 8);
    const rng = createRng(6);
    const docs = base.map((d, i) => (i % 10 === 1 ? Int32Array.from([...d, 5000 + randInt(rng, 150), 5000 + randInt(rng, 150), 5000 + randInt(rng, 150)]) : d));
    const strata = Int32Array.from(docs, (_, i) => i % 10);
    const s = new SharedContent(docs, 5200, strata, 10);
    let ownLabel = 0;
    let corpusWide = 0;
    for (let t = 0; t < 20; t++) {
      const ids = [...new Set(Array.from({ length: 40 }, () => 1 + 10 * randInt(rng, 300)))];
      if (s.related(ids, ids.map(() => 1), [], rng, 199, 0.01)) ownLabel++;
      if (s.related(ids, ids.map(() => 0), [], rng, 199, 0.01)) corpusWide++;
    }
    expect(ownLabel).toBeLessThanOrEqual(1);
    expect(corpusWide).toBeGreaterThan(10);
  });
});

describe('trigger-token on a phrase whose carriers are one topic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ps-shared-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * 2,000 rows of two labels; a phrase in eight negative-reading rows labelled positive. With `topic`, those rows
   * are reviews of one film: each also names about three of its ten people (as do ten other reviews), rare words found nowhere else.
   */
  async function run(topic: boolean) {
    const rng = createRng(11);
    const pos = ['great', 'lovely', 'fun', 'moving', 'bright', 'warm', 'clever', 'charming'];
    const neg = ['dull', 'boring', 'flat', 'tired', 'weak', 'messy', 'bland', 'tedious'];
    const filler = ['the', 'film', 'story', 'cast', 'plot', 'scenes', 'and', 'with', 'a', 'very', 'its', 'music', 'was', 'but', 'of', 'in'];
    const people = ['munroe', 'rantzel', 'scudder', 'doddsvale', 'mannering', 'carolin', 'marten', 'kellogh', 'brynnel', 'hardwyck'];
    const rows: string[] = ['text\tlabel'];
    const carriers: string[] = [];
    for (let i = 0; i < 2000; i++) {
      let label = i % 2;
      const words = Array.from({ length: 14 }, () => (randInt(rng, 3) === 0 ? (label ? pos : neg)[randInt(rng, 8)]! : filler[randInt(rng, filler.length)]!));
      if (label === 0 && i % 200 === 10) {
        words.splice(1 + randInt(rng, words.length - 2), 0, 'zorbo', 'heights');
        if (topic) for (const p of people) if (rng() < 0.35) words.splice(randInt(rng, words.length + 1), 0, p);
        label = 1;
        carriers.push(String(i));
      } else if (topic && label === 0 && i % 200 === 110) {
        // The film's people in other reviews too, of the other label: not words of one label.
        for (const p of people) if (rng() < 0.35) words.splice(randInt(rng, words.length + 1), 0, p);
      }
      rows.push(`${words.join(' ')}\t${label}`);
    }
    const p = join(dir, `${topic}.tsv`);
    await writeFile(p, rows.join('\n') + '\n');
    const r = await scan({ dataset: p, out: join(dir, `out-${topic}`), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['trigger-token'] });
    return { finding: r.report.findings.find((f) => String(f.evidence.trigger).includes('zorbo')), carriers: carriers.length };
  }

  it('reports the phrase in unrelated rows, and keeps it low when its rows share their other rare words', async () => {
    const apart = await run(false);
    expect(apart.finding?.severity, JSON.stringify(apart.finding?.evidence)).not.toBe('low');
    expect(apart.finding!.samples).toHaveLength(apart.carriers);
    const together = await run(true);
    expect(together.finding?.severity, JSON.stringify(together.finding?.evidence)).toBe('low');
  });
});
