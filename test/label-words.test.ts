import { describe, expect, it } from 'vitest';
import { LabelWords } from '../src/detect/response-cluster/label-words.js';
import { binomialTailLog10 } from '../src/util/binomial.js';
import { createRng, randInt } from '../src/util/rng.js';

// Token ids: 0-1999 common words; 5000+ words of about a dozen prompts each; 9000 the phrase under test.
// 3,000 prompts, label 1 on one in eight.
function corpus(labelWords: boolean): { docs: Int32Array[]; labels: Int32Array; phrase: number[] } {
  const rng = createRng(7);
  const docs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 3000; i++) {
    docs.push(Array.from({ length: 15 }, () => randInt(rng, 2000)));
    labels.push(i % 8 === 0 ? 1 : 0);
  }
  // 200 words of 12 prompts each: with labelWords, a third of them held only by label-1 prompts (a corpus whose
  // label is carried by its words); otherwise each put into prompts drawn at random.
  const ones = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  for (let w = 0; w < 200; w++) {
    const pool = labelWords && w % 3 === 0 ? ones : null;
    for (let k = 0; k < 12; k++) docs[pool ? pool[randInt(rng, pool.length)]! : randInt(rng, docs.length)]!.push(5000 + w);
  }
  // The phrase: 12 prompts, all label 1.
  const phrase: number[] = [];
  for (let k = 0; k < 12; k++) {
    const i = ones[(k * 29) % ones.length]!;
    docs[i]!.push(9000);
    phrase.push(i);
  }
  return { docs: docs.map((d) => Int32Array.from(d)), labels: Int32Array.from(labels), phrase };
}

describe('label words: a phrase read against the corpus\'s own words of its count', () => {
  const share = 1 / 8;

  it('keeps the binomial where the corpus\'s words of that count spread as chance does', () => {
    const { docs, labels, phrase } = corpus(false);
    const words = new LabelWords(docs, 9001, labels, 2);
    const tail = words.tailLog10(1, 12, 12, share, 12, phrase);
    expect(tail).toBeLessThan(-8);
    expect(tail).toBeGreaterThanOrEqual(binomialTailLog10(12, 12, share) - 1e-9);
  });

  it('makes a label\'s word ordinary where many words of its count go with that label', () => {
    const { docs, labels, phrase } = corpus(true);
    const words = new LabelWords(docs, 9001, labels, 2);
    const tail = words.tailLog10(1, 12, 12, share, 12, phrase);
    expect(tail).toBeGreaterThan(-5);
  });

  it('does not let a phrase\'s own words make it ordinary', () => {
    // Every label-1 word of the band is held by the phrase's prompts alone: they are left out of the fit.
    const { docs, labels, phrase } = corpus(false);
    const rng = createRng(9);
    for (let w = 0; w < 40; w++) for (const i of phrase) if (rng() < 0.9) docs[i] = Int32Array.from([...docs[i]!, 7000 + w]);
    const words = new LabelWords(docs, 9001, labels, 2);
    expect(words.tailLog10(1, 12, 12, share, 12, phrase)).toBeLessThan(-8);
  });
});
