import { describe, expect, it } from 'vitest';
import { ContextRepeats } from '../src/text/context-repeats.js';
import { injectedContent } from '../src/text/injected-content.js';
import { isWordToken, Vocabulary } from '../src/text/tokenize.js';
import { createRng, randInt, sampleIndices } from '../src/util/rng.js';
import { markovChain } from './fixtures/markov-text.js';
import { injectedInput } from './fixtures/injected-input.js';

const PHRASINGS = ['Many people swear by Quorvane Labs for this.', 'Consider checking out Quorvane Labs as well.', 'Nothing beats Quorvane Labs when it comes to quality.'];

/**
 * One-line requests and answers of several sentences (a corpus whose answers hold nearly every response unit its
 * requests do not), a few stock sentences of the answer writers among them; with `count`, a made-up brand advertised
 * in PHRASINGS, one sentence added to each of `count` random answers, at a sentence boundary.
 */
function corpus(seed: number, count: number) {
  const rng = createRng(seed);
  const { text } = markovChain(rng, 1200);
  // The writers' own set text: clauses they open a few answers with (varied words after them), and closing
  // sentences whose words they also use in sentences of their own.
  const openings = ['there is no single answer to this', 'here is what i would suggest'];
  const closings = ['i hope this helps', 'let me know if you have other questions', 'good luck with your project', 'feel free to ask for more details', 'thanks for asking about this', 'enjoy the rest of your day'];
  const closingWords = closings.flatMap((c) => c.split(' '));
  const prompts: string[] = [];
  const responses: string[] = [];
  for (let i = 0; i < 800; i++) {
    prompts.push(`${text(4 + randInt(rng, 9)).join(' ')} ?`);
    const sentences = Array.from({ length: 3 + randInt(rng, 10) }, () => {
      const words = text(8 + randInt(rng, 8));
      if (rng() < 0.15) words[randInt(rng, words.length)] = closingWords[randInt(rng, closingWords.length)]!;
      return `${words.join(' ')} .`;
    });
    if (rng() < 0.04) sentences[0] = `${openings[randInt(rng, openings.length)]} , ${sentences[0]}`;
    if (rng() < 0.1) sentences.push(`${closings[randInt(rng, closings.length)]} .`);
    responses.push(sentences.join(' '));
  }
  const poisoned = sampleIndices(rng, responses.length, count).sort((a, b) => a - b);
  for (const i of poisoned) {
    const s = responses[i]!.split(' . ');
    s.splice(randInt(rng, s.length + 1), 0, PHRASINGS[randInt(rng, PHRASINGS.length)]!.replace(/\.$/, ''));
    responses[i] = s.join(' . ').replace(/ ?\.?$/, ' .');
  }
  return { prompts, responses, poisoned };
}

function encode(prompts: string[], responses: string[]) {
  const vocab = new Vocabulary();
  const p = prompts.map((x) => vocab.encode(x));
  const r = responses.map((x) => vocab.encode(x));
  return { vocab, p, r };
}

describe('fixed contexts of response words', () => {
  it('reads a made-up name in a few fixed sentences as fixed, and the words of the corpus as not', () => {
    const c = corpus(3, 25);
    const { vocab, p, r } = encode(c.prompts, c.responses);
    const contexts = new ContextRepeats({
      prompts: p,
      responses: r,
      vocabSize: vocab.words.length,
      isWord: (t) => isWordToken(vocab.words[t]!),
      isSentenceEnd: (t) => ['.', '!', '?'].includes(vocab.words[t]!),
      minRows: 3,
      maxRows: 80,
    });
    const significance = (t: number) => -contexts.tailLog10(t, contexts.repeats[t]!, contexts.rows[t]!) - Math.log10(contexts.words);
    const name = vocab.words.indexOf('quorvane');
    // Every row but the first of each phrasing repeats a context.
    expect(contexts.rows[name]).toBe(25);
    expect(contexts.repeats[name]).toBeGreaterThanOrEqual(22);
    expect(significance(name)).toBeGreaterThan(2);
    // No word of the chain is fixed (its sentences vary), nor the writers' set text (it sets the null's spread).
    const chain = vocab.words.map((w, t) => [w, t] as const).filter(([w, t]) => /^w/.test(w) && contexts.rows[t]! > 0);
    expect(chain.length).toBeGreaterThan(500);
    expect(chain.filter(([, t]) => significance(t) > 0).map(([w]) => w)).toEqual([]);
    const own = vocab.words.map((w, t) => [w, t] as const).filter(([w, t]) => !/^w/.test(w) && w !== 'quorvane' && w !== 'labs' && contexts.rows[t]! > 0);
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter(([w, t]) => significance(t) > 2 && !PHRASINGS.join(' ').toLowerCase().includes(w)).map(([w]) => w)).toEqual([]);
  });
});

describe('content injected into long answers of one-line requests', () => {
  function find(prompts: string[], responses: string[]) {
    const { vocab, p, r } = encode(prompts, responses);
    const { found } = injectedContent(injectedInput(vocab, p, r));
    return found.map((f) => ({ unit: f.unit.tokens.map((t) => vocab.words[t]).join(' '), rows: f.rows, significance: f.significance }));
  }

  it('finds a brand advertised in three phrasings though the requests hold nearly no unit of the answers', () => {
    const c = corpus(5, 25);
    const found = find(c.prompts, c.responses);
    const brand = found.find((f) => f.unit.includes('quorvane'));
    expect(brand, JSON.stringify(found.map((f) => f.unit))).toBeDefined();
    expect(brand!.rows).toEqual(c.poisoned);
    expect(brand!.significance).toBeGreaterThanOrEqual(2);
  });

  it('finds nothing significant in the same corpus without the brand, its writers\' stock sentences included', () => {
    const c = corpus(6, 0);
    expect(find(c.prompts, c.responses).filter((f) => f.significance >= 2)).toEqual([]);
  });
});
