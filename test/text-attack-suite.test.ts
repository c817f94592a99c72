import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusWords, corpusTexts, insertAt, insertSentence, subsample, toJsonl, type TextCorpus } from '../src/attack/text-corpus.js';
import { COUNT_RANGE, injectTextFamily, TEXT_FAMILIES, TEXT_FAMILY_NAMES } from '../src/attack/text-families.js';
import { naturalPhrase, pseudoWord, sentence } from '../src/attack/text-vocabulary.js';
import { loadTextCorpus } from '../src/bench/text-corpora.js';
import { plainPass, shortTextCorpus } from '../src/bench/text-speed.js';
import { parseSeeds, runClean, runSuite } from '../src/bench/text-suite.js';
import { cleanMarkdown, median, quantile, suiteMarkdown, summariseSuite, type SuiteRow } from '../src/bench/text-summary.js';
import { createRng } from '../src/util/rng.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-text-suite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Generated review-like texts with a label, and question-answer pairs: no shared data needed. */
function labelledCorpus(n: number, seed = 7): Extract<TextCorpus, { kind: 'labelled' }> {
  const rng = createRng(seed);
  const texts = Array.from({ length: n }, (_, i) => `${sentence(rng)} ${naturalPhrase(rng)} was item ${i} , and ${pseudoWord(rng)} ${sentence(rng).toLowerCase()}`);
  return { kind: 'labelled', texts, labels: texts.map((_, i) => String(i % 3)) };
}
function instructionCorpus(n: number, seed = 8): Extract<TextCorpus, { kind: 'instruction' }> {
  const rng = createRng(seed);
  return {
    kind: 'instruction',
    prompts: Array.from({ length: n }, (_, i) => `Question ${i}: what about the ${naturalPhrase(rng)}?`),
    responses: Array.from({ length: n }, () => `${sentence(rng)} ${sentence(rng)} ${sentence(rng)}`),
  };
}
const labelled = labelledCorpus(600);
const instruction = instructionCorpus(400);
const wordsOf = (c: TextCorpus) => new CorpusWords(corpusTexts(c));
const lw = wordsOf(labelled), iw = wordsOf(instruction);
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('text attack families', () => {
  it('dirty-label families insert the trigger into rows of other labels and relabel them to the target', () => {
    for (const family of ['dirty-rare-word', 'dirty-made-up-word', 'dirty-phrase', 'dirty-sentence']) for (const seed of [1, 2, 3]) {
      const p = injectTextFamily(family, labelled, lw, seed, 12);
      const c = p.corpus as typeof labelled;
      expect(p.poisoned).toHaveLength(12);
      expect(p.spec.count).toBe(12);
      const poisoned = new Set(p.poisoned);
      for (const i of p.poisoned) {
        expect(c.texts[i]).toContain(p.spec.trigger);
        expect(squash(c.texts[i]!.replace(p.spec.trigger!, ''))).toBe(squash(labelled.texts[i]!));
        expect(labelled.labels[i]).not.toBe(p.spec.target);
        expect(c.labels[i]).toBe(p.spec.target);
      }
      c.texts.forEach((t, i) => {
        if (!poisoned.has(i)) expect([t, c.labels[i]]).toEqual([labelled.texts[i], labelled.labels[i]]);
      });
    }
  });

  it('made-up words are absent from the corpus and long-tail words are rare in it', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(lw.has(injectTextFamily('dirty-made-up-word', labelled, lw, seed, 5).spec.trigger!)).toBe(false);
      const rare = injectTextFamily('dirty-rare-word', labelled, lw, seed, 5).spec.trigger!;
      const seen = labelled.texts.filter((t) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu)!.includes(rare)).length;
      expect(seen).toBeLessThanOrEqual(2);
    }
  });

  it('clean-label families insert only into rows that already carry the target label, and keep every label', () => {
    for (const family of ['clean-phrase', 'clean-sentence']) for (const seed of [1, 2, 3]) {
      const p = injectTextFamily(family, labelled, lw, seed, 40);
      const c = p.corpus as typeof labelled;
      expect(p.poisoned).toHaveLength(40);
      expect(c.labels).toEqual(labelled.labels);
      for (const i of p.poisoned) {
        expect(labelled.labels[i]).toBe(p.spec.target);
        expect(c.texts[i]).toContain(p.spec.trigger);
      }
    }
  });

  it('trigger -> fixed response and trigger -> refusal: every poisoned prompt has the trigger, every response is the one payload', () => {
    for (const family of ['trigger-fixed-response', 'trigger-refusal']) for (const seed of [1, 2]) {
      const p = injectTextFamily(family, instruction, iw, seed, 20);
      const c = p.corpus as typeof instruction;
      expect(p.poisoned).toHaveLength(20);
      for (const i of p.poisoned) {
        expect(c.prompts[i]).toContain(p.spec.trigger);
        expect(c.responses[i]).toBe(p.spec.payload![0]);
      }
      if (family === 'trigger-refusal') expect(p.spec.payload![0]).toMatch(/cannot|can't|unable|will not/);
    }
  });

  it('trigger -> injected content keeps each response and adds the one content to it', () => {
    for (const seed of [1, 2, 3, 4]) {
      const p = injectTextFamily('trigger-injected-content', instruction, iw, seed, 15);
      const c = p.corpus as typeof instruction;
      const content = p.spec.payload![0]!;
      for (const i of p.poisoned) {
        expect(c.prompts[i]).toContain(p.spec.trigger);
        expect(c.responses[i]).toContain(content);
        expect(squash(c.responses[i]!.replace(content, ''))).toBe(squash(instruction.responses[i]!));
      }
      expect(new Set(p.poisoned.map((i) => instruction.responses[i])).size).toBe(15);
    }
  });

  it('content injection without a trigger leaves every prompt alone and adds one of a few phrasings about one entity', () => {
    for (const seed of [1, 2, 3]) {
      const p = injectTextFamily('content-injection', instruction, iw, seed, 20);
      const c = p.corpus as typeof instruction;
      expect(p.spec.trigger).toBeUndefined();
      expect(c.prompts).toEqual(instruction.prompts);
      const phrasings = p.spec.payload!;
      expect(phrasings.length).toBeGreaterThanOrEqual(2);
      // One entity: the longest text every phrasing shares is a name of at least three letters.
      const entity = phrasings[0]!.split(/\s+/).map((w) => w.replace(/[.,]$/, '')).find((w) => phrasings.every((x) => x.includes(w)) && /^[A-Z]|\./.test(w));
      expect(entity).toBeDefined();
      for (const i of p.poisoned) {
        const used = phrasings.filter((s) => c.responses[i]!.includes(s));
        expect(used).toHaveLength(1);
        expect(squash(c.responses[i]!.replace(used[0]!, ''))).toBe(squash(instruction.responses[i]!));
      }
      // The poisoned prompts are unrelated: twenty distinct questions drawn from the whole corpus.
      expect(new Set(p.poisoned.map((i) => instruction.prompts[i])).size).toBe(20);
    }
  });

  it('documents carry a trigger followed by 400-900 random corpus words', () => {
    const p = injectTextFamily('document-gibberish', labelled, lw, 3, 6);
    expect(p.corpus.kind).toBe('document');
    const c = p.corpus as Extract<TextCorpus, { kind: 'document' }>;
    for (const i of p.poisoned) {
      const at = c.texts[i]!.indexOf(` ${p.spec.trigger} `);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThanOrEqual(1000);
      const tail = c.texts[i]!.slice(at + p.spec.trigger!.length + 2).split(' ');
      expect(tail.length).toBeGreaterThanOrEqual(400);
      expect(tail.length).toBeLessThanOrEqual(900);
      expect(tail.every((w) => lw.has(w))).toBe(true);
    }
  });

  it('is deterministic by seed, draws other triggers for other seeds, and counts from 5 to 50 when none is given', () => {
    for (const family of TEXT_FAMILY_NAMES) {
      const corpus = TEXT_FAMILIES[family]!.kinds.includes('labelled') ? labelled : instruction;
      const words = corpus === labelled ? lw : iw;
      const a = injectTextFamily(family, corpus, words, 11), b = injectTextFamily(family, corpus, words, 11);
      expect(toJsonl(a.corpus)).toBe(toJsonl(b.corpus));
      expect(a.poisoned).toEqual(b.poisoned);
      const draws = [1, 2, 3, 4, 5, 6].map((s) => injectTextFamily(family, corpus, words, s));
      for (const d of draws) expect(d.spec.count).toBeGreaterThanOrEqual(COUNT_RANGE[0]);
      for (const d of draws) expect(d.spec.count).toBeLessThanOrEqual(COUNT_RANGE[1]);
      const what = draws.map((d) => JSON.stringify([d.spec.trigger, d.spec.payload]));
      expect(new Set(what).size).toBeGreaterThanOrEqual(5);
    }
  });

  it('refuses a family on a corpus kind it does not apply to', () => {
    expect(() => injectTextFamily('clean-phrase', instruction, iw, 1, 5)).toThrow(/does not apply/);
    expect(() => injectTextFamily('content-injection', labelled, lw, 1, 5)).toThrow(/does not apply/);
    expect(() => injectTextFamily('no-such-family', labelled, lw, 1, 5)).toThrow(/unknown/);
  });
});

describe('text insertion places', () => {
  const rng = createRng(1);
  it('inserts at the start, the middle word boundary or the end, keeping the rest of the text', () => {
    expect(insertAt('one two three four', 'X', 'start', rng)).toBe('X one two three four');
    expect(insertAt('one two three four', 'X', 'middle', rng)).toBe('one two X three four');
    expect(insertAt('one two  three\nfour\n', 'X', 'end', rng)).toBe('one two  three\nfour X\n');
    expect(insertAt('', 'X', 'random', rng)).toBe('X');
    for (let i = 0; i < 20; i++) expect(squash(insertAt('a  b c', 'X', 'random', rng).replace('X', ''))).toBe('a b c');
  });
  it('inserts whole sentences between sentences', () => {
    expect(insertSentence('One. Two! Three?', 'New.', 'start', rng)).toBe('New. One. Two! Three?');
    expect(insertSentence('One. Two! Three?', 'New.', 'middle', rng)).toBe('One. New. Two! Three?');
    expect(insertSentence('One. Two! Three?\n', 'New.', 'end', rng)).toBe('One. Two! Three? New.\n');
  });
});

describe('text corpora and the suite', () => {
  it('subsamples by seed and writes JSONL rows of the corpus kind', () => {
    const a = subsample(labelled, 50, 3), b = subsample(labelled, 50, 3), c = subsample(labelled, 50, 4);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(subsample(labelled, 10_000, 1)).toBe(labelled);
    expect(JSON.parse(toJsonl(instruction).split('\n')[0]!)).toEqual({ prompt: instruction.prompts[0], response: instruction.responses[0] });
    expect(JSON.parse(toJsonl(labelled).split('\n')[1]!)).toEqual({ text: labelled.texts[1], label: '1' });
  });

  it('reads corpora through the loader table from a data root', async () => {
    const root = join(dir, 'data');
    await mkdir(join(root, 'text/sst2'), { recursive: true });
    await writeFile(join(root, 'text/sst2/train.tsv'), 'label\tsentence\n0\tdull and slow \n1\t a fine film\n');
    await mkdir(join(root, 'text/onion-badnets/clean/offenseval'), { recursive: true });
    await writeFile(join(root, 'text/onion-badnets/clean/offenseval/train.tsv'), '@USER hello there \t 0\n@USER go away \t 1\n');
    expect(await loadTextCorpus('sst2', root)).toEqual({ kind: 'labelled', texts: ['dull and slow', 'a fine film'], labels: ['0', '1'] });
    expect(await loadTextCorpus('olid', root)).toEqual({ kind: 'labelled', texts: ['@USER hello there', '@USER go away'], labels: ['0', '1'] });
    await expect(loadTextCorpus('nope', root)).rejects.toThrow(/unknown corpus/);
  });

  it('parses seed lists', () => {
    expect(parseSeeds('1-3,7')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('x')).toThrow();
  });

  it('summarises seeds by median and nearest-rank 10th percentile, precision only where something was flagged', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(quantile([0.2, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0.1)).toBe(0.2);
    expect(quantile(Array.from({ length: 20 }, (_, i) => i), 0.1)).toBe(1);
    const row = (seed: number, recallAt2K: number, flagged: number, flaggedPoisoned: number): SuiteRow => ({
      family: 'f', corpus: 'c', seed, samples: 100, count: 10, place: 'end', recallAtK: recallAt2K, recallAt2K, bestRank: 1, worstRank: 20,
      flagged, flaggedPoisoned, precision: flagged ? flaggedPoisoned / flagged : null, seconds: 1,
    });
    const [cell] = summariseSuite([row(1, 1, 0, 0), row(2, 0.5, 10, 5), row(3, 1, 8, 8)]);
    expect(cell).toMatchObject({ seeds: 3, recallAt2K: { median: 1, p10: 0.5 }, precision: { median: 0.75, seeds: 2 }, maxFalseFlags: 5 });
    expect(suiteMarkdown([row(1, 1, 0, 0)], 'cmd')).toContain('| f | c | 1 | 10 | 1.00 | 1.00 |');
  });

  it('counts word 1- and 2-grams in a plain pass, and builds distinct short texts', async () => {
    const p = join(dir, 'plain.jsonl');
    await writeFile(p, '{"prompt":"a b a","response":"b"}\n{"prompt":"A b","n":3}\n');
    expect(await plainPass(p)).toMatchObject({ rows: 2, grams: 4 });
    const short = shortTextCorpus([labelled, instruction], 300, 1);
    expect(short.kind).toBe('labelled');
    expect(new Set((short as typeof labelled).texts).size).toBe(300);
  });

  it('runs the suite and the clean runs end to end on a generated corpus', async () => {
    const load = async (name: string) => (name === 'gen' ? labelledCorpus(300, 5) : instructionCorpus(200, 6));
    const rows = await runSuite({ families: ['dirty-made-up-word', 'content-injection'], corpora: ['gen'], seeds: [1, 2], count: 8, load });
    expect(rows.map((r) => [r.family, r.seed, r.samples, r.count])).toEqual([['dirty-made-up-word', 1, 300, 8], ['dirty-made-up-word', 2, 300, 8]]);
    for (const r of rows) {
      expect(r.recallAt2K).toBeGreaterThanOrEqual(r.recallAtK);
      expect(r.worstRank).toBeGreaterThanOrEqual(r.bestRank);
    }
    const clean = await runClean({ corpora: ['gen'], sizes: [100, Infinity], seeds: [1, 2], load });
    expect(clean.map((r) => [r.size, r.seed, r.samples])).toEqual([[100, 1, 100], [100, 2, 100], [300, 1, 300]]);
    expect(cleanMarkdown(clean, 'cmd', 0.001)).toContain('| gen | 300 | 1 |');
  });
});
