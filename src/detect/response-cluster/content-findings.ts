// The injected-content step of response-cluster: text that responses to unrelated prompts share and their prompts do not explain
// (text/injected-content.ts): a brand, a link or a phrase added to answers, with or without a trigger.
import { injectedContent } from '../../text/injected-content.js';
import { BigramCounts } from '../../text/insertion-fit.js';
import { dropSubsumed } from '../../text/phrases.js';
import { END_MARKERS, EVIDENCE_CHARS, wordTest } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import type { Found, Step } from './step.js';

const SENTENCE_ENDS = new Set(['.', '!', '?']);
/** Top score of a unit too weak for medium: below the unexplained phrase lows. */
const LOW_SCORE = 0.4;

export const contentStep: Step = { name: 'injected-content', run: contentFindings };

function contentFindings(corpus: PromptCorpus): Found[] {
  const { docs, signatures, vocab, bigrams: promptBigrams } = corpus;
  const texts = corpus.responses;
  const responses = texts.map((r) => vocab.encode((r ?? '').replace(END_MARKERS, ' ')));
  const isWord = wordTest(vocab);
  const { found, tested } = injectedContent({
    prompts: docs,
    responses,
    vocabSize: vocab.words.length,
    isWord,
    isSentenceEnd: (t) => SENTENCE_ENDS.has(vocab.words[t]!),
    promptBigrams,
    responseBigrams: new BigramCounts(responses, vocab.words.length),
    promptSignatures: signatures,
  });
  const candidates = found.map((f) => ({ ...f, tokens: f.unit.tokens }));
  const kept = dropSubsumed(candidates, (c) => c.rows);
  const prompts = corpus.prompts;
  const out: Found[] = [];
  for (const c of kept) {
    out.push({
      form: 'injected-content',
      ...grade(corpus.settings.lines, { significance: c.significance, groups: c.groups, low: { base: 0.3, slope: 0.05, max: LOW_SCORE } }),
      rows: c.rows,
      trigger: null,
      response: null,
      evidence: {
        content: c.tokens.map((t) => vocab.words[t]).join(' '),
        responsesWithContent: c.unit.rows.length,
        unexplainedResponses: c.unit.unexplained.length,
        promptsWithContent: c.unit.prompts,
        independentGroups: c.groups,
        significance: c.significance,
        unitsTested: tested,
        promptTrigger: c.trigger ? c.trigger.map((t) => vocab.words[t]).join(' ') : null,
        examples: c.rows.slice(0, 3).map((i) => (texts[i] ?? '').slice(0, EVIDENCE_CHARS)),
        examplePrompts: c.rows.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return out;
}
