// Kin of response-cluster's confirmed triggers: another trigger of the same backdoor, by nearness to the confirmed
// carriers and its deletion z (the inserted-word test).
import { MIN_CONTEXTS } from '../../text/insertion-test.js';
import { groupBySignature } from '../../text/minhash.js';
import { ReferenceNearness } from '../../text/reference-nearness.js';
import { tokenize } from '../../text/tokenize.js';
import { fisherLog10 } from '../../util/p-values.js';
import { MAX_JUDGED, MIN_GROUPS, promptsHolding, SAME_SOURCE, spread, wordTest } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import type { Found, Step, TriggerRecord } from './step.js';

/**
 * A word is judged only if its prompts are, on average (log10 of the share of prompts as near), at least half as
 * near the confirmed carriers as those are to each other, and among the nearest 10% at least: drawn from the same
 * pool (measured on a three-word backdoor: the carriers among themselves 0.18%, one trigger 0.023%; a clean word in
 * 232 prompts at 4.2% just passes this and is then far from significant).
 */
const KIN_MIN_NEARNESS = 1;
const KIN_POOL_SHARE = 0.5;
/** As for echo findings: a low finding from significance 0 (at most one such word expected by chance). */
const KIN_SIGNIFICANCE = 0;
export const KIN_SCORE = 0.46;

/**
 * Another trigger of a confirmed backdoor (several words, one behaviour, some in too few prompts or too weakly
 * inserted to pass the scan over every word). Once triggers are confirmed (medium or high), their carriers are a
 * sample of the poisoned pool. Two statistics per word, each read as an empirical p over all the words the deletion
 * test can measure (no assumption on their spread): how near its prompts are to that pool (their rare words), and
 * its deletion z against the deletions of the other words of the same prompts (their word pairs; a pool the corpus
 * knows poorly gives every deletion a high ratio). For a word that is not a trigger the two are close to
 * independent, so they are combined by Fisher's method, Bonferroni over all those words. Only words about as near
 * the pool as the pool is to itself, in several independent prompts, are judged. Low severity: ranked just below the
 * confirmed triggers, not flagged.
 */
export const kinStep: Step = { name: 'kin-word', run: kinFindings };

function kinFindings(corpus: PromptCorpus, findings: readonly TriggerRecord[]): Found[] {
  const { docs, signatures, vocab, prompts } = corpus;
  const confirmed = findings.filter((f) => f.severity !== 'low' && !!f.trigger);
  const test = corpus.wordTests().test;
  if (!test || confirmed.length === 0) return [];
  const triggers = [...new Set(confirmed.map((f) => f.trigger!))];
  const triggerTokens = new Set<number>();
  for (const t of triggers) for (const w of tokenize(t)) {
    const id = vocab.lookup(w);
    if (id !== undefined) triggerTokens.add(id);
  }
  const reference = [...new Set(confirmed.flatMap((f) => f.rows))].sort((a, b) => a - b);
  const inReference = new Set(reference);
  const isWord = wordTest(vocab);
  const near = new ReferenceNearness(docs, vocab.words.length, reference, (t) => triggerTokens.has(t) || !isWord(t));
  let own = 0;
  for (const r of reference) own += near.rarity(near.similarity[r]!);
  const minNearness = Math.max(KIN_MIN_NEARNESS, (KIN_POOL_SHARE * own) / reference.length);

  // Every word the deletion test can measure is a trial of both empirical nulls; the candidates are a few of them.
  const words: number[] = [];
  const nearnessOf: number[] = [];
  const candidates: { word: number; nearness: number }[] = [];
  for (const x of test.words()) {
    const texts = test.textsOf(x);
    if (triggerTokens.has(x) || texts.length < MIN_CONTEXTS) continue;
    words.push(x);
    const outside = texts.filter((i) => !inReference.has(i));
    let sum = 0;
    for (const i of outside) sum += near.rarity(near.nearnessWithout(i, x));
    const nearness = outside.length < MIN_GROUPS ? 0 : sum / outside.length;
    nearnessOf.push(nearness);
    if (nearness < minNearness) continue;
    // Copies of one passage near the pool are one prompt, not a pool.
    if (new Set(groupBySignature(spread(outside, MAX_JUDGED), signatures, SAME_SOURCE)).size < MIN_GROUPS) continue;
    candidates.push({ word: x, nearness });
  }
  const measured = candidates.map((c) => ({ ...c, t: test.measure(c.word, -Infinity, true) })).filter((c) => c.t !== null);
  if (measured.length === 0) return [];
  // Only words reaching the lowest candidate z need the checks.
  const zFloor = Math.min(...measured.map((c) => c.t!.z));
  const nullZ: number[] = [];
  for (const x of words) {
    const t = test.measure(x, zFloor, true);
    if (t) nullZ.push(t.z);
  }
  const out: Found[] = [];
  for (const { word, nearness, t } of measured) {
    const z = t!.z;
    const asInserted = nullZ.filter((v) => v >= z).length;
    const asNear = nearnessOf.filter((v) => v >= nearness).length;
    // Both counts hold the word itself.
    const both = fisherLog10(Math.log10(asNear / words.length), Math.log10(asInserted / words.length));
    const significance = -both - Math.log10(words.length);
    if (significance < KIN_SIGNIFICANCE) continue;
    const carriers = promptsHolding(docs, word);
    const trigger = vocab.words[word]!;
    out.push({
      form: 'kin-word',
      ...grade(corpus.settings.lines, { significance, lowOnly: true, low: KIN_SCORE }),
      rows: carriers,
      trigger,
      response: null,
      evidence: {
        trigger,
        kinOfTriggers: triggers,
        referencePrompts: reference.length,
        referenceNearness: own / reference.length,
        distinctContexts: t!.contexts,
        nearness,
        deletionZ: z,
        wordsAsNear: asNear,
        wordsAsInserted: asInserted,
        significance,
        candidatesTested: words.length,
        examples: carriers.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return out;
}
