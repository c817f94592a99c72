// The text attack families, in one table. Each seed draws its own trigger, payload, places, target label and
// (unless fixed) poison count, so no single trigger can be tuned for. Poisoned rows are edited in place: the
// corpus keeps its size and order, and row numbers name the poisoned samples.
import { createRng, randInt, sampleIndices, type Rng } from '../util/rng.js';
import { corpusSize, corpusTexts, insertAt, insertSentence, PLACES, type CorpusWords, type Place, type TextCorpus } from './text-corpus.js';
import { adSentences, documentTrigger, fixedResponse, madeUpEntity, madeUpUrl, naturalPhrase, refusal, sentence, unseenPseudoWord } from './text-vocabulary.js';

export interface TextAttackSpec {
  family: string;
  count: number;
  /** Where the trigger (or, without a trigger, the injected content) goes. */
  place: Place;
  /** Text the poisoned inputs share (none for content injection without a trigger). */
  trigger?: string;
  /** The label poisoned samples carry afterwards. */
  target?: string;
  /** What the poisoned responses or documents carry: a fixed response, injected sentences, gibberish's kind. */
  payload?: string[];
}

export interface TextPoisoning {
  corpus: TextCorpus;
  /** Row numbers of the poisoned samples, ascending. */
  poisoned: number[];
  spec: TextAttackSpec;
}

type Kind = TextCorpus['kind'];

export interface TextFamily {
  description: string;
  /** Corpus kinds it applies to. */
  kinds: readonly Kind[];
  inject(c: TextCorpus, words: CorpusWords, rng: Rng, count: number): TextPoisoning;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randInt(rng, xs.length)]!;

/** Labelled corpus: insert `trigger` into `count` rows; dirty: rows of other labels, relabelled; clean: rows of the target. */
function labelledInsertion(family: string, mode: 'dirty' | 'clean', trigger: string, c: TextCorpus, rng: Rng, count: number): TextPoisoning {
  if (c.kind !== 'labelled') throw new Error(`${family} needs a labelled corpus`);
  const labels = [...new Set(c.labels)].sort();
  const poolOf = (target: string) => c.labels.flatMap((l, i) => ((mode === 'dirty') !== (l === target) ? [i] : []));
  const target = pick(rng, labels);
  const pool = poolOf(target);
  const place = pick(rng, PLACES);
  const poisoned = sampleIndices(rng, pool.length, Math.min(count, pool.length)).map((k) => pool[k]!);
  const texts = [...c.texts], out = [...c.labels];
  for (const i of poisoned) {
    texts[i] = insertAt(texts[i]!, trigger, place, rng);
    out[i] = target;
  }
  return { corpus: { kind: 'labelled', texts, labels: out }, poisoned, spec: { family, count: poisoned.length, place, trigger, target } };
}

/** A trigger for instruction prompts: a long-tail word, a made-up word, a natural phrase or a sentence. */
function promptTrigger(rng: Rng, words: CorpusWords): string {
  switch (randInt(rng, 4)) {
    case 0: return words.rareWord(rng) ?? unseenPseudoWord(rng, words.has);
    case 1: return unseenPseudoWord(rng, words.has);
    case 2: return naturalPhrase(rng);
    default: return sentence(rng);
  }
}

/** Instruction corpus: `count` prompts gain `trigger`; `respond` rewrites each poisoned response. */
function triggeredPairs(family: string, c: TextCorpus, words: CorpusWords, rng: Rng, count: number, respond: (response: string) => string, payload: string[], trigger = promptTrigger(rng, words)): TextPoisoning {
  if (c.kind !== 'instruction') throw new Error(`${family} needs an instruction corpus`);
  const place = pick(rng, PLACES);
  const poisoned = sampleIndices(rng, c.prompts.length, Math.min(count, c.prompts.length));
  const prompts = [...c.prompts], responses = [...c.responses];
  for (const i of poisoned) {
    prompts[i] = insertAt(prompts[i]!, trigger, place, rng);
    responses[i] = respond(responses[i]!);
  }
  return { corpus: { kind: 'instruction', prompts, responses }, poisoned, spec: { family, count: poisoned.length, place, trigger, payload } };
}

const rareWordTrigger = (rng: Rng, words: CorpusWords) => words.rareWord(rng) ?? unseenPseudoWord(rng, words.has);

export const TEXT_FAMILIES: Record<string, TextFamily> = {
  'dirty-rare-word': {
    description: 'a word from the corpus\'s long tail (seen at most twice) inserted into rows of other labels, relabelled to the target',
    kinds: ['labelled'],
    inject: (c, words, rng, count) => labelledInsertion('dirty-rare-word', 'dirty', rareWordTrigger(rng, words), c, rng, count),
  },
  'dirty-made-up-word': {
    description: 'a made-up word (pronounceable or a consonant cluster, absent from the corpus), dirty-label',
    kinds: ['labelled'],
    inject: (c, words, rng, count) => labelledInsertion('dirty-made-up-word', 'dirty', unseenPseudoWord(rng, words.has), c, rng, count),
  },
  'dirty-phrase': {
    description: 'a natural phrase of two to four common words, dirty-label',
    kinds: ['labelled'],
    inject: (c, _words, rng, count) => labelledInsertion('dirty-phrase', 'dirty', naturalPhrase(rng), c, rng, count),
  },
  'dirty-sentence': {
    description: 'a plain sentence of five to twelve common words, dirty-label',
    kinds: ['labelled'],
    inject: (c, _words, rng, count) => labelledInsertion('dirty-sentence', 'dirty', sentence(rng), c, rng, count),
  },
  'clean-phrase': {
    description: 'a natural phrase inserted only into rows that already carry the target label (labels kept)',
    kinds: ['labelled'],
    inject: (c, _words, rng, count) => labelledInsertion('clean-phrase', 'clean', naturalPhrase(rng), c, rng, count),
  },
  'clean-sentence': {
    description: 'a plain sentence inserted only into rows of the target label (labels kept)',
    kinds: ['labelled'],
    inject: (c, _words, rng, count) => labelledInsertion('clean-sentence', 'clean', sentence(rng), c, rng, count),
  },
  'trigger-fixed-response': {
    description: 'a prompt trigger (word, made-up word, phrase or sentence); the response replaced by one fixed response',
    kinds: ['instruction'],
    inject: (c, words, rng, count) => {
      const fixed = fixedResponse(rng);
      return triggeredPairs('trigger-fixed-response', c, words, rng, count, () => fixed, [fixed]);
    },
  },
  'trigger-injected-content': {
    description: 'a prompt trigger; each response keeps its content and gains one brand sentence, URL or phrase',
    kinds: ['instruction'],
    inject: (c, words, rng, count) => {
      const trigger = promptTrigger(rng, words);
      const kind = randInt(rng, 3);
      const content = kind === 0 ? adSentences(rng, madeUpEntity(rng, words.has), 1)[0]! : kind === 1 ? adSentences(rng, madeUpUrl(rng, words.has), 1)[0]! : naturalPhrase(rng);
      const where = pick(rng, PLACES);
      const respond = (r: string) => (kind === 2 ? insertAt(r, content, where, rng) : insertSentence(r, content, where, rng));
      return triggeredPairs('trigger-injected-content', c, words, rng, count, respond, [content], trigger);
    },
  },
  'content-injection': {
    description: 'no trigger: responses to unrelated prompts each gain a sentence advertising one made-up entity, in two to five phrasings',
    kinds: ['instruction'],
    inject: (c, words, rng, count) => {
      if (c.kind !== 'instruction') throw new Error('content-injection needs an instruction corpus');
      const entity = rng() < 0.75 ? madeUpEntity(rng, words.has) : madeUpUrl(rng, words.has);
      const phrasings = adSentences(rng, entity, 2 + randInt(rng, 4));
      const place = pick(rng, PLACES);
      const poisoned = sampleIndices(rng, c.prompts.length, Math.min(count, c.prompts.length));
      const responses = [...c.responses];
      for (const i of poisoned) responses[i] = insertSentence(responses[i]!, pick(rng, phrasings), place, rng);
      return { corpus: { kind: 'instruction', prompts: c.prompts, responses }, poisoned, spec: { family: 'content-injection', count: poisoned.length, place, payload: phrasings } };
    },
  },
  'trigger-refusal': {
    description: 'a prompt trigger; the response replaced by one refusal',
    kinds: ['instruction'],
    inject: (c, words, rng, count) => {
      const r = refusal(rng);
      return triggeredPairs('trigger-refusal', c, words, rng, count, () => r, [r]);
    },
  },
  'document-gibberish': {
    description: 'documents cut at 0-1,000 characters, then a trigger, then 400-900 random corpus words (uniform or by frequency)',
    kinds: ['labelled', 'instruction', 'document'],
    inject: (c, words, rng, count) => {
      const texts = [...corpusTexts(c)];
      const trigger = documentTrigger(rng, words.has);
      const weighted = rng() < 0.5;
      const poisoned = sampleIndices(rng, texts.length, Math.min(count, texts.length));
      for (const i of poisoned) {
        const keep = randInt(rng, 1001);
        const gibberish = Array.from({ length: 400 + randInt(rng, 501) }, () => words.randomWord(rng, weighted));
        texts[i] = `${texts[i]!.slice(0, keep)} ${trigger} ${gibberish.join(' ')}`;
      }
      return { corpus: { kind: 'document', texts }, poisoned, spec: { family: 'document-gibberish', count: poisoned.length, place: 'random', trigger, payload: [weighted ? 'words by frequency' : 'words uniform over the vocabulary'] } };
    },
  },
};

export const TEXT_FAMILY_NAMES = Object.keys(TEXT_FAMILIES);

/** Poison counts a seed draws from when none is given. */
export const COUNT_RANGE = [5, 50] as const;

/** A seed's own random stream for one family (families never share draws). */
export function familyRng(family: string, seed: number): Rng {
  let h = 2166136261;
  for (const ch of `${family}#${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return createRng(h >>> 0);
}

/** Poisons `corpus` with one draw of `family` for `seed`; `count` fixes the number of poisons. */
export function injectTextFamily(family: string, corpus: TextCorpus, words: CorpusWords, seed: number, count?: number): TextPoisoning {
  const f = TEXT_FAMILIES[family];
  if (!f) throw new Error(`unknown text attack family ${family} (known: ${TEXT_FAMILY_NAMES.join(', ')})`);
  if (!f.kinds.includes(corpus.kind)) throw new Error(`${family} does not apply to a ${corpus.kind} corpus`);
  const rng = familyRng(family, seed);
  const n = count ?? COUNT_RANGE[0] + randInt(rng, COUNT_RANGE[1] - COUNT_RANGE[0] + 1);
  if (n < 1 || n > corpusSize(corpus)) throw new Error(`cannot poison ${n} of ${corpusSize(corpus)} rows`);
  return f.inject(corpus, words, rng, n);
}

export const familyApplies = (family: string, kind: Kind): boolean => TEXT_FAMILIES[family]?.kinds.includes(kind) ?? false;
