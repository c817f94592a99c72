import { describe, expect, it } from 'vitest';
import { pureResponseWords, type PureResponseInput } from '../src/text/pure-response-words.js';

// Tokens: 0-9 common (in every prompt), 10 the trigger, 11 a rare word linking two prompts, 12 written in a
// response, 13 a rare word with mixed answers, 100+ one-off words.
function input(): PureResponseInput {
  const docs: number[][] = [];
  const keys: string[] = [];
  for (let i = 0; i < 200; i++) {
    docs.push([i % 10, (i + 3) % 10, 100 + i]);
    keys.push(i % 10 === 0 ? 'negative' : `answer ${i}`);
  }
  // The trigger in three unrelated prompts, all answered "negative" (18 of 200 prompts answer it, once 20 and 60
  // below are answered "barrel").
  for (const i of [10, 50, 90]) docs[i]!.push(10);
  // Prompts 110 and 150 share the trigger and a rare word: one source, so only 4 groups of 5 prompts.
  for (const i of [110, 150]) docs[i]!.push(10, 11);
  // "barrel" in two prompts whose answer holds it: read off the prompt.
  for (const i of [20, 60]) {
    docs[i]!.push(12);
    keys[i] = 'barrel';
  }
  // A rare word in prompts answered differently.
  for (const i of [30, 71]) docs[i]!.push(13);
  const keyCount = new Map<string, number>();
  for (const k of keys) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
  return {
    docs: docs.map((d) => Int32Array.from(d)),
    vocabSize: 400,
    keys,
    keyCount,
    isWord: () => true,
    inResponse: (t, key) => t === 12 && key === 'barrel',
  };
}

describe('pureResponseWords', () => {
  it('finds a word whose unrelated prompts all end in one response, counting linked prompts once', () => {
    const { words, judged } = pureResponseWords(input(), 2);
    // Judged: the words in 2-5 prompts that are in two unlinked groups at least (10, 12, 13; 11's two prompts are
    // linked by 10).
    expect(judged).toBe(3);
    expect(words.map((w) => w.token)).toEqual([10]);
    const w = words[0]!;
    expect(w.rows).toEqual([10, 50, 90, 110, 150]);
    expect(w.groups).toBe(4);
    expect(w.response).toBe('negative');
    expect(w.share).toBeCloseTo(18 / 200, 12);
    expect(w.significance).toBeCloseTo(-4 * Math.log10(0.09) - Math.log10(2 * 3), 12);
  });

  it('judges nothing below the groups asked for, and nothing in more than five prompts', () => {
    expect(pureResponseWords(input(), 5).words).toEqual([]);
    const many = input();
    many.docs[130] = Int32Array.from([...many.docs[130]!, 10]);
    expect(pureResponseWords(many, 2).words).toEqual([]);
  });
});
