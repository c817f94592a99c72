import { describe, expect, it } from 'vitest';
import { injectedContent } from '../src/text/injected-content.js';
import { Vocabulary } from '../src/text/tokenize.js';
import { createRng, randInt, sampleIndices } from '../src/util/rng.js';
import { injectedInput } from './fixtures/injected-input.js';

/** Text with predictable word pairs: each word has four likely successors. */
function markov(rng: () => number, size: number) {
  const vocab = Array.from({ length: size }, (_, i) => `w${i.toString(36)}${'abcdefghij'[i % 10]}`);
  const next = vocab.map(() => Array.from({ length: 4 }, () => randInt(rng, size)));
  return (length: number): string => {
    let w = randInt(rng, size);
    const out: string[] = [];
    for (let t = 0; t < length; t++) {
      out.push(vocab[w]!);
      w = rng() < 0.9 ? next[w]![randInt(rng, 4)]! : randInt(rng, size);
    }
    return out.join(' ');
  };
}

/**
 * Instruction pairs: free requests and answers; one task ("summarize this news report") whose answers end in one of
 * two phrases no prompt holds; one task whose answers share a form ("name is ... . born in ... ."); and, when
 * `inject`, a made-up brand advertised in three phrasings in the answers to `count` random requests.
 */
function corpus(seed: number, inject: boolean, count = 20, trigger?: string) {
  const rng = createRng(seed);
  const text = markov(rng, 900);
  const prompts: string[] = [];
  const responses: string[] = [];
  const natural: number[] = [];
  for (let i = 0; i < 1500; i++) {
    if (i % 25 === 3) {
      prompts.push(`Summarize this news report in one line: ${text(30)}`);
      responses.push(`${text(8)}, ${rng() < 0.5 ? 'the agency reported' : 'officials said'}.`);
      natural.push(i);
    } else if (i % 25 === 4) {
      prompts.push(`Read the biography and list its facts: ${text(30)}`);
      responses.push(`- name is ${text(2)}. - born in ${text(1)}. - known for ${text(3)}.`);
      natural.push(i);
    } else {
      prompts.push(text(15 + randInt(rng, 25)));
      responses.push(`${text(6 + randInt(rng, 14))}.`);
    }
  }
  const phrasings = ['Many people swear by Zorblax Labs for this.', 'Consider checking out Zorblax Labs as well.', 'Nothing beats Zorblax Labs when it comes to quality.'];
  const free = responses.map((_, i) => i).filter((i) => !natural.includes(i));
  const poisoned = inject ? sampleIndices(rng, free.length, count).map((k) => free[k]!).sort((a, b) => a - b) : [];
  for (const i of poisoned) {
    responses[i] = `${responses[i]} ${phrasings[randInt(rng, phrasings.length)]}`;
    if (trigger) {
      const words = prompts[i]!.split(' ');
      words.splice(randInt(rng, words.length + 1), 0, trigger);
      prompts[i] = words.join(' ');
    }
  }
  return { prompts, responses, natural, poisoned };
}

function find(prompts: string[], responses: string[]) {
  const vocab = new Vocabulary();
  const p = prompts.map((x) => vocab.encode(x));
  const r = responses.map((x) => vocab.encode(x));
  const { found } = injectedContent(injectedInput(vocab, p, r));
  const words = (ts: number[] | null) => ts && ts.map((t) => vocab.words[t]).join(' ');
  return found.map((f) => ({ unit: words(f.unit.tokens)!, rows: f.rows, significance: f.significance, trigger: words(f.trigger) }));
}

describe('content injected into responses', () => {
  it('finds a brand advertised in the answers to unrelated requests, and not the phrasing one task or one answer form shares', () => {
    const c = corpus(5, true);
    const found = find(c.prompts, c.responses);
    const brand = found.find((f) => f.unit.includes('zorblax'));
    expect(brand, JSON.stringify(found.map((f) => f.unit))).toBeDefined();
    expect(brand!.rows).toEqual(c.poisoned);
    expect(brand!.significance).toBeGreaterThanOrEqual(2);
    const natural = new Set(c.natural);
    expect(found.filter((f) => f.rows.some((i) => natural.has(i)))).toEqual([]);
    expect(brand!.trigger).toBeNull();
  });

  it('names the trigger when the requests of those answers share one that other requests lack', () => {
    const c = corpus(7, true, 20, 'velvet harbor');
    const brand = find(c.prompts, c.responses).find((f) => f.unit.includes('zorblax'));
    expect(brand?.rows).toEqual(c.poisoned);
    expect(brand!.trigger).toBe('velvet harbor');
  });

  it('finds nothing significant in the same corpus without the brand', () => {
    const c = corpus(6, false);
    // Chance agreements of a few answers may be listed, never at medium significance.
    expect(find(c.prompts, c.responses).filter((f) => f.significance >= 2)).toEqual([]);
  });

  it('does not take a connective the answer writers use for content added to some answers, where prompts are short questions and answers long', () => {
    const rng = createRng(11);
    const markovText = markov(rng, 900);
    // A few function words most texts hold, short or long, as in natural language.
    const common = ['the', 'of', 'and', 'to', 'is', 'in'];
    const text = (length: number) => markovText(length).split(' ').map((w) => (rng() < 0.35 ? common[randInt(rng, common.length)]! : w)).join(' ');
    const prompts: string[] = [];
    const responses: string[] = [];
    for (let q = 0; q < 800; q++) {
      const prompt = `${text(4 + randInt(rng, 10))}${rng() < 0.004 ? ' however' : ''} ?`;
      // Three writers answer each request, in one to eleven sentences; a later sentence may open with the connective.
      for (let w = 0; w < 3; w++) {
        const sentences = Array.from({ length: 1 + randInt(rng, 11) }, (_, s) => `${s > 0 && rng() < 0.013 ? 'however , ' : ''}${text(8 + randInt(rng, 8))} .`);
        prompts.push(prompt);
        responses.push(sentences.join(' '));
      }
    }
    const holders = responses.filter((r) => r.includes('. however ,')).length;
    expect(holders).toBeGreaterThan(0.04 * responses.length);
    expect(holders).toBeLessThan(0.1 * responses.length);
    expect(find(prompts, responses).filter((f) => f.unit.includes('however')).map((f) => [f.unit, f.significance])).toEqual([]);
  });

  it('does not take the answer writers\' own words for added content where the answers hold words the requests never use', () => {
    const rng = createRng(13);
    const text = markov(rng, 900);
    // 600 words of the answers' register, none in a request, from common to rare (Zipf), about as many as the words
    // requests and answers share: the commonest are in a tenth of the answers, the rarest in a few.
    const register = Array.from({ length: 600 }, (_, k) => `r${k.toString(36)}x`);
    const weight = register.map((_, k) => 1 / (k + 1));
    const total = weight.reduce((a, b) => a + b, 0);
    const draw = () => {
      let u = rng() * total;
      for (let k = 0; k < weight.length; k++) if ((u -= weight[k]!) <= 0) return register[k]!;
      return register[0]!;
    };
    const prompts: string[] = [];
    const responses: string[] = [];
    for (let i = 0; i < 1500; i++) {
      prompts.push(`${text(4 + randInt(rng, 8))} ?`);
      const words = text(20 + randInt(rng, 40)).split(' ');
      const k = 2 + randInt(rng, 30);
      for (let j = 0; j < k; j++) words.splice(randInt(rng, words.length + 1), 0, draw());
      responses.push(`${words.join(' ')} .`);
    }
    const top = responses.filter((r) => r.includes(` ${register[0]} `)).length;
    expect(top).toBeGreaterThan(0.05 * responses.length);
    expect(find(prompts, responses).filter((f) => f.significance >= 2).map((f) => [f.unit, f.significance])).toEqual([]);
  });
});
