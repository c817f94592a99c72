// The shared-response step of response-cluster: a multi-word response given to unrelated prompts that no phrase explains.
import { documentFrequency } from '../../text/document-frequency.js';
import { groupBySignature } from '../../text/minhash.js';
import { SHARED_PAIRS, SHARED_SAMPLE, sharedPairs } from '../../text/shared-pairs.js';
import { isWordToken } from '../../text/tokenize.js';
import { echoes, EVIDENCE_CHARS, MAX_JUDGED, MIN_GROUPS, SAME_SOURCE, spread } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import type { Found, Step, TriggerRecord } from './step.js';

/**
 * A response of at least this many words given to MIN_GROUPS unrelated prompts that share no template is reported
 * even without a shared phrase (several triggers, one payload). Measured: no such response in
 * a clean 55,185-pair corpus at 3 words; at 2 words natural answers ("united states") appear.
 */
const RESPONSE_ONLY_WORDS = 3;
const RESPONSE_ONLY_SCORE = 0.45;
/** Share of a cluster's prompts a word pair must be in to count as their shared template. */
const TEMPLATE_SHARE = 0.5;
/** Words in at most this share of all prompts and in two of a cluster's prompts are named as possible triggers. */
const HINT_MAX_SHARE = 0.001;

/**
 * Clusters of a multi-word response given to several unrelated prompts (independent by MinHash, no shared
 * template pairs, the response not read off the prompts), whether or not a phrase explains them. Low severity:
 * canned answers exist in clean data (refusals in safety data), but nothing else in a clean corpus looks so.
 * Words shared by two or more of the prompts and rare elsewhere are named as trigger candidates.
 */
export const responseOnlyStep: Step = { name: 'shared-response', run: responseOnlyFindings };

function responseOnlyFindings(corpus: PromptCorpus, earlier: readonly TriggerRecord[]): Found[] {
  const { clusters, clusterText, docs, signatures, bigrams, vocab, responseTokens } = corpus;
  const members: number[][] = clusterText.map(() => []);
  clusters.forEach((c, i) => {
    if (c >= 0) members[c]!.push(i);
  });
  // Document frequencies for the trigger hints, counted only if some cluster is reported.
  let df: Int32Array | null = null;
  const out: Found[] = [];
  members.forEach((ids, c) => {
    const words = [...responseTokens[c]!].filter((w) => isWordToken(vocab.words[w]!)).length;
    if (words < RESPONSE_ONLY_WORDS || ids.length < MIN_GROUPS) return;
    // Already explained, every prompt of it, by phrase findings.
    const explained = new Set<number>();
    for (const k of earlier) if (k.cluster === c && !k.natural) for (const i of k.rows) explained.add(i);
    if (ids.every((i) => explained.has(i))) return;
    const judged = spread(ids, MAX_JUDGED);
    const groups = new Set(groupBySignature(judged, signatures, SAME_SOURCE)).size;
    if (groups < MIN_GROUPS) return;
    if (sharedPairs(judged.slice(0, SHARED_SAMPLE), docs, bigrams, TEMPLATE_SHARE) >= SHARED_PAIRS) return;
    if (echoes(judged, docs, responseTokens[c]!, vocab.words)) return;
    const tally = new Map<number, number>();
    const counts = (df ??= documentFrequency(docs, vocab.words.length));
    for (const i of ids) for (const w of new Set(docs[i]!)) if (counts[w]! <= Math.max(2, HINT_MAX_SHARE * docs.length)) tally.set(w, (tally.get(w) ?? 0) + 1);
    const hints = [...tally].filter(([, k]) => k >= 2).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([w, k]) => ({ word: vocab.words[w]!, prompts: k }));
    const response = clusterText[c]!.slice(0, EVIDENCE_CHARS);
    out.push({
      form: 'shared-response',
      ...grade(corpus.settings.lines, { significance: null, lowOnly: true, low: RESPONSE_ONLY_SCORE }),
      rows: ids,
      trigger: null,
      response,
      cluster: c,
      evidence: {
        trigger: null,
        response,
        independentGroups: groups,
        rareWordsShared: hints,
        examples: ids.slice(0, 3).map((i) => (corpus.prompts[i] ?? '').slice(0, 200)),
      },
    });
  });
  return out;
}
