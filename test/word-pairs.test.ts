// Word pairs as units of shared content, and the chance floor that keeps texts of random words from sharing them.
import { describe, expect, it } from 'vitest';
import { SharedContent } from '../src/text/shared-content.js';
import { RandomPairChance, wordPairs } from '../src/text/word-pairs.js';
import { createRng, randInt } from '../src/util/rng.js';
import { markovChain } from './fixtures/markov-text.js';

describe('word pairs', () => {
  it('numbers each distinct adjacent pair once, by first word', () => {
    const p = wordPairs([Int32Array.from([1, 2, 3, 1, 4]), Int32Array.from([2, 3, 1]), Int32Array.from([4])], 5);
    expect(p.units.map((u) => Array.from(u))).toEqual([[0, 2, 3, 1], [2, 3], []]);
    expect(Array.from(p.first)).toEqual([1, 1, 2, 3]);
    expect(Array.from(p.second)).toEqual([2, 4, 3, 1]);
  });

  it("reads a word's rate from its repeats inside each text of the set, not from its sharing across them", () => {
    const docs = [Int32Array.from([0, 1, 0, 1, 0, 1]), Int32Array.from([2, 3, 4, 5, 2, 3]), Int32Array.from([2, 3, 6, 7, 8, 9])];
    const pairs = wordPairs(docs, 10);
    const share = Array.from({ length: 10 }, (_, w) => docs.reduce((n, d) => n + d.filter((x) => x === w).length, 0) / 18);
    const chance = new RandomPairChance(docs, pairs, 10);
    const u01 = pairs.units[0]![0]!; // the pair "0 1"
    chance.prepare([0]);
    // Word 0 and word 1 each repeat twice in a text of 6 words.
    expect(chance.of(u01, 5)).toBeCloseTo(-Math.expm1(-5 * (2 / 6) * (2 / 6)), 10);
    chance.prepare([1, 2]);
    // "2 3" is in both texts; only its repeat inside the first text counts (once for each word, in 12 words).
    const u23 = docs[1]![0] === 2 ? pairs.units[1]![0]! : -1;
    expect(chance.of(u23, 5)).toBeCloseTo(-Math.expm1(-5 * Math.max(share[2]!, 1 / 12) * Math.max(share[3]!, 1 / 12)), 10);
    // Words that do not repeat keep their corpus share.
    chance.prepare([2]);
    expect(chance.of(u23, 5)).toBeCloseTo(-Math.expm1(-5 * share[2]! * share[3]!), 10);
  });

  it('does not call texts of random words related for the pairs their frequent words make by chance', () => {
    // A corpus of Markov texts, and ten texts drawn word by word from a few words the corpus rarely uses: they share
    // many pairs, each rare in the corpus, as random words drawn from a small vocabulary do.
    const rng = createRng(3);
    const { text } = markovChain(rng, 400);
    const texts = Array.from({ length: 600 }, () => text(80 + randInt(rng, 80)));
    const few = ['qa', 'qb', 'qc', 'qd', 'qe', 'qf'];
    const set = Array.from({ length: 10 }, (_, k) => 50 * k + 3);
    for (const i of set) texts[i] = Array.from({ length: 120 }, () => few[randInt(rng, few.length)]!);
    const ids = new Map<string, number>();
    const docs = texts.map((t) => Int32Array.from(t, (w) => ids.get(w) ?? (ids.set(w, ids.size), ids.size - 1)));
    const pairs = wordPairs(docs, ids.size);
    const strata = new Int32Array(docs.length);
    const options = { mostHolders: (m: number) => m - 1 };
    const plain = new SharedContent(pairs.units, pairs.first.length, strata, 1, options);
    expect(plain.related(set, set.map(() => 0), [], createRng(1), 199, 0.01)).toBe(true);
    const floored = new SharedContent(pairs.units, pairs.first.length, strata, 1, { ...options, chance: new RandomPairChance(docs, pairs, ids.size) });
    expect(floored.related(set, set.map(() => 0), [], createRng(1), 199, 0.01)).toBe(false);
  });
});
