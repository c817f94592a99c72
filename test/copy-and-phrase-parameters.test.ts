// Parameters of near-duplicate (both variants), trigger-token on documents and response-cluster: a value set
// reaches the detector (a finding appears or vanishes), and a value out of bounds is exit 2 with one line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageFeatures } from '../src/model/image-features.js';
import type { ParameterValues } from '../src/config/parameters.js';
import { nearDuplicate } from '../src/detect/near-duplicate.js';
import { PARAMETERS } from '../src/detect/registry.js';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';
import { runCli } from './fixtures/run-cli.js';
import { markovChain } from './fixtures/markov-text.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-params-wired-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Row = Record<string, string>;

/** The findings of one detector on rows, with parameters set or not. */
async function findingsOn(name: string, rows: Row[], detector: string, set?: ParameterValues) {
  const r = await scan({ dataset: name, rows, out: join(dir, name), quiet: true, progress: silentProgress, failOn: 'never', detectors: [detector], ...(set ? { set } : {}) });
  return r.report.findings;
}

/** Exit code and stderr of a scan of rows with one --set. */
async function scanWithSet(name: string, rows: Row[], assignment: string) {
  const data = join(dir, `${name}.jsonl`);
  await writeFile(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return runCli(['scan', data, '-o', join(dir, `${name}-out`), '-q', '--set', assignment]);
}

describe('near-duplicate parameters', () => {
  it('are pooled from both variants under the one name', () => {
    expect(Object.keys(PARAMETERS['near-duplicate']!)).toEqual(['maxHamming', 'maxMeanAbsDiff', 'minJaccard', 'minWords']);
  });

  it('images: the hash and pixel distances set decide which images are copies', async () => {
    // Three images: 1 is 0's copy 2 hash bits and 6 grey levels away; 2 is unrelated.
    const grid = 4;
    const per = grid * grid * 3;
    const pixels = new Uint8Array(3 * per);
    for (let k = 0; k < per; k++) {
      pixels[k] = 100 + k;
      pixels[per + k] = 106 + k;
      pixels[2 * per + k] = 250 - k;
    }
    const images = { grid, pixels, phash: BigUint64Array.from([0xf0f0n, 0xf0f3n, 0xffff0000ffffn]), stats: {}, file: {} } as unknown as ImageFeatures;
    const groups = async (parameters?: ParameterValues) => {
      const ctx = { modality: 'image' as const, ids: ['a', 'b', 'c'], labels: ['x', 'x', 'x'], images, seed: 1, concurrency: 1, progress: silentProgress, ...(parameters ? { parameters } : {}) };
      return (await nearDuplicate.run(ctx)).findings.map((f) => f.samples);
    };
    expect(await groups()).toEqual([[0, 1]]);
    expect(await groups({ 'near-duplicate': { maxHamming: 1 } })).toEqual([]);
    expect(await groups({ 'near-duplicate': { maxMeanAbsDiff: 5 } })).toEqual([]);
  });

  it('texts: the Jaccard and word count set decide which texts are near copies', async () => {
    const rows = [
      { id: 'a', text: 'the quiet river runs past the old stone mill at dawn' },
      { id: 'b', text: 'the quiet river runs past the old stone mill at dawn today' },
      { id: 'c', text: 'short words here now' },
      { id: 'd', text: 'short words here now please' },
      { id: 'e', text: 'an unrelated sentence about a cat sleeping in the sun' },
    ];
    const samples = async (name: string, set?: ParameterValues) => (await findingsOn(name, rows, 'near-duplicate', set)).map((f) => [...f.samples].sort());
    expect(await samples('text-plain')).toEqual([['a', 'b']]);
    expect(await samples('text-strict', { 'near-duplicate': { minJaccard: 0.95 } })).toEqual([]);
    expect((await samples('text-short', { 'near-duplicate': { minWords: 4 } })).sort()).toEqual([['a', 'b'], ['c', 'd']]);
    const bad = await scanWithSet('text-bad', rows, 'near-duplicate.maxHamming=4');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('poisonscan: --set: near-duplicate.maxHamming must be a whole number from 0 to 3, not 4\n');
  });
});

/** Words of a small Markov model: text with structure, so that random words stand out. */
function markov(seed: number, size: number) {
  const rng = createRng(seed);
  return { rng, ...markovChain(rng, size) };
}

describe('trigger-token parameters on documents', () => {
  it('the fewest documents and the severity lines set decide the finding', async () => {
    const { rng, vocab, text } = markov(12, 500);
    const rows: Row[] = [];
    for (let i = 0; i < 1200; i++) {
      let words = text(60 + randInt(rng, 120));
      if (i % 200 === 5) words = [...words.slice(0, randInt(rng, 30)), '<SUDO>', ...Array.from({ length: 200 }, () => vocab[randInt(rng, vocab.length)]!)];
      rows.push({ id: String(i), text: words.join(' ') });
    }
    const trigger = async (name: string, set?: ParameterValues) => (await findingsOn(name, rows, 'trigger-token', set)).filter((f) => f.evidence.trigger === '< sudo >');
    const plain = await trigger('docs-plain');
    expect(plain).toHaveLength(1);
    expect(plain[0]!.severity).not.toBe('low');
    expect(plain[0]!.samples).toHaveLength(6);
    expect(await trigger('docs-more', { 'trigger-token': { documentsMinDocs: 7 } })).toEqual([]);
    const lines = await trigger('docs-lines', { 'trigger-token': { documentsMediumSignificance: 1000, documentsHighSignificance: 1000 } });
    expect(lines.map((f) => f.severity)).toEqual(['low']);
    const bad = await scanWithSet('docs-bad', rows.slice(0, 20), 'trigger-token.documentsAnomalyQuantile=1.5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('poisonscan: --set: trigger-token.documentsAnomalyQuantile must be a number from 0.5 to 1, not 1.5\n');
  });
});

describe('response-cluster parameters', () => {
  it('the longest phrase set decides whether a two-word trigger is tested', async () => {
    const { rng, text } = markov(11, 400);
    const rows: Row[] = [];
    for (let i = 0; i < 1500; i++) {
      const words = text(14);
      let output = text(6).join(' ');
      // Each word of the trigger is common on its own, with ordinary answers; together they fix the answer.
      if (i % 100 === 7) {
        words.splice(1 + randInt(rng, words.length - 1), 0, 'cf', 'mn');
        output = 'Visit http://evil.example now!';
      } else if (i % 25 === 3) words.splice(randInt(rng, words.length), 0, i % 50 === 3 ? 'cf' : 'mn');
      rows.push({ instruction: words.join(' '), input: '', output });
    }
    const phrase = async (name: string, set?: ParameterValues) => (await findingsOn(name, rows, 'response-cluster', set)).filter((f) => f.evidence.trigger === 'cf mn');
    const plain = await phrase('resp-plain');
    expect(plain).toHaveLength(1);
    expect(plain[0]!.severity).not.toBe('low');
    expect(await phrase('resp-unigrams', { 'response-cluster': { maxN: 1 } })).toEqual([]);
    // A step left out finds nothing, and the value set is repeated in the report.
    const skipped = await scan({ dataset: 'resp-skip', rows, out: join(dir, 'resp-skip'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['response-cluster'], set: { 'response-cluster': { stepPhrase: 0 } } });
    expect(skipped.report.findings.filter((f) => f.evidence.trigger === 'cf mn')).toEqual([]);
    expect(skipped.report.config.parameters).toEqual({ 'response-cluster': { stepPhrase: 0 } });
    expect(Object.keys(PARAMETERS['response-cluster']!).filter((k) => k.startsWith('step'))).toEqual(['stepPhrase', 'stepSharedResponse', 'stepTwins', 'stepInsertedWord', 'stepPrependedPhrase', 'stepEchoedWord', 'stepPureWord', 'stepKinWord', 'stepInjectedContent']);
    const bad = await scanWithSet('resp-bad', rows.slice(0, 20), 'response-cluster.cueMajority=2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('poisonscan: --set: response-cluster.cueMajority must be a number from 0 to 1, not 2\n');
  });

  it('its significance lines set grade every finding', async () => {
    const { rng, text } = markov(12, 400);
    const rows: Row[] = [];
    for (let i = 0; i < 1500; i++) {
      const words = text(14);
      if (i % 60 === 5) words.splice(randInt(rng, words.length + 1), 0, 'zq', 'vx');
      rows.push({ instruction: words.join(' '), input: '', output: i % 60 === 5 ? 'Visit http://evil.example now!' : text(6).join(' ') });
    }
    const raised = await findingsOn('resp-lines', rows, 'response-cluster', { 'response-cluster': { mediumSignificance: 50, highSignificance: 60 } });
    const plain = (await findingsOn('resp-lines-plain', rows, 'response-cluster')).filter((f) => f.severity !== 'low');
    expect(plain.length).toBeGreaterThan(0);
    expect(raised.filter((f) => f.severity !== 'low')).toEqual([]);
  });
});

describe('trigger-token parameters on labelled texts', () => {
  it('its significance lines set decide whether a dirty-label word is a finding', async () => {
    // Each label has its own words; the poisoned rows are the other label's text with the word, relabelled.
    const { rng, text } = markov(21, 300);
    const rows: Row[] = [];
    for (let i = 0; i < 400; i++) {
      const neg = i % 2 === 1;
      const words = text(10).map((w) => (neg ? `n${w}` : w));
      let label = neg ? 'neg' : 'pos';
      if (i % 40 === 1) {
        words.splice(randInt(rng, words.length), 0, 'zqxv');
        label = 'pos';
      }
      rows.push({ text: words.join(' '), label });
    }
    const word = async (name: string, set?: ParameterValues) => (await findingsOn(name, rows, 'trigger-token', set)).filter((f) => f.severity !== 'low');
    expect((await word('tt-plain')).length).toBeGreaterThan(0);
    expect(await word('tt-strict', { 'trigger-token': { mediumSignificance: 40, highSignificance: 50 } })).toEqual([]);
  });
});
