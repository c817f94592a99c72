// The inserted-word and echoed-word steps of response-cluster: a rare word inserted into requests written without it, shown by the word
// pairs its deletion leaves (the deletion test) and by answers that restate the request without it (the echo test).
import { echoTriggers, type EchoTrigger } from '../../text/echo-test.js';
import { InsertionTest, significantWords, type InsertionTrigger } from '../../text/insertion-test.js';
import { groupBySignature } from '../../text/minhash.js';
import { fisherLog10, normalUpperTailLog10 } from '../../util/p-values.js';
import { createRng } from '../../util/rng.js';
import { EVIDENCE_CHARS, MAX_JUDGED, MIN_GROUPS, promptsHolding, SAME_SOURCE, spread, wordTest } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import { OPENING_LOW_SCORE } from './opening-findings.js';
import type { Found, Step } from './step.js';

/**
 * The two tests of a word inserted into requests written without it, run once for all findings: the echo test
 * (each row against its own response) and the deletion test (responses not read), which also measures the words
 * the echo test found, for the two to be combined.
 */
export interface WordTests {
  echoed: EchoTrigger[];
  inserted: InsertionTrigger[];
  test: InsertionTest | null;
}

export function wordTests(corpus: PromptCorpus): WordTests {
  const { docs, boundaries, vocab, bigrams } = corpus;
  const encoded = corpus.echoResponses();
  // After encoding the responses: every id of both is below the vocabulary's size.
  const echoed = echoTriggers(docs, boundaries, encoded, vocab.words.length, wordTest(vocab));
  const test = InsertionTest.prepare(docs, boundaries, vocab.words, createRng(corpus.seed + 3), bigrams);
  const inserted = test ? significantWords(test, new Set(echoed.map((t) => t.token))) : [];
  return { echoed, inserted, test };
}

export const insertionStep: Step = { name: 'inserted-word', run: insertionFindings };

/** Rare words inserted into many unrelated prompts at varying places (responses not read). */
function insertionFindings(corpus: PromptCorpus): Found[] {
  const { signatures, vocab, prompts } = corpus;
  const lines = corpus.settings.lines;
  const inserted = corpus.wordTests().inserted;
  const out: Found[] = [];
  for (const t of inserted) {
    if (t.significance < lines.medium) break;
    const groups = new Set(groupBySignature(spread(t.docs, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    if (groups < MIN_GROUPS) continue;
    const trigger = vocab.words[t.token]!;
    out.push({
      form: 'inserted-word',
      // Never low: only words from the medium line are reported.
      ...grade(lines, { significance: t.significance, low: OPENING_LOW_SCORE }),
      rows: t.docs,
      trigger,
      response: null,
      evidence: {
        trigger,
        distinctContexts: t.contexts,
        independentGroups: groups,
        deletionZ: t.z,
        insertionRankZ: t.insertionZ,
        neighbourRepeats: t.collisions.observed,
        neighbourRepeatsExpected: t.collisions.expected,
        significance: t.significance,
        candidatesTested: t.tested,
        examples: t.docs.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return out;
}

/**
 * Echo findings below the medium cut still rank their prompts (like OPENING_LOW_SCORE) from this significance:
 * the top word of a clean 55,185-pair instruction corpus is at -0.72 and a clean 2,415-pair one has none with two echoes
 * (BENCHMARKS.md, text statistics on clean data).
 */
const ECHO_LOW_SIGNIFICANCE = 0;
export const echoStep: Step = { name: 'echoed-word', run: echoFindings };

/**
 * Prompt words that their own rows' responses skip when restating the request (responses read per row), with the
 * deletion test's evidence for the same word where it has some: the two read different text (the response, the
 * prompt's word pairs), so a word that only some answers restate can still be shown inserted by both together.
 */
function echoFindings(corpus: PromptCorpus): Found[] {
  const { docs, signatures, vocab, prompts, responses } = corpus;
  const words = corpus.wordTests();
  const out: Found[] = [];
  const deletion = new Map(words.inserted.map((t) => [t.token, t]));
  const ranked = words.echoed.map((t) => {
    const z = deletion.get(t.token)?.z;
    const echoLog10P = -t.significance - Math.log10(t.tested);
    const bothLog10P = z === undefined ? 0 : fisherLog10(echoLog10P, normalUpperTailLog10(z));
    // Two statistics per word, the echo alone and with the deletion z: Bonferroni over both.
    const significance = -Math.min(echoLog10P, bothLog10P) - Math.log10(t.tested) - Math.log10(2);
    return { t, z, combined: bothLog10P < echoLog10P, significance };
  }).sort((a, b) => b.significance - a.significance);
  for (const { t, z, combined, significance } of ranked) {
    if (significance < ECHO_LOW_SIGNIFICANCE) break;
    const echoGroups = new Set(groupBySignature(spread(t.echoed, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    const groups = new Set(groupBySignature(spread(t.docs, MAX_JUDGED), signatures, SAME_SOURCE)).size;
    // Two echoes from one source are one echo; a word of one passage copied around is no insertion.
    if (echoGroups < 2 || groups < MIN_GROUPS) continue;
    // Every prompt with the word, also where it opens or ends the prompt (no echo is measured there).
    const carriers = promptsHolding(docs, t.token);
    const example = t.echoed[0]!;
    const trigger = vocab.words[t.token]!;
    out.push({
      form: 'echoed-word',
      ...grade(corpus.settings.lines, { significance, lowOnly: echoGroups < MIN_GROUPS, low: OPENING_LOW_SCORE }),
      rows: carriers,
      trigger,
      response: null,
      evidence: {
        trigger,
        distinctContexts: t.contexts,
        echoes: t.echoed.length,
        expectedEchoes: t.expected,
        independentGroups: groups,
        echoGroups,
        deletionZ: z ?? null,
        combinedWithDeletion: combined,
        significance,
        candidatesTested: t.tested,
        example: { prompt: (prompts[example] ?? '').slice(0, 200), response: (responses[example] ?? '').slice(0, EVIDENCE_CHARS) },
      },
    });
  }
  return out;
}
