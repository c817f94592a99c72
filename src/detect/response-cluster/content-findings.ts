// Step 12 of response-cluster: text that responses to unrelated prompts share and their prompts do not explain
// (text/injected-content.ts): a brand, a link or a phrase added to answers, with or without a trigger.
import { injectedContent } from '../../text/injected-content.js';
import { BigramCounts } from '../../text/insertion-fit.js';
import { dropSubsumed } from '../../text/phrases.js';
import type { Vocabulary } from '../../text/tokenize.js';
import type { ScanContext } from '../detector.js';
import { END_MARKERS, EVIDENCE_CHARS, scoreAboveMedium, severityOf, wordTest, type SignificanceLines } from './common.js';
import type { ResponseClusterFinding } from './finding-forms.js';

const SENTENCE_ENDS = new Set(['.', '!', '?']);
/** Top score of a unit too weak for medium: below the unexplained phrase lows. */
const LOW_SCORE = 0.4;

export function contentFindings(ctx: ScanContext, docs: Int32Array[], signatures: Uint32Array, promptBigrams: BigramCounts, vocab: Vocabulary, scores: Float32Array, lines: SignificanceLines): ResponseClusterFinding[] {
  const texts = ctx.texts!.response!;
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
  const prompts = ctx.texts!.prompt!;
  const out: ResponseClusterFinding[] = [];
  for (const c of kept) {
    const severity = severityOf(c.significance, lines);
    const score = severity === 'low' ? Math.min(LOW_SCORE, 0.3 + 0.05 * c.significance) : scoreAboveMedium(c.significance, lines, c.groups);
    for (const i of c.rows) scores[i] = Math.max(scores[i]!, score);
    out.push({
      form: 'injected-content',
      kind: 'response-cluster',
      severity,
      score,
      samples: c.rows,
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
