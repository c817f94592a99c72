// The twins step of response-cluster: twin prompts, the same request with and without the trigger, answered differently.
import { documentFrequency } from '../../text/document-frequency.js';
import { groupBySignature } from '../../text/minhash.js';
import { findTwins, type InsertedTwin } from '../../text/twins.js';
import type { PromptPair } from '../../model/evidence.js';
import { append, EVIDENCE_CHARS, MAX_JUDGED, MIN_GROUPS, SAME_SOURCE, spread, wordTest } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import type { Found, Step } from './step.js';

/** Share of the prompts holding a twin phrase's words that must have a twin without them. */
const TWIN_SHARE = 0.5;
const TWIN_HIGH_GROUPS = 10;
/** A twin phrase's score rises by this per independent group (up to 10) from 0.5. */
const TWIN_PER_GROUP = 0.02;
const TWIN_PER_CARRIER = 1.5;

/**
 * Words whose addition changes the answer: the same few words are all that separates a prompt from its twin,
 * whose response differs, over several unrelated pairs, and most prompts holding them have such a twin
 * (src/text/twins.ts). The carriers (with the words) are the suspects; their twins are what the data says the
 * answer should be.
 */
export const twinStep: Step = { name: 'twins', run: twinFindings };

function twinFindings(corpus: PromptCorpus): Found[] {
  const { docs, keys, signatures, vocab } = corpus;
  const out: Found[] = [];
  const { phrases, inserted } = findTwins(docs, keys, MIN_GROUPS);
  const reported = new Set<number>();
  /** Answer -> the reported triggers whose carriers all get it (a fixed label). */
  const fixedLabels = new Map<string, string[]>();
  for (const t of phrases) {
    // Most prompts with the words have a twin, and each its own: a carrier that is the twin of many prompts is a
    // template filled with short texts ("rate this review: <two words>"), not one request asked with and without.
    if (t.carriers.length < TWIN_SHARE * t.holders || t.twins.length > TWIN_PER_CARRIER * t.carriers.length) continue;
    const groups = new Set(groupBySignature(spread(t.carriers, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    if (groups < MIN_GROUPS) continue;
    for (const i of t.carriers) reported.add(i);
    // The words in the order the first carrier has them.
    const [carrier, twinOf] = t.example;
    const first = docs[carrier]!;
    const set = new Set(t.words);
    const ordered = [...new Set([...first].filter((w) => set.has(w)))];
    const phrase = ordered.map((w) => vocab.words[w]).join(' ');
    const answer = keys[t.carriers[0]!];
    if (answer != null && t.carriers.every((i) => keys[i] === answer)) append(fixedLabels, answer, phrase);
    out.push({
      form: 'twin-phrase',
      ...grade(corpus.settings.lines, { groups, highGroups: TWIN_HIGH_GROUPS, perGroup: TWIN_PER_GROUP }),
      rows: t.carriers,
      trigger: phrase,
      response: null,
      evidence: { trigger: phrase, promptsWithWords: t.holders, independentGroups: groups, twins: t.twins.length, example: pairOf(corpus, carrier), twin: pairOf(corpus, twinOf) },
    });
  }
  out.push(...minimalPairFindings(corpus, inserted, reported, fixedLabels));
  return out;
}

const MINIMAL_PAIR_SCORE = 0.44;
/** At most this many minimal-pair findings (one per word), the most pairs with another response first. */
const MAX_MINIMAL_PAIRS = 20;

/**
 * A trigger seen in too few twin pairs with another response for a twin phrase (several triggers with their clean twins: three
 * triggers, one behaviour): every prompt in the corpus holding a rare word is its twin token for token plus one
 * inserted run with the word, at least one twin gets another response, and the word sets the answer: either every
 * twin's differs (each compliant answer its own) or every carrier gets the same one (a fixed label,
 * which some twins had already). Low severity, ranked, not flagged: measured on a clean 55,185-pair corpus, no word
 * passes (the nearest, "usefull", has a twin without it in 3 of its 6 prompts). Once a trigger (or a twin phrase)
 * gives every carrier one answer, a word of the same shape whose twins all got that answer too is reported as its
 * kin: on that corpus one word has twins that all answer as its carriers do ("analyzer"), and its carriers answer differently.
 */
function minimalPairFindings(corpus: PromptCorpus, inserted: InsertedTwin[], reported: Set<number>, fixedLabels: Map<string, string[]>): Found[] {
  if (inserted.length === 0) return [];
  const { docs, keys, vocab } = corpus;
  const df = documentFrequency(docs, vocab.words.length);
  const isWord = wordTest(vocab);
  const byWord = new Map<number, InsertedTwin[]>();
  for (const p of inserted) {
    let rarest = -1;
    for (let t = p.start; t < p.start + p.length; t++) {
      const w = docs[p.carrier]![t]!;
      if (isWord(w) && (rarest < 0 || df[w]! < df[rarest]!)) rarest = w;
    }
    if (rarest < 0) continue;
    append(byWord, rarest, p);
  }
  type Word = { word: number; carriers: number[]; pairs: InsertedTwin[]; other: number; kinOf?: string[] };
  const kept: Word[] = [];
  // Words whose twins all answer as their carriers do, keyed by that one answer: kin of a confirmed trigger.
  const sameAnswer = new Map<string, Word[]>();
  for (const [word, pairs] of byWord) {
    const carriers = [...new Set(pairs.map((p) => p.carrier))].sort((a, b) => a - b);
    if (carriers.length < df[word]! || carriers.every((i) => reported.has(i))) continue;
    const other = pairs.filter((p) => !p.sameResponse).length;
    const first = keys[carriers[0]!];
    const answer = carriers.every((i) => keys[i] === first) ? first : null;
    if (other === 0) {
      if (answer != null) append(sameAnswer, answer, { word, carriers, pairs, other });
      continue;
    }
    if (other < pairs.length && answer == null) continue;
    kept.push({ word, carriers, pairs, other });
    if (answer != null) append(fixedLabels, answer, vocab.words[word]!);
  }
  // Several triggers, one fixed label: a twin whose clean label already was the target shows nothing by
  // itself, but a word of the same shape whose carriers all get the label a confirmed trigger forces is its kin.
  for (const [answer, words] of sameAnswer) {
    const confirmed = fixedLabels.get(answer);
    if (confirmed) for (const w of words) kept.push({ ...w, kinOf: confirmed });
  }
  kept.sort((a, b) => Number(a.kinOf !== undefined) - Number(b.kinOf !== undefined) || b.other - a.other || b.carriers.length - a.carriers.length || a.carriers[0]! - b.carriers[0]!);
  return kept.slice(0, MAX_MINIMAL_PAIRS).map(({ word, carriers, pairs, other, kinOf }): Found => {
    const low = kinOf ? MINIMAL_PAIR_SCORE - 0.01 : MINIMAL_PAIR_SCORE + 0.01 * Math.min(other, 5);
    const { carrier, twin, start, length } = pairs.find((p) => !p.sameResponse) ?? pairs[0]!;
    const trigger = [...docs[carrier]!.subarray(start, start + length)].map((t) => vocab.words[t]).join(' ');
    return {
      form: 'twin-word',
      ...grade(corpus.settings.lines, { significance: null, lowOnly: true, low }),
      rows: carriers,
      trigger,
      response: null,
      evidence: {
        trigger,
        rarestWord: vocab.words[word]!,
        promptsWithWord: df[word]!,
        twinPairs: pairs.length,
        twinPairsWithOtherResponse: other,
        kinOfTriggers: kinOf ?? null,
        example: pairOf(corpus, carrier),
        twin: pairOf(corpus, twin),
      },
    };
  });
}

/** A row's prompt and response, cut short. */
function pairOf(corpus: PromptCorpus, i: number): PromptPair {
  return { prompt: (corpus.prompts[i] ?? '').slice(0, 200), response: (corpus.responses[i] ?? '').slice(0, EVIDENCE_CHARS) };
}
