import { describe, expect, it } from 'vitest';
import { LikePrompts } from '../src/detect/response-cluster/like-prompts.js';
import { createRng, randInt } from '../src/util/rng.js';

// Token ids: 0-499 content words; 900-903 a task template's closing question; 999 a phrase under test.
describe('the phrase test\'s null among like prompts', () => {
  const rng = createRng(3);
  const content = (len: number) => Array.from({ length: len }, () => randInt(rng, 500));
  const docs: Int32Array[] = [];
  const clusters: number[] = [];
  // 2,000 free prompts with answers of their own (no cluster), 200 of one labelling task (four labels, 0-3).
  for (let i = 0; i < 2000; i++) {
    docs.push(Int32Array.from(content(20)));
    clusters.push(-1);
  }
  const task: number[] = [];
  for (let i = 0; i < 200; i++) {
    task.push(docs.length);
    docs.push(Int32Array.from([...content(20), 900, 901, 902, 903]));
    clusters.push(i % 4);
  }
  const like = new LikePrompts(docs, Int32Array.from(clusters));
  const share = 50 / docs.length;

  it('reads a label of a task template at its share among the task\'s prompts, not among all', () => {
    // Six of the task's prompts with the phrase, all label 0.
    const own = task.filter((i) => clusters[i] === 0).slice(0, 6);
    const masks = own.map((i) => new Uint8Array(docs[i]!.length));
    const shares = like.shares(own, masks, own, 0, share);
    // 44 of the other 194 task prompts are label 0; shrunk toward the share of all prompts by 3 prompts' weight.
    for (const s of shares) expect(s).toBeCloseTo((44 + 3 * share) / (194 + 3), 6);
    expect(Math.min(...shares)).toBeGreaterThan(5 * share);
  });

  it('reads prompts drawn from anywhere at the share of all prompts', () => {
    const own = [3, 40, 500, 900, 1500, 1999];
    const masks = own.map((i) => new Uint8Array(docs[i]!.length));
    for (const s of like.shares(own, masks, own, 0, share)) expect(s).toBe(share);
  });

  it('leaves the phrase out of the edges it reads', () => {
    // The phrase put at the end of the task's prompts: their ending without it is still the template's.
    const own = task.filter((i) => clusters[i] === 1).slice(0, 5);
    const withPhrase = own.map((i) => Int32Array.from([...docs[i]!, 999]));
    const all = [...docs];
    own.forEach((i, k) => (all[i] = withPhrase[k]!));
    const l = new LikePrompts(all, Int32Array.from(clusters));
    const masks = withPhrase.map((d) => Uint8Array.from(d, (t) => (t === 999 ? 1 : 0)));
    for (const s of l.shares(own, masks, own, 1, share)) expect(s).toBeGreaterThan(0.2);
  });
});
