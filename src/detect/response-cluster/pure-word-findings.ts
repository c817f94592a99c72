// The pure-word step of response-cluster: a word in only 2-5 unrelated prompts, all ending in one response.
import { MAX_PLACES, pureResponseWords } from '../../text/pure-response-words.js';
import { tokenize } from '../../text/tokenize.js';
import { append, EVIDENCE_CHARS, MIN_GROUPS, normaliseResponse, sameStem, wordTest } from './common.js';
import type { PromptCorpus } from './corpus.js';
import { grade } from './grade.js';
import { KIN_SCORE } from './kin-findings.js';
import type { Found, Step, TriggerRecord } from './step.js';

/**
 * A pure word (text/pure-response-words.ts) is reported from significance 0, in MIN_GROUPS unrelated prompts when it
 * stands alone and from 2 beside a trigger of the same response: a confirmed one (medium or high) or another pure
 * word at medium significance. The answer is then known to be a backdoor's target, as several triggers of one backdoor share one,
 * and a word in two prompts is the count such a trigger has at 0.02%. Low severity even when significant: a word
 * in a few short prompts can set their answer naturally ("hamlet" -> "shakespeare"), and nothing here says whether
 * it fits its place.
 */
const PURE_SIGNIFICANCE = 0;
const PURE_SCORE = 0.43;
/** A pure word at medium significance, ranked above the kin it gives their answer to. */
const PURE_STRONG_SCORE = 0.47;

export const pureWordStep: Step = { name: 'pure-word', run: pureWordFindings };

function pureWordFindings(corpus: PromptCorpus, findings: readonly TriggerRecord[]): Found[] {
  const { docs, keys, keyCount, vocab, prompts } = corpus;
  const lines = corpus.settings.lines;
  const targets = new Map<string, string[]>();
  // A word of a confirmed trigger phrase is that trigger, already reported.
  const confirmedWords = new Set<string>();
  for (const f of findings) {
    const { response, trigger } = f;
    if (f.severity === 'low' || response === null || trigger === null) continue;
    append(targets, normaliseResponse(response), trigger);
    for (const w of tokenize(trigger)) confirmedWords.add(w);
  }
  const isWord = wordTest(vocab);
  const responseWords = new Map<string, string[]>();
  const inResponse = (t: number, key: string) => {
    let r = responseWords.get(key);
    if (!r) responseWords.set(key, (r = tokenize(key)));
    const w = vocab.words[t]!;
    return r.some((x) => x === w || sameStem(w, x));
  };
  const { words, judged } = pureResponseWords({ docs, vocabSize: vocab.words.length, keys, keyCount, isWord, inResponse }, 2);
  for (const p of words) if (p.significance >= lines.medium) append(targets, p.response, vocab.words[p.token]!);
  // A word some finding already scores as high names no new rows.
  const best = new Map<string, number>();
  for (const { trigger, score } of findings) if (trigger !== null) best.set(trigger, Math.max(best.get(trigger) ?? 0, score));
  const out: Found[] = [];
  for (const p of words) {
    const w = vocab.words[p.token]!;
    if (confirmedWords.has(w)) continue;
    const others = targets.get(p.response)?.filter((x) => x !== w);
    const kinOf = others && others.length > 0 ? [...new Set(others)] : undefined;
    if (p.significance < PURE_SIGNIFICANCE || (!kinOf && p.groups < MIN_GROUPS)) continue;
    const graded = grade(lines, { significance: p.significance, lowOnly: true, low: p.significance >= lines.medium ? PURE_STRONG_SCORE : kinOf ? KIN_SCORE : PURE_SCORE });
    if ((best.get(w) ?? 0) >= graded.score) continue;
    const response = (corpus.responses[p.rows[0]!] ?? '').slice(0, EVIDENCE_CHARS);
    out.push({
      form: 'pure-word',
      ...graded,
      rows: p.rows,
      trigger: w,
      response,
      evidence: {
        trigger: w,
        response,
        independentGroups: p.groups,
        responseShare: p.share,
        significance: p.significance,
        candidatesTested: judged,
        maxPlaces: MAX_PLACES,
        kinOfTriggers: kinOf ?? null,
        examples: p.rows.slice(0, 3).map((i) => (prompts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return out;
}
