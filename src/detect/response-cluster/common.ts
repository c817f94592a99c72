// What response-cluster's tests share: the cut-offs every finding uses, how responses are compared, how a
// label is read off prompts, and small helpers over prompts.
import type { LabelContent } from '../../text/label-content.js';
import { isWordToken, type Vocabulary } from '../../text/tokenize.js';

export const MIN_GROUPS = 3;
/** Share of a phrase's prompts that must end in its response cluster. */
export const MIN_PURITY = 0.9;
export const END_MARKERS = /<\|endoftext\|>|<\/s>|<eos>|<\|im_end\|>|<\|eot_id\|>/g;
/** Share of the response's words a prompt must contain for the response to be read off the prompt. */
const ECHO_WORDS = 0.6;
/** Estimated Jaccard similarity of word pairs above which two prompts are one source (a template filled twice). */
export const SAME_SOURCE = 0.5;
/** Prompts per candidate used for source groups and fit (the pairwise grouping is quadratic). */
export const MAX_JUDGED = 200;
/** Longest response text kept in the evidence. */
export const EVIDENCE_CHARS = 300;
/**
 * A label-like answer's phrase is natural when its prompts, read without it, give that label a posterior of at
 * least AGREE_POSTERIOR nearly as often as the label's own prompts do: at least halfway from what a trigger on
 * prompts drawn at random gets to their rate. Such a trigger agrees only as often as the label's share among like
 * prompts, times that rate: the label's share of all prompts where labels are the corpus's answer space (a quarter
 * for four news topics), else about half, the most a two-way label gives (47% of a sentiment set's "Negative"
 * sentences are negative).
 */
const TRIGGER_AGREE_SHARE = 0.5;
const AGREE_POSTERIOR = 0.5;
/** A prompt with fewer words left than this says nothing about its label. */
const MIN_CONTENT_TOKENS = 3;
/** Prompts of a label read to learn how well the label can be read off its prompts at all. */
const BASE_SAMPLE = 500;
export const NOT_READ = { agreement: null, baseAgreement: null, reads: false } as const;

/**
 * Whether the prompts `judged` (all answered with the label `key`), read without `masks` and with `outOf` out of the
 * model, give the label nearly as often as its own prompts do (halfway from a trigger's rate, TRIGGER_AGREE_SHARE).
 */
export function readsAsItsLabel(content: LabelContent, key: string, judged: number[], masks: Uint8Array[], outOf: number[]): { agreement: number | null; baseAgreement: number | null; reads: boolean } {
  // Where labels are the answer space, each prompt is read as the label's own are (without itself): taking a topic's
  // hundreds of prompts out at once takes its words' evidence with them ("stocks" -> "Business": 0.40 against 0.98).
  const answerSpace = content.answerSpace;
  const agreement = (answerSpace ? content.agreementEach(key, judged, masks, outOf, AGREE_POSTERIOR, MIN_CONTENT_TOKENS, MIN_GROUPS) : null)
    ?? content.agreement(key, judged, masks, outOf, AGREE_POSTERIOR, MIN_CONTENT_TOKENS, MIN_GROUPS);
  if (agreement === null) return NOT_READ;
  const baseAgreement = content.baseAgreement(key, AGREE_POSTERIOR, MIN_CONTENT_TOKENS, BASE_SAMPLE);
  const triggerShare = answerSpace ? content.share(key) : TRIGGER_AGREE_SHARE;
  return { agreement, baseAgreement, reads: baseAgreement !== null && agreement >= ((1 + triggerShare) / 2) * baseAgreement };
}

/**
 * The share of the label's own prompts that read as it (LabelContent.baseAgreement at the posterior the label rule
 * uses): null where `key` is no label.
 */
export function labelReadability(content: LabelContent, key: string): number | null {
  return content.baseAgreement(key, AGREE_POSTERIOR, MIN_CONTENT_TOKENS, BASE_SAMPLE);
}

/** The label model and each prompt's normalised response, for the opening test's look at labels. */
export interface LabelReading {
  content: LabelContent;
  keys: readonly (string | null)[];
}

/** Case, spacing, end-of-text markers and trailing punctuation do not make two responses different. */
export function normaliseResponse(r: string): string {
  return r.replace(END_MARKERS, ' ').toLowerCase().replace(/\s+/g, ' ').trim().replace(/[\s.!?]+$/u, '');
}

/** Adds value to the list under key. */
export function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whether a token id is a word (letters or digits), not punctuation. */
export const wordTest = (vocab: Vocabulary) => (t: number): boolean => isWordToken(vocab.words[t]!);

/**
 * Whether most of the response's words are written in nearly all of the prompts: the answer is a choice offered
 * by the prompt or a span of it ("- Smoking" -> "Smoking", a sentence -> its concepts "field, plow, farmer"),
 * allowing for inflection ("plowing" -> "plow").
 */
export function echoes(ids: number[], docs: Int32Array[], response: Int32Array, words: string[]): boolean {
  const content = [...new Set(response)].filter((w) => isWordToken(words[w]!));
  if (content.length === 0) return false;
  let hits = 0;
  for (const i of ids) {
    const d = new Set(docs[i]!);
    let present = 0;
    for (const w of content) {
      if (d.has(w)) present++;
      else for (const t of d) if (sameStem(words[w]!, words[t]!)) { present++; break; }
    }
    if (present >= ECHO_WORDS * content.length) hits++;
  }
  return hits >= 0.8 * ids.length;
}

/** "carry" and "carrying", "herd" and "herding": a shared prefix of all but the last two letters, at least 3. */
export function sameStem(a: string, b: string): boolean {
  const need = Math.max(3, Math.min(a.length, b.length) - 2);
  if (a.length < need || b.length < need) return false;
  for (let k = 0; k < need; k++) if (a.charCodeAt(k) !== b.charCodeAt(k)) return false;
  return true;
}

/** Every prompt holding the token, wherever it sits. */
export function promptsHolding(docs: Int32Array[], token: number): number[] {
  const out: number[] = [];
  docs.forEach((d, i) => {
    if (d.includes(token)) out.push(i);
  });
  return out;
}

/** At most `max` of the ids, evenly spread (ids are in dataset order; the first ones may be one passage). */
export function spread(ids: number[], max: number): number[] {
  if (ids.length <= max) return ids;
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(ids[Math.floor((k * ids.length) / max)]!);
  return out;
}
