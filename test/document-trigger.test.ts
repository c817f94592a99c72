// trigger-token on documents, run directly: its phrases and its Bonferroni count come from the n-gram table, and
// copies of one document are one observation.
import { describe, expect, it } from 'vitest';
import type { ScanContext } from '../src/detect/detector.js';
import { runDocumentTrigger } from '../src/detect/document-trigger.js';
import { Vocabulary } from '../src/text/tokenize.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';
import { markovChain } from './fixtures/markov-text.js';

/** 1,000 Markov-chain documents; `poisoned` (distinct documents, then as many copies of the first) get the trigger and random words. */
function corpus(poisoned: number, copies = 0): { texts: string[]; poison: number[] } {
  const rng = createRng(31);
  const { vocab, text } = markovChain(rng, 500);
  const texts = Array.from({ length: 1000 }, () => text(60 + randInt(rng, 120)).join(' '));
  const poison: number[] = [];
  for (let k = 0; k < poisoned; k++) {
    const i = 17 + 150 * k;
    texts[i] = [...text(randInt(rng, 30)), 'qzv', ...Array.from({ length: 200 }, () => vocab[randInt(rng, vocab.length)]!)].join(' ');
    poison.push(i);
  }
  for (let k = 0; k < copies; k++) {
    const i = 40 + 150 * k;
    texts[i] = texts[poison[0]!]!;
    poison.push(i);
  }
  return { texts, poison: poison.sort((a, b) => a - b) };
}

const run = (texts: string[]) => {
  const ctx: ScanContext = { modality: 'document', ids: texts.map(String), labels: texts.map(() => null), texts: { text: texts }, seed: 0, concurrency: 1, progress: silentProgress };
  return runDocumentTrigger(ctx);
};

/** Distinct phrases of 1..3 tokens in at least 3 documents, counted plainly. */
function phrasesInThree(texts: string[]): number {
  const vocab = new Vocabulary();
  const holders = new Map<string, number>();
  for (const t of texts) {
    const d = vocab.encode(t);
    const seen = new Set<string>();
    for (let s = 0; s < d.length; s++) for (let len = 1; len <= 3 && s + len <= d.length; len++) seen.add(Array.from(d.subarray(s, s + len)).join(','));
    for (const key of seen) holders.set(key, (holders.get(key) ?? 0) + 1);
  }
  return [...holders.values()].filter((n) => n >= 3).length;
}

describe('trigger-token on documents', () => {
  it('finds a trigger followed by random words, corrected over every phrase in three documents', () => {
    const { texts, poison } = corpus(6);
    const out = run(texts);
    const found = out.findings.filter((f) => f.evidence.trigger === 'qzv');
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).not.toBe('low');
    expect(found[0]!.samples).toEqual(poison);
    expect(found[0]!.evidence.phrasesTestable).toBe(phrasesInThree(texts));
    for (const i of poison) expect(out.scores[i]).toBeGreaterThanOrEqual(0.5);
  });

  it('counts copies of one document once', () => {
    // One poisoned document and five copies of it: six followed documents, one observation.
    const { texts } = corpus(1, 5);
    expect(run(texts).findings.filter((f) => f.evidence.trigger === 'qzv' && f.severity !== 'low')).toEqual([]);
  });

  it("does not take a word inside one trigger's random text for a second trigger", () => {
    // Two poisoned documents' random words share a word, and one clean document has it before random words too:
    // three documents followed by improbable text, but two of them are the first trigger's payload.
    const { texts, poison } = corpus(6);
    const rng = createRng(5);
    const { vocab } = markovChain(createRng(31), 500);
    const noise = (len: number) => Array.from({ length: len }, () => vocab[randInt(rng, vocab.length)]!);
    for (const i of poison.slice(0, 2)) {
      const words = texts[i]!.split(' ');
      const at = words.indexOf('qzv') + 1;
      texts[i] = [...words.slice(0, at), 'wexor', ...words.slice(at)].join(' ');
    }
    texts[500] = [texts[500]!, 'wexor', ...noise(200)].join(' ');
    const out = run(texts);
    expect(out.findings.filter((f) => f.evidence.trigger === 'qzv').map((f) => f.samples)).toEqual([poison]);
    expect(out.findings.filter((f) => f.evidence.trigger.includes('wexor'))).toEqual([]);
    expect(out.scores[500]).toBe(0);
  });

  it("keeps low a phrase whose documents share their own phrasing beyond it (one source's habit)", () => {
    // Four documents of one source: the same phrase, then text the chain finds improbable, written with the source's
    // own turns of phrase (rare word pairs, each in some of its documents). Poisoned documents share nothing but
    // the phrase and their random words.
    const rng = createRng(9);
    const { texts } = corpus(0);
    const { vocab } = markovChain(createRng(31), 500);
    const turns = Array.from({ length: 12 }, (_, k) => [`kel${k}mir`, `da${k}vost`]);
    const source = [100, 300, 500, 700];
    for (const i of source) {
      const words = Array.from({ length: 200 }, () => vocab[randInt(rng, vocab.length)]!);
      for (const [a, b] of turns) if (rng() < 0.6) words.splice(randInt(rng, words.length), 0, a!, b!);
      texts[i] = [...texts[i]!.split(' ').slice(0, 20), 'zolp', ...words].join(' ');
    }
    const out = run(texts);
    const found = out.findings.filter((f) => f.evidence.trigger === 'zolp');
    expect(found).toHaveLength(1);
    expect(found[0]!.evidence.significance).toBeGreaterThanOrEqual(2);
    expect(found[0]!.severity).toBe('low');
    expect(found[0]!.evidence.sharedPhrasing).toBe(true);
    for (const i of source) expect(out.scores[i]).toBeLessThan(0.5);
    // The poisoned documents of the first test share only the phrase and random words: not one source.
    const poisoned = run(corpus(6).texts).findings.find((f) => f.evidence.trigger === 'qzv')!;
    expect(poisoned.severity).not.toBe('low');
    expect(poisoned.evidence.sharedPhrasing).toBeUndefined();
  });

  it('finds nothing in the clean documents', () => {
    expect(run(corpus(0).texts).findings.filter((f) => f.severity !== 'low')).toEqual([]);
  });
});
