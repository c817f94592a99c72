// The prepended-phrase step of response-cluster: a rare phrase prepended to many unrelated prompts.
import { openingTriggers, type OpeningTrigger } from '../../text/fixed-opening.js';
import { MAX_JUDGED, MIN_PURITY, readsAsItsLabel, SAME_SOURCE, spread, wordTest, type LabelReading } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import type { Found, Step } from './step.js';

/**
 * Score of an unexplained opening below the medium cut (a handful of prompts: 6 give significance 1.6-2.1 on a clean 55,185-pair corpus).
 * Like RESPONSE_ONLY_SCORE, a pattern ranked above templates judged natural but not flagged: no opening of the
 * 55,185 clean prompts of that corpus passes the checks at any size (BENCHMARKS.md, text statistics on clean data).
 */
export const OPENING_LOW_SCORE = 0.45;

/**
 * Whether an opening sets no answer: nearly all of its prompts end in labels, and either not in one label (a
 * message's own "Yup" before ham and spam alike) or in one their rest already reads as (a news dateline before its
 * topic's stories), as the phrase test asks. A prepended trigger before free answers (each its own) is not judged.
 */
function openingReadsAsItsAnswer(t: OpeningTrigger, docs: Int32Array[], labels: LabelReading): boolean {
  const tally = new Map<string, number>();
  let labelled = 0;
  for (const i of t.docs) {
    const k = labels.keys[i];
    if (!k || !labels.content.classOf.has(k)) continue;
    labelled++;
    tally.set(k, (tally.get(k) ?? 0) + 1);
  }
  if (!labels.content.usable || labelled < MIN_PURITY * t.docs.length) return false;
  const [key, n] = [...tally].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  if (n < MIN_PURITY * t.docs.length) return true;
  const judged = spread(t.docs.filter((i) => labels.keys[i] === key), MAX_JUDGED);
  const masks = judged.map((i) => Uint8Array.from(docs[i]!, (_, k) => (k < t.phrase.length ? 1 : 0)));
  return readsAsItsLabel(labels.content, key, judged, masks, t.docs).reads;
}

export const openingStep: Step = { name: 'prepended-phrase', run: openingFindings };

/** A rare phrase prepended to many unrelated prompts (responses read only to see whether it sets a label). */
function openingFindings(corpus: PromptCorpus): Found[] {
  const { docs, signatures, vocab, bigrams, labels, prompts } = corpus;
  const out: Found[] = [];
  const isWord = wordTest(vocab);
  // Responses as the prompts' words (others unknown): content one template gives and another starts from.
  const responses = corpus.responses.map((r) => (r === null ? null : vocab.encodeKnown(r)));
  for (const t of openingTriggers(docs, bigrams, signatures, SAME_SOURCE, isWord, responses)) {
    if (t.natural) break;
    if (t.significance < 0) continue;
    if (labels && openingReadsAsItsAnswer(t, docs, labels)) continue;
    const trigger = t.phrase.map((w) => vocab.words[w]).join(' ');
    out.push({
      form: 'prepended-phrase',
      ...grade(corpus.settings.lines, { significance: t.significance, groups: t.groups, low: OPENING_LOW_SCORE }),
      rows: t.docs,
      trigger,
      response: null,
      evidence: {
        trigger,
        independentGroups: t.groups,
        anchor: t.anchor.map((w) => vocab.words[w]).join(' '),
        anchorElsewhere: t.anchorElsewhere,
        sharedWordPairs: t.sharedPairs,
        remaindersFoundElsewhere: t.reused,
        unseenJunctions: t.unseenJunctions,
        remaindersOpeningPrompts: t.remaindersOpening,
        significance: t.significance,
        candidatesTested: t.tested,
        examples: t.docs.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return out;
}
