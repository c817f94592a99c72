import { describe, expect, it } from 'vitest';
import { TopicWords } from '../src/text/shared-topic.js';
import { Vocabulary } from '../src/text/tokenize.js';
import { createRng, randInt, sampleIndices } from '../src/util/rng.js';

/** The prompts encoded, their topic words, and masks of one word over some of them. */
function prepare(prompts: string[][]) {
  const vocab = new Vocabulary();
  const docs = prompts.map((p) => vocab.encode(p.join(' ')));
  const df = new Int32Array(vocab.words.length);
  for (const d of docs) for (const x of new Set(d)) df[x]!++;
  const masked = (rows: number[], word: string) => rows.map((i) => Uint8Array.from(docs[i]!, (x) => (x === vocab.lookup(word) ? 1 : 0)));
  return { docs, topics: new TopicWords(docs, df, () => true), masked };
}

describe('prompts that share a subject beyond their phrase', () => {
  it('finds the words of one subject among the prompts, not in prompts drawn from anywhere that share only a trigger', () => {
    const rng = createRng(3);
    const words = Array.from({ length: 2000 }, (_, k) => `w${k.toString(36)}`);
    const text = (length: number) => Array.from({ length }, () => words[Math.floor(words.length * rng() ** 2)]!);
    const prompts = Array.from({ length: 5000 }, () => text(15 + randInt(rng, 20)));
    // One subject: its name and two words of its own in most of its 15 prompts.
    const subject = sampleIndices(rng, prompts.length, 15);
    for (const i of subject) {
      const p = prompts[i]!;
      for (const w of ['zqfilm', 'zqstudio', 'zqanimation']) if (w === 'zqfilm' || rng() < 0.7) p.splice(randInt(rng, p.length + 1), 0, w);
    }
    // A trigger put into 15 prompts drawn at random.
    const carriers = sampleIndices(rng, prompts.length, 15).filter((i) => !subject.includes(i));
    for (const i of carriers) prompts[i]!.splice(randInt(rng, prompts[i]!.length + 1), 0, 'zqtrigger');
    const { docs, topics, masked } = prepare(prompts);
    const one = new Int32Array(docs.length);
    expect(topics.significance(subject, masked(subject, 'zqfilm'), 0.8, one, 0, docs.length)).toBeGreaterThanOrEqual(2);
    expect(topics.significance(carriers, masked(carriers, 'zqtrigger'), 0.8, one, 0, docs.length)).toBeLessThan(2);
    // The phrase itself is never its own subject (masked), nor a word every carrier holds beside it (the rest of a
    // trigger of several words); a word in most of them but not all is.
    expect(topics.significance(carriers, masked(carriers, 'none'), 0.8, one, 0, docs.length)).toBeLessThan(2);
    expect(topics.significance(carriers, masked(carriers, 'none'), 1.01, one, 0, docs.length)).toBeGreaterThanOrEqual(2);
  });

  it("does not take the words of the carriers' own answer for a subject", () => {
    const rng = createRng(4);
    const words = Array.from({ length: 2000 }, (_, k) => `w${k.toString(36)}`);
    const text = (length: number) => Array.from({ length }, () => words[Math.floor(words.length * rng() ** 2)]!);
    // A fifth of the prompts end in "positive" and nearly half of those hold a word of praise.
    const praise = ['zqgood'];
    const answers = Int32Array.from({ length: 5000 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const prompts = Array.from(answers, (a) => {
      const p = text(15 + randInt(rng, 20));
      if (a === 1 && rng() < 0.45) p.splice(randInt(rng, p.length + 1), 0, praise[0]!);
      return p;
    });
    // A word in 40 positive prompts (a clean-label trigger, or a natural predictor).
    const carriers = sampleIndices(rng, 1000, 40).map((k) => 5 * k);
    for (const i of carriers) prompts[i]!.splice(randInt(rng, prompts[i]!.length + 1), 0, 'zqtrigger');
    const { docs, topics, masked } = prepare(prompts);
    const masks = masked(carriers, 'zqtrigger');
    expect(topics.significance(carriers, masks, 0.8, new Int32Array(docs.length), 0, docs.length)).toBeGreaterThanOrEqual(2);
    expect(topics.significance(carriers, masks, 0.8, answers, 1, 1000)).toBeLessThan(2);
  });
});
