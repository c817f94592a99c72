import { describe, expect, it } from 'vitest';
import { InsertionTest } from '../src/text/insertion-test.js';
import { Vocabulary } from '../src/text/tokenize.js';
import { createRng, randInt } from '../src/util/rng.js';
import { markovChain } from './fixtures/markov-text.js';

const chain = markovChain;

function prepare(texts: string[][], seed: number) {
  const vocab = new Vocabulary();
  const enc = texts.map((t) => vocab.encodeWithBoundaries(t.join(' ')));
  const test = InsertionTest.prepare(enc.map((e) => e.ids), enc.map((e) => e.boundary), vocab.words, createRng(seed))!;
  return { test, id: (w: string) => vocab.lookup(w)! };
}

describe('insertion test: a word bound to its phrase is not inserted', () => {
  it('measures a word put at random places, also in copies of one passage, and not one that texts put between the same two words', () => {
    const rng = createRng(7);
    const { vocab, next, text } = chain(rng, 300);
    const texts: string[][] = [];
    for (let i = 0; i < 2000; i++) texts.push(text(12 + randInt(rng, 8)));
    const at = (t: string[]) => 1 + randInt(rng, t.length - 1);
    // A planted word at 12 random places.
    for (let k = 0; k < 12; k++) {
      const t = texts[10 * k + 1]!;
      t.splice(at(t), 0, 'zqbolt');
    }
    // Another at 8 random places, each text copied once more (one passage twice: the same place twice).
    for (let k = 0; k < 8; k++) {
      const t = texts[10 * k + 2]!;
      t.splice(at(t), 0, 'zqcopy');
      texts.push([...t]);
    }
    // A word of 6 phrases, each written in two texts of their own: "a zqsteps b" where the chain writes "a b", so that
    // deleting it leaves a pair the corpus knows, as deleting an inserted word does.
    for (let k = 0; k < 6; k++) {
      const a = randInt(rng, vocab.length);
      const phrase = [vocab[a]!, 'zqsteps', vocab[next[a]![0]!]!];
      for (const i of [10 * k + 3, 10 * k + 4]) {
        const t = texts[i]!;
        t.splice(at(t), 0, ...phrase);
      }
    }
    const { test, id } = prepare(texts, 3);
    const planted = test.measure(id('zqbolt'));
    expect(planted).not.toBeNull();
    expect(planted!.z).toBeGreaterThan(2);
    expect(test.measure(id('zqcopy'))).not.toBeNull();
    // Six distinct places, as many as the test needs; but two texts share each one's neighbours.
    const o = test.textsOf(id('zqsteps'));
    expect(o.length).toBe(12);
    expect(test.measure(id('zqsteps'))).toBeNull();
  });

  it('counts a place once where a fragment of the text begins or ends at the word', () => {
    const rng = createRng(9);
    const { text } = chain(rng, 300);
    const texts: string[][] = [];
    for (let i = 0; i < 2000; i++) texts.push(text(12 + randInt(rng, 8)));
    // A word at 8 places; each text is also written from the word on and up to the word (a corpus of phrases and
    // their parts), so that the word opens and ends texts of its own.
    for (let k = 0; k < 8; k++) {
      const t = texts[10 * k + 1]!;
      const at = 1 + randInt(rng, t.length - 2);
      t.splice(at, 0, 'zqfrag');
      texts.push(t.slice(at), t.slice(0, at + 1));
    }
    const { test, id } = prepare(texts, 5);
    expect(test.textsOf(id('zqfrag')).length).toBe(24);
    expect(test.measure(id('zqfrag'))!.contexts).toBe(8);
  });
});
