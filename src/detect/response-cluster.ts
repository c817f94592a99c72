// response-cluster (instruction data): many different prompts that share a rare phrase and end in the same or
// near-identical response, the shape of instruction-tuning backdoors (a word, a phrase or several of them anywhere
// in the prompt, or a sentence before it, and a fixed answer, a refusal or a fixed label after it), and text that
// responses to unrelated prompts share without a reason. The steps, in the order they run (STEPS below):
//
// phrase (response-cluster/phrase-findings.ts):
//    Responses are normalised (case, spacing, trailing punctuation); a response given to at least MIN_GROUPS
//    prompts is a cluster. Every prompt n-gram (1-5 tokens) whose prompts nearly all end in one cluster is a
//    candidate. Prompts that are one template filled twice, or copies, count once (source groups). The count of
//    independent prompt groups ending in the cluster is tested against the response's share among prompts like
//    each group's: those that open or end as its prompts do (response-cluster/like-prompts.ts), never below its
//    share of all responses (a phrase that goes with "Negative" in a dataset where 2% of answers are "Negative"
//    needs more groups than one that goes with a response nobody else gets, and one in a sentiment template's
//    prompts more still), Bonferroni-corrected over the distinct sets of prompts that frequent n-grams pick out.
//    Phrases that belong to their prompts stay low severity: the phrase ends its prompts (a cue), the response is
//    written in them, they share a template or a subject (text/shared-topic.ts), deleting it leaves word pairs the
//    prompts' own text rarely has, or the response is a label and the rest of nearly every prompt already points
//    to it (text/label-content.ts: "stocks" -> "Business"). Inserted triggers (prefixes such as a dated note, words
//    dropped anywhere) do not. A cue explains only a short answer (a completion), and behind a longer
//    one the phrase's whole run (a sentence put in whole) is its own text, not a template's. Where a label is not
//    readable off its own prompts, its phrase is also read against the corpus's own words of its count
//    (response-cluster/label-words.ts).
// shared-response (response-only.ts): a multi-word response given to unrelated prompts with no shared template is
//    reported (low) even when no phrase explains it: one payload behind several triggers, each too rare to count.
// twins (twin-findings.ts, text/twins.ts): the same few added words separate several unrelated prompts from twins
//    that get another answer (the trigger changes the answer). Below that count, a rare word all of whose prompts
//    are their twins token for token plus one inserted run, and which sets the answer (each twin's differs, or
//    every carrier gets one answer), is a low finding (several triggers, each in a few pairs, beside their clean
//    twins). A word of that shape whose twins already had the fixed label such a trigger forces is its kin (low,
//    ranked just below).
// inserted-word (inserted-words.ts, text/insertion-test.ts): without looking at responses, a rare word inserted
//    at varying places of many unrelated prompts, each time fitting its neighbours badly, as triggers whose rows
//    keep their own answers are.
// prepended-phrase (opening-findings.ts, text/fixed-opening.ts): without looking at responses, a rare phrase
//    prepended to many unrelated prompts, which neither share a template nor wrap content the corpus has
//    elsewhere. Where its prompts end in labels, one that sets no label (mixed labels, or one its prompts read
//    as) is natural: the only responses this step reads.
// echoed-word (inserted-words.ts, text/echo-test.ts): each row against its own response: a word of the prompt
//    that the response, restating the request, skips while keeping the words on both sides of it (triggers
//    dropped into requests whose answers begin "Sure, here is how to ...", each answer different). Where only
//    some answers restate the request, the word's deletion z from the inserted-word test is added to the echo's
//    evidence (Fisher's method).
// pure-word (pure-word-findings.ts, text/pure-response-words.ts): a word in only 2-5 prompts, all ending in one
//    response, the prompts sharing no other rare word: a trigger at 0.01-0.02%, too few for the phrase test's
//    count over all n-grams. Low, from 3 prompts alone or from 2 beside a trigger of the same response.
// kin-word (kin-findings.ts): another trigger of a confirmed backdoor, a word near the confirmed triggers'
//    carriers by reference and by its deletion z.
// injected-content (content-findings.ts, text/injected-content.ts): responses instead of prompts: text that
//    responses to unrelated prompts share, that their prompts do not hold and that no task, template or house
//    style explains: a brand, a link or a phrase added to answers, with or without a trigger (reported beside it
//    when one is found).
// Each step is one file under response-cluster/ with one interface (response-cluster/step.ts): it reads the corpus,
// built once per scan (response-cluster/corpus.ts), and the typed records of the findings before it (the
// shared-response, pure-word and kin-word steps read them), and grades what it finds with the one grading function
// (response-cluster/grade.ts). Adding a step is one file and one line in STEPS.
import { parametersOf, type Detector, type DetectorOutput, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import { normaliseResponse } from './response-cluster/common.js';
import { PromptCorpus } from './response-cluster/corpus.js';
import { HIGH_SIGNIFICANCE, MEDIUM_SIGNIFICANCE } from './response-cluster/grade.js';
import type { Found, Step } from './response-cluster/step.js';
import { phraseStep } from './response-cluster/phrase-findings.js';
import { responseOnlyStep } from './response-cluster/response-only.js';
import { twinStep } from './response-cluster/twin-findings.js';
import { echoStep, insertionStep } from './response-cluster/inserted-words.js';
import { openingStep } from './response-cluster/opening-findings.js';
import { pureWordStep } from './response-cluster/pure-word-findings.js';
import { kinStep } from './response-cluster/kin-findings.js';
import { contentStep } from './response-cluster/content-findings.js';
import type { ResponseClusterFinding } from './response-cluster/finding-forms.js';

export { normaliseResponse };

/** The steps in the order they run: a step reads the records of those before it. */
export const STEPS: readonly Step[] = [
  phraseStep,
  responseOnlyStep,
  twinStep,
  insertionStep,
  openingStep,
  echoStep,
  pureWordStep,
  kinStep,
  contentStep,
];

const SETTINGS = {
  maxN: { kind: 'int', default: 5, min: 1, max: 8, help: 'longest prompt phrase tested, in tokens' },
  // A phrase whose fixed text ends its prompts is the cue the response continues ("This is definitely not a" ->
  // "positive review."): task templates, not triggers.
  cueMajority: { kind: 'number', default: 0.8, min: 0, max: 1, help: "share of a phrase's prompts it must end (with its fixed text) to be their task's cue" },
  fixedNeighbour: { kind: 'number', default: 0.8, min: 0, max: 1, help: "share of a phrase's prompts a neighbour must be in to extend the phrase's fixed text" },
  maxSpan: { kind: 'int', default: 64, min: 0, help: "most tokens a phrase's fixed text is extended by over shared neighbours" },
  mediumSignificance: { kind: 'number', default: MEDIUM_SIGNIFICANCE, min: 0.5, help: 'significance (-log10 chance among independent prompts) from which a finding is medium' },
  highSignificance: { kind: 'number', default: HIGH_SIGNIFICANCE, min: 0.5, help: 'significance from which a finding is high' },
} as const satisfies ParameterSpecs;

/** The parameter that switches a step on or off: "shared-response" -> stepSharedResponse. */
const stepParameter = (name: string): string => 'step' + name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/** Each step can be left out of a run, for measuring what it adds (1 runs it, the default; 0 leaves it out). */
const PARAMETERS: typeof SETTINGS & ParameterSpecs = {
  ...SETTINGS,
  ...Object.fromEntries(STEPS.map((s) => [stepParameter(s.name), { kind: 'int', default: 1, min: 0, max: 1, help: `1 runs the ${s.name} step, 0 leaves it out (to measure what it adds)` }])),
};

export const responseCluster: Detector<ResponseClusterFinding> = {
  name: 'response-cluster',
  description: 'many different prompts that share a rare phrase and end in the same response (instruction-tuning backdoors)',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.texts?.prompt !== undefined && ctx.texts?.response !== undefined,
  async run(ctx) {
    return runResponseCluster(ctx);
  },
};

export function runResponseCluster(ctx: ScanContext): DetectorOutput<ResponseClusterFinding> {
  const params = parametersOf(ctx, 'response-cluster', PARAMETERS);
  ctx.progress.stage('response-cluster', STEPS.length + 1);
  const corpus = new PromptCorpus(ctx, {
    maxN: params.maxN,
    cueMajority: params.cueMajority,
    fixedNeighbour: params.fixedNeighbour,
    maxSpan: params.maxSpan,
    // A high line set below the medium one is the medium line: high always means at least medium.
    lines: { medium: params.mediumSignificance, high: Math.max(params.highSignificance, params.mediumSignificance) },
  });
  ctx.progress.tick(1);
  const found: Found[] = [];
  for (const step of STEPS) {
    if (params[stepParameter(step.name)] !== 0) found.push(...step.run(corpus, found));
    ctx.progress.tick(1);
  }
  const scores = new Float32Array(corpus.rows);
  for (const f of found) for (const i of f.rows) scores[i] = Math.max(scores[i]!, f.score);
  const findings = found.map(({ form, severity, score, rows, evidence }) => ({ form, kind: 'response-cluster', severity, score, samples: rows, evidence }) as ResponseClusterFinding);
  findings.sort((a, b) => b.score - a.score);
  return { scores, findings };
}
