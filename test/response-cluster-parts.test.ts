// response-cluster in parts: the steps that read each other's records on one corpus, a step apart on a corpus of its
// own; the join of the parts' results is the detector's output, whichever steps a scan leaves in.
import { describe, expect, it, vi } from 'vitest';
import type { ScanContext } from '../src/detect/detector.js';
import { READS_WORD_TESTS, responseClusterParts, runResponseCluster, STEPS } from '../src/detect/response-cluster.js';
import { PromptCorpus } from '../src/detect/response-cluster/corpus.js';
import { silentProgress } from '../src/util/progress.js';
import { instructionTexts } from './fixtures/instruction-texts.js';

function context(seed: number, parameters: Record<string, number> = {}): ScanContext {
  const texts = instructionTexts(seed);
  return {
    modality: 'text',
    ids: texts.prompt.map((_, i) => String(i)),
    labels: texts.prompt.map(() => null),
    texts,
    seed: 0,
    concurrency: 2,
    parameters: { 'response-cluster': parameters },
    progress: silentProgress,
  };
}

/** The parts run one after another, each on a corpus of its own, and joined. */
function joined(ctx: ScanContext) {
  const n = responseClusterParts.count(ctx);
  return { n, output: responseClusterParts.join(ctx, Array.from({ length: n }, (_, k) => responseClusterParts.run(ctx, k))) };
}

describe('response-cluster in parts', () => {
  it.each([
    ['every step', {}],
    ['no step that reads the word tests', { stepInsertedWord: 0, stepEchoedWord: 0, stepKinWord: 0 }],
    ['only the last step reading them', { stepInsertedWord: 0, stepEchoedWord: 0 }],
  ])('gives the whole run\'s output with %s', (_, parameters) => {
    const ctx = context(3, parameters);
    const whole = runResponseCluster(ctx);
    expect(whole.findings.some((f) => f.form === 'injected-content')).toBe(true);
    const { n, output } = joined(ctx);
    expect(n).toBe(2);
    expect(JSON.stringify(output.findings)).toBe(JSON.stringify(whole.findings));
    expect(Array.from(output.scores)).toEqual(Array.from(whole.scores));
  });

  it.each([
    ['every step', {}],
    ['no step that reads the word tests', { stepInsertedWord: 0, stepEchoedWord: 0, stepKinWord: 0 }],
  ])('gives a step run apart the vocabulary it has in the whole run, with %s', (_, parameters) => {
    const ctx = context(3, parameters);
    const apart = STEPS[STEPS.length - 1]!;
    const seen: string[][] = [];
    const spy = vi.spyOn(apart, 'run').mockImplementation((corpus) => (seen.push([...corpus.vocab.words]), []));
    try {
      runResponseCluster(ctx);
      joined(ctx);
    } finally {
      spy.mockRestore();
    }
    expect(seen.length).toBe(2);
    expect(seen[1]).toEqual(seen[0]);
  });

  it('runs whole when no step may run apart or nothing else runs', () => {
    expect(responseClusterParts.count(context(4, { stepInjectedContent: 0 }))).toBe(1);
    const only = Object.fromEntries(STEPS.map((s) => ['step' + s.name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()), s.name === 'injected-content' ? 1 : 0]));
    expect(responseClusterParts.count(context(4, only))).toBe(1);
  });

  it('lists exactly the steps that read the word tests (the words those add to the vocabulary)', () => {
    const ctx = context(5);
    const settings = { maxN: 5, cueMajority: 0.8, fixedNeighbour: 0.8, maxSpan: 64, lines: { medium: 3, high: 6 } };
    for (const step of STEPS) {
      const corpus = new PromptCorpus(ctx, settings);
      const read = vi.spyOn(corpus, 'wordTests');
      step.run(corpus, []);
      expect(read.mock.calls.length > 0, step.name).toBe(READS_WORD_TESTS.has(step));
    }
  });
});
