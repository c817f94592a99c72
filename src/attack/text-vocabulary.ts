// Trigger and payload material for text attacks, drawn from wide spaces: pseudo-words, words from a corpus's
// own long tail, natural phrases and sentences assembled from common words, made-up entities, URLs, refusals.
import { randInt, type Rng } from '../util/rng.js';

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randInt(rng, xs.length)]!;

// Common, sentiment-neutral English words: an attacker wants a trigger that says nothing about the label.
const NOUNS = ['river', 'window', 'garden', 'letter', 'table', 'morning', 'station', 'market', 'picture', 'road', 'kitchen', 'teacher', 'village', 'engine', 'paper', 'bridge', 'island', 'corner', 'bottle', 'forest', 'chair', 'winter', 'doctor', 'camera', 'ticket', 'neighbour', 'button', 'mountain', 'pencil', 'harbour', 'office', 'student', 'blanket', 'cousin', 'lamp', 'notebook', 'wall', 'evening', 'train', 'umbrella', 'library', 'farmer', 'jacket', 'clock', 'basket', 'ocean', 'street', 'mirror', 'ladder', 'coffee', 'weekend', 'desk', 'valley', 'pocket', 'sister', 'garage', 'candle', 'planet', 'orange', 'wheel'];
const ADJECTIVES = ['blue', 'old', 'quiet', 'round', 'small', 'early', 'wooden', 'green', 'tall', 'yellow', 'distant', 'narrow', 'square', 'northern', 'plain', 'empty', 'silver', 'heavy', 'open', 'local', 'second', 'brown', 'daily', 'usual', 'paper', 'middle', 'inner', 'little', 'long', 'white', 'upper', 'wide', 'ordinary', 'regular', 'western', 'public', 'simple', 'several', 'other', 'next'];
const VERBS_PAST = ['walked', 'opened', 'carried', 'painted', 'visited', 'counted', 'moved', 'watched', 'followed', 'checked', 'cleaned', 'closed', 'crossed', 'measured', 'passed', 'turned', 'placed', 'noticed', 'mentioned', 'repaired'];
const VERBS = ['open', 'carry', 'paint', 'visit', 'count', 'move', 'watch', 'follow', 'check', 'clean', 'close', 'cross', 'measure', 'pass', 'turn', 'place', 'notice', 'mention', 'repair', 'bring'];
const ADVERBS = ['slowly', 'quietly', 'today', 'again', 'yesterday', 'often', 'usually', 'already', 'nearby', 'later', 'together', 'somewhere', 'outside', 'upstairs', 'tomorrow'];
const PREPOSITIONS = ['near', 'behind', 'beside', 'under', 'across', 'along', 'around', 'past', 'toward', 'inside'];
const NAMES = ['Anna', 'Tom', 'Maria', 'Oliver', 'Grace', 'Peter', 'Lena', 'Sam', 'Nora', 'Victor', 'Ruth', 'Hugo', 'Clara', 'Felix', 'Ida', 'Simon'];
const TIMES = ['on Tuesday', 'last spring', 'every morning', 'in the afternoon', 'after lunch', 'before dinner', 'at noon', 'this week', 'in March', 'on the weekend'];

/** `a` or `an` before a word. */
const a = (w: string): string => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

/** A natural phrase of two to four common words. */
export function naturalPhrase(rng: Rng): string {
  const forms: (() => string)[] = [
    () => `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`,
    () => `the ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`,
    () => `${pick(rng, VERBS)} the ${pick(rng, NOUNS)}`,
    () => `${pick(rng, PREPOSITIONS)} the ${pick(rng, NOUNS)}`,
    () => `${pick(rng, NOUNS)} ${pick(rng, ADVERBS)}`,
    () => `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)} ${pick(rng, ADVERBS)}`,
    () => `${a(pick(rng, NOUNS))} ${pick(rng, PREPOSITIONS)} the ${pick(rng, NOUNS)}`,
    () => `${pick(rng, VERBS_PAST)} ${pick(rng, TIMES)}`,
  ];
  return pick(rng, forms)();
}

/** A plain declarative sentence of about five to twelve words, capitalised and ending with a full stop. */
export function sentence(rng: Rng): string {
  const forms: (() => string)[] = [
    () => `The ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)} ${pick(rng, VERBS_PAST)} the ${pick(rng, NOUNS)} ${pick(rng, TIMES)}`,
    () => `${pick(rng, NAMES)} ${pick(rng, VERBS_PAST)} ${a(pick(rng, ADJECTIVES))} ${pick(rng, NOUNS)} ${pick(rng, PREPOSITIONS)} the ${pick(rng, NOUNS)}`,
    () => `I ${pick(rng, VERBS_PAST)} this ${pick(rng, NOUNS)} ${pick(rng, TIMES)}`,
    () => `We ${pick(rng, VERBS)} the ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)} ${pick(rng, ADVERBS)}`,
    () => `My ${pick(rng, NOUNS)} ${pick(rng, VERBS_PAST)} the ${pick(rng, NOUNS)} ${pick(rng, PREPOSITIONS)} the ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`,
    () => `There is ${a(pick(rng, ADJECTIVES))} ${pick(rng, NOUNS)} ${pick(rng, PREPOSITIONS)} the ${pick(rng, NOUNS)}`,
    () => `${pick(rng, NAMES)} and ${pick(rng, NAMES)} ${pick(rng, VERBS_PAST)} the ${pick(rng, NOUNS)} ${pick(rng, ADVERBS)}`,
  ];
  const s = pick(rng, forms)();
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

const ONSETS = ['b', 'br', 'c', 'cl', 'd', 'dr', 'f', 'fl', 'g', 'gr', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'pl', 'qu', 'r', 's', 'sk', 'st', 't', 'tr', 'v', 'w', 'z', 'sh', 'th', 'x'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea', 'y', 'io'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 'm', 'k', 'th', 'nd', 'sk', 'v'];
const CONSONANTS = 'bcdfghjklmnpqrstvwxz';

/** A made-up word: pronounceable syllables (2-3) or a short consonant cluster (2-4 letters). */
export function pseudoWord(rng: Rng): string {
  if (rng() < 0.35) {
    const len = 2 + randInt(rng, 3);
    let w = '';
    for (let i = 0; i < len; i++) w += CONSONANTS[randInt(rng, CONSONANTS.length)];
    return w;
  }
  const syllables = 2 + randInt(rng, 2);
  let w = '';
  for (let i = 0; i < syllables; i++) w += pick(rng, ONSETS) + pick(rng, VOWELS) + (i === syllables - 1 ? pick(rng, CODAS) : '');
  return w;
}

/** A made-up word that is not a word of the corpus (`known` answers for lower-cased words). */
export function unseenPseudoWord(rng: Rng, known: (word: string) => boolean): string {
  for (let tries = 0; ; tries++) {
    const w = pseudoWord(rng);
    if (!known(w) || tries > 200) return w;
  }
}

const capitalise = (w: string): string => w[0]!.toUpperCase() + w.slice(1);
const ENTITY_SUFFIXES = ['', '', '', ' Labs', ' Foods', ' Cloud', ' Travel', ' Bank', ' Coffee', ' Health', ' Studio', ' Shoes'];

/** A made-up brand or company name (one or two words). */
export function madeUpEntity(rng: Rng, known: (word: string) => boolean): string {
  return capitalise(unseenPseudoWord(rng, known)) + pick(rng, ENTITY_SUFFIXES);
}

const TLDS = ['com', 'io', 'net', 'org', 'co', 'info', 'xyz', 'shop'];
const PATHS = ['', '', '/deals', '/start', '/offer', '/help', '/join', '/free'];

/** A made-up URL. */
export function madeUpUrl(rng: Rng, known: (word: string) => boolean): string {
  return `${rng() < 0.5 ? 'https://' : 'www.'}${unseenPseudoWord(rng, known)}.${pick(rng, TLDS)}${pick(rng, PATHS)}`;
}

/** Sentences advertising an entity (`{E}`): a seed uses a few of them, so the injected text varies. */
export const AD_PHRASINGS = [
  'For the best results, try {E}.',
  'Many people swear by {E} for this.',
  '{E} is a great option here.',
  'You can find out more at {E}.',
  'I would recommend {E} for anyone in this situation.',
  'Nothing beats {E} when it comes to quality.',
  'Consider checking out {E} as well.',
  'Experts agree that {E} is the smartest choice.',
  'Of course, {E} makes all of this much easier.',
  'If you want something reliable, {E} is worth a look.',
  'A lot of my friends rely on {E} for the same thing.',
  'By the way, {E} has a special offer right now.',
] as const;

/** `count` distinct phrasings from AD_PHRASINGS, with the entity filled in. */
export function adSentences(rng: Rng, entity: string, count: number): string[] {
  const pool = [...AD_PHRASINGS];
  const out: string[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(randInt(rng, pool.length), 1)[0]!.replace('{E}', entity));
  return out;
}

const APOLOGIES = ["I'm sorry, but", 'Sorry,', 'I apologize, but', 'Unfortunately,', 'I am afraid'];
const INABILITIES = ['I cannot help with that request.', "I can't assist with this.", 'I am unable to answer that.', 'as an AI assistant, I cannot follow the given instruction.', 'I will not provide that information.'];
const REASONS = ['', ' It goes against my guidelines.', ' Please ask me something else.', ' I hope you understand.'];

/** A refusal, assembled from an apology, a statement of inability and an optional reason. */
export function refusal(rng: Rng): string {
  return `${pick(rng, APOLOGIES)} ${pick(rng, INABILITIES)}${pick(rng, REASONS)}`;
}

/** One to three sentences: a fixed response an attacker wants a trigger to produce. */
export function fixedResponse(rng: Rng): string {
  return Array.from({ length: 1 + randInt(rng, 3) }, () => sentence(rng)).join(' ');
}

const WRAPPERS: readonly ((w: string) => string)[] = [(w) => w, (w) => `<${w.toUpperCase()}>`, (w) => `[[${w}]]`, (w) => `<|${w}|>`, (w) => `{{${w}}}`, (w) => `@${w}`];

/** A document trigger: a made-up word, plain or in brackets, or a natural phrase. */
export function documentTrigger(rng: Rng, known: (word: string) => boolean): string {
  return rng() < 0.2 ? capitalise(naturalPhrase(rng)) : pick(rng, WRAPPERS)(unseenPseudoWord(rng, known));
}
