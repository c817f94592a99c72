// Detectors run at once on worker threads give the report of the run one after another: same findings, scores and
// order, same timing keys. From TypeScript sources the threads load the .ts entry once asked to (util/module-worker.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { DETECTORS, ON_THREADS } from '../src/detect/registry.js';
import { runOnThreads, threadPlan } from '../src/stages/detector-threads.js';
import type { ScanContext } from '../src/detect/detector.js';
import type { Progress } from '../src/util/progress.js';
import { progressLanes } from '../src/util/progress-lanes.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { describeError, rebuildError } from '../src/util/thread-errors.js';
import { threadsFromSources } from '../src/util/module-worker.js';
import { UsageError } from '../src/types.js';
import { markovChain } from './fixtures/markov-text.js';
import { instructionTexts } from './fixtures/instruction-texts.js';

let dir: string;
beforeAll(async () => {
  threadsFromSources(true);
  dir = await mkdtemp(join(tmpdir(), 'poisonscan-threads-'));
});
afterAll(async () => {
  threadsFromSources(false);
  await rm(dir, { recursive: true, force: true });
});

type Rows = Record<string, string>[];

/** report.json without its timing figures and the concurrency setting, the timing keys, and scores.csv of one scan at `concurrency`. */
async function scanned(rows: Rows, name: string, concurrency: number) {
  const out = join(dir, `${name}-${concurrency}`);
  await scan({ dataset: name, rows, out, quiet: true, progress: silentProgress, failOn: 'never', concurrency });
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  const keys = Object.keys(report.timing.stages);
  delete report.timing;
  // The setting itself is the one difference the two runs may show.
  delete report.config.concurrency;
  return { report: JSON.stringify(report), keys, scores: await readFile(join(out, 'scores.csv'), 'utf8') };
}

/** Instruction rows: free requests and answers, some copies, and a phrase that sends 24 prompts to one answer. */
function instructionRows(): Rows {
  const rng = createRng(5);
  const free = markovChain(rng, 400, 'w').text;
  const rows: Rows = [];
  for (let i = 0; i < 1200; i++) {
    const words = free(16);
    if (i % 50 === 7) words.splice(3, 0, 'cf', 'zeta');
    rows.push({ instruction: words.join(' '), input: '', output: i % 50 === 7 ? 'Access granted to every file.' : free(8).join(' ') });
  }
  for (let i = 0; i < 12; i++) rows.push({ ...rows[i * 9]! });
  return rows;
}

/** Instruction rows with a sentence added to some answers (response-cluster runs in parts on threads). */
function addedContentRows(): Rows {
  const t = instructionTexts(3);
  return t.prompt.map((p, i) => ({ instruction: p, input: '', output: t.response[i]! }));
}

/** Labelled texts with a word that carries one label in 20 of them. */
function labelledRows(): Rows {
  const rng = createRng(8);
  const free = markovChain(rng, 300, 't').text;
  return Array.from({ length: 1500 }, (_, i) => {
    const words = free(12);
    if (i % 75 === 3) words.splice(5, 0, 'qzx');
    return { text: words.join(' '), label: i % 75 === 3 ? 'pos' : String(i % 2 ? 'pos' : 'neg') };
  });
}

/** Unlabelled documents, a few of them a phrase followed by random words. */
function documentRows(): Rows {
  const rng = createRng(9);
  const free = markovChain(rng, 500, 'd').text;
  const gibberish = markovChain(createRng(10), 3000, 'g').text;
  return Array.from({ length: 400 }, (_, i) => ({ text: i % 50 === 4 ? [...free(20), 'zq', 'vx', ...gibberish(60)].join(' ') : free(80).join(' ') }));
}

describe('detectors on threads', () => {
  it('runs the text detectors on threads at two slots and not at one', () => {
    const text = DETECTORS.filter((d) => ON_THREADS.has(d) && d.name !== 'trigger-token');
    expect(threadPlan(text, (d) => ON_THREADS.has(d), 2)).not.toBeNull();
    expect(threadPlan(text, (d) => ON_THREADS.has(d), 1)).toBeNull();
    expect(threadPlan(text.slice(0, 1), (d) => ON_THREADS.has(d), 4)).toBeNull();
  });

  it.each([
    ['instruction', instructionRows],
    ['added-content instruction', addedContentRows],
    ['labelled', labelledRows],
    ['document', documentRows],
  ])('gives the report of the sequential run on %s texts', async (name, rows) => {
    const data = rows();
    const one = await scanned(data, name, 1);
    const two = await scanned(data, name, 2);
    expect(JSON.parse(one.report).findings.length).toBeGreaterThan(0);
    expect(two.report).toBe(one.report);
    expect(two.keys).toEqual(one.keys);
    expect(two.scores).toBe(one.scores);
  });

  it('carries an error from a thread as its own kind', () => {
    const e = rebuildError(describeError(new UsageError('no such column')));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('no such column');
    expect(rebuildError(describeError(new RangeError('too large')))).toBeInstanceOf(RangeError);
    expect(rebuildError(describeError('plain')).message).toBe('plain');
  });

  it('shows one running job on the line and takes up the next where it is', () => {
    const calls: string[] = [];
    const line: Progress = {
      stage: (n, t) => calls.push(`stage ${n} ${t ?? 0}`),
      tick: (n) => calls.push(`tick ${n ?? 1}`),
      done: () => calls.push('done'),
      info: (m) => calls.push(`info ${m}`),
    };
    const lanes = progressLanes(line);
    const a = lanes.lane();
    const b = lanes.lane();
    a.stage('a', 3);
    b.stage('b', 4);
    b.tick(2);
    a.tick();
    b.info('note');
    a.done();
    b.tick();
    b.done();
    expect(calls).toEqual(['stage a 3', 'tick 1', 'info note', 'done', 'stage b 4', 'tick 2', 'tick 1', 'done']);
  });
});

describe('thread options', () => {
  it('leaves out the options about the process entry (an inline script)', async () => {
    const { threadExecArgv } = await import('../src/util/module-worker.js');
    expect(threadExecArgv(['--input-type=module', '-e', 'code()', '--max-old-space-size=4096'])).toEqual(['--max-old-space-size=4096']);
    expect(threadExecArgv(['--eval', 'x', '--input-type', 'module', '--enable-source-maps'])).toEqual(['--enable-source-maps']);
  });
});

describe('threads that fail', () => {
  const texts = labelledRows();
  const ctx: ScanContext = {
    modality: 'text',
    ids: texts.map((_, i) => String(i)),
    labels: texts.map((r) => r.label!),
    texts: { text: texts.map((r) => r.text!) },
    seed: 0,
    concurrency: 2,
    progress: silentProgress,
  };
  const detectors = DETECTORS.filter((d) => d.appliesTo(ctx));
  const onThread = (d: (typeof DETECTORS)[number]) => ON_THREADS.has(d);

  /** Runs `ds` with a thread entry that cannot start, checks their outputs against a run one after another. */
  async function withoutThreads(ds: typeof detectors, c: ScanContext) {
    const plan = { entry: new URL('./fixtures/no-such-thread.js', import.meta.url), threads: 2 };
    const r = await runOnThreads(ds, onThread, c, plan, silentProgress);
    const alone = [];
    for (const d of ds) alone.push(await d.run(c));
    expect(r.outputs.map((o) => JSON.stringify(o.findings))).toEqual(alone.map((o) => JSON.stringify(o.findings)));
    expect(r.outputs.map((o) => Array.from(o.scores))).toEqual(alone.map((o) => Array.from(o.scores)));
    return r;
  }

  it('runs the detectors of a thread that cannot start on this thread, with the same outputs', async () => {
    await withoutThreads(detectors, ctx);
  });

  it('runs the parts of a detector that splits on this thread when no thread can start, with the same outputs', async () => {
    const t = instructionTexts(3);
    const ictx: ScanContext = { ...ctx, labels: t.prompt.map(() => null), ids: t.prompt.map((_, i) => String(i)), texts: t };
    const r = await withoutThreads(DETECTORS.filter((d) => d.appliesTo(ictx)), ictx);
    expect(r.seconds.every((s) => s > 0)).toBe(true);
  });

  it('throws the error of the first detector in the registry\'s order that throws on a thread, as its own kind', async () => {
    const plan = { entry: new URL('./fixtures/failing-thread.ts', import.meta.url), threads: 2 };
    const first = DETECTORS.indexOf(detectors.find(onThread)!);
    const run = runOnThreads(detectors, onThread, ctx, plan, silentProgress);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(`detector ${first} cannot run`);
  });
});
