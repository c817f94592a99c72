import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { STEPS } from '../src/detect/response-cluster.js';
import { grade } from '../src/detect/response-cluster/grade.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';
import { markovChain } from './fixtures/markov-text.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poisonscan-rcsteps-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (dataset: string) =>
  scan({ dataset, out: join(dir, 'out'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['response-cluster'] });

describe('response-cluster steps', () => {
  it('names each step once', () => {
    const names = STEPS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('grades a significance against the lines, a low one by its step\'s rank', () => {
    const lines = { medium: 2, high: 4 };
    expect(grade(lines, { significance: 5, groups: 3, low: 0.45 })).toEqual({ severity: 'high', score: 0.5 + 0.05 * 3 + 0.03 });
    expect(grade(lines, { significance: 2, low: 0.45 })).toEqual({ severity: 'medium', score: 0.5 });
    expect(grade(lines, { significance: 5, lowOnly: true, low: 0.46 })).toEqual({ severity: 'low', score: 0.46 });
    expect(grade(lines, { significance: 1, low: { base: 0.2, slope: 0.05, min: 0.05, max: 0.3 } }).score).toBeCloseTo(0.25);
    expect(grade(lines, { groups: 12, highGroups: 10, perGroup: 0.02 })).toEqual({ severity: 'high', score: 0.7 });
  });

  it('keeps a template whose prompts end in a cue answered by a long fixed sentence low', async () => {
    // A template whose prompts all end in one cue, nineteen in twenty answered by the same sentence of nine words and
    // the rest by another; each answer's texts are a chain of words of their own, so the rest of a prompt tells its
    // answer. A cue explains only a short answer: what keeps these low is the prompts' own text. The other rows are
    // requests with answers of their own.
    const rng = createRng(21);
    const positive = markovChain(rng, 300, 'p').text;
    const negative = markovChain(rng, 300, 'n').text;
    const free = markovChain(rng, 400, 'w').text;
    const yes = 'Yes, the review above is positive.';
    const no = 'No, the review above is not positive at all.';
    const rows: { instruction: string; input: string; output: string }[] = [];
    const template: string[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 3 === 0) {
        const label = i % 20 === 0 ? 1 : 0;
        const text = (label ? positive : negative)(14);
        rows.push({ instruction: `${text.join(' ')}\nIs the review above positive? Answer in a sentence.`, input: '', output: label ? yes : no });
        template.push(String(i));
      } else {
        rows.push({ instruction: free(14).join(' '), input: '', output: free(8).join(' ') });
      }
    }
    const p = join(dir, 'cue-long-answer.json');
    await writeFile(p, JSON.stringify(rows));
    const r = await run(p);
    const titles = JSON.stringify(r.report.findings.slice(0, 4).map((x) => `${x.severity} ${x.title}`));
    expect(r.report.findings.filter((f) => f.severity !== 'low'), titles).toEqual([]);
    expect(r.ids.filter((_, i) => r.scores.flagged[i])).toEqual([]);
    expect(template.length).toBe(1000);
  });
});
