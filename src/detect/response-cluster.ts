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
// (response-cluster/grade.ts). Adding a step is one file and one line in STEPS (and one in READS_WORD_TESTS when it
// reads the word tests). On threads the detector runs in parts (responseClusterParts): the last steps that read no
// earlier record run apart, each on a corpus of its own, while the others run.
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
import type { DetectorParts } from './detector-parts.js';

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
  return output(ctx.texts!.prompt!.length, runSteps(ctx, STEPS.filter((s) => params[stepParameter(s.name)] !== 0)));
}

/**
 * Steps that read no earlier step's records and whose records no later step reads: run after every other step,
 * they may run apart from the others, on a corpus of their own (on another thread), their findings put back in
 * their place (the words they add to the vocabulary are read by no step after them).
 */
const APART: ReadonlySet<Step> = new Set([contentStep]);

/**
 * Steps that read the corpus's word tests (corpus.wordTests()): the responses those encode add words to the
 * vocabulary, which every step after the first of them sees.
 */
export const READS_WORD_TESTS: ReadonlySet<Step> = new Set([insertionStep, echoStep, kinStep]);

/** The steps a scan runs (those its parameters leave in), in their order. */
function enabledSteps(ctx: Pick<ScanContext, 'parameters'>): Step[] {
  const params = parametersOf(ctx, 'response-cluster', PARAMETERS);
  return STEPS.filter((s) => params[stepParameter(s.name)] !== 0);
}

/** The groups of steps that may run at once: those that read each other's records, then each step apart after them. */
function stepGroups(steps: readonly Step[]): Step[][] {
  let last = steps.length;
  while (last > 0 && APART.has(steps[last - 1]!)) last--;
  const groups = steps.slice(last).map((s) => [s]);
  return last > 0 ? [steps.slice(0, last), ...groups] : groups;
}

/** Each step's findings, by its place in STEPS. */
type StepFindings = { step: number; found: Found[] }[];

/**
 * `steps` (in STEPS' order) on one corpus; `all`: every step the scan runs, for a step run apart to see the
 * vocabulary the steps before it leave.
 */
function runSteps(ctx: ScanContext, steps: readonly Step[], all: readonly Step[] = steps): StepFindings {
  const params = parametersOf(ctx, 'response-cluster', PARAMETERS);
  ctx.progress.stage('response-cluster', steps.length + 1);
  const corpus = new PromptCorpus(ctx, {
    maxN: params.maxN,
    cueMajority: params.cueMajority,
    fixedNeighbour: params.fixedNeighbour,
    maxSpan: params.maxSpan,
    // A high line set below the medium one is the medium line: high always means at least medium.
    lines: { medium: params.mediumSignificance, high: Math.max(params.highSignificance, params.mediumSignificance) },
  });
  ctx.progress.tick(1);
  const out: StepFindings = [];
  const found: Found[] = [];
  let echoed = false;
  for (const step of steps) {
    const at = all.indexOf(step);
    // A step run apart: the responses the word tests encode before it in the full run are encoded here too.
    if (!echoed && steps !== all && all.slice(0, at).some((s) => READS_WORD_TESTS.has(s) && !steps.includes(s))) {
      corpus.echoResponses();
      echoed = true;
    }
    echoed ||= READS_WORD_TESTS.has(step);
    const f = step.run(corpus, found);
    found.push(...f);
    out.push({ step: STEPS.indexOf(step), found: f });
    ctx.progress.tick(1);
  }
  return out;
}

/** The detector's output from every step's findings. */
function output(rows: number, steps: StepFindings): DetectorOutput<ResponseClusterFinding> {
  const found = [...steps].sort((a, b) => a.step - b.step).flatMap((s) => s.found);
  const scores = new Float32Array(rows);
  for (const f of found) for (const i of f.rows) scores[i] = Math.max(scores[i]!, f.score);
  const findings = found.map(({ form, severity, score, rows, evidence }) => ({ form, kind: 'response-cluster', severity, score, samples: rows, evidence }) as ResponseClusterFinding);
  findings.sort((a, b) => b.score - a.score);
  return { scores, findings };
}

/** response-cluster in parts: the steps that read each other's records, and each step that may run apart. */
export const responseClusterParts: DetectorParts<StepFindings> = {
  count: (ctx) => stepGroups(enabledSteps(ctx)).length,
  run: (ctx, k) => {
    const all = enabledSteps(ctx);
    return runSteps(ctx, stepGroups(all)[k]!, all);
  },
  join: (ctx, results) => output(ctx.texts!.prompt!.length, results.flat()),
};
