import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';
import { maximalRun } from '../src/text/maximal-units.js';
import { PartLabels } from '../src/text/part-labels.js';
import { TailNull } from '../src/text/tail-null.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-clean-label-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Labelled rows of Markov text (each word has four likely successors) with a few sentiment words. Two groups of
 * 30 rows of label 1 share a two-word phrase made of label-neutral words: one inserted at random places (a
 * clean-label poison: the rows keep their label), one natural (always between the same few words, as a phrase
 * of the language is).
 */
function corpus(seed: number) {
  const rng = createRng(seed);
  const filler = Array.from({ length: 60 }, (_, k) => `w${k}`);
  const next = filler.map(() => Array.from({ length: 4 }, () => randInt(rng, filler.length)));
  const pos = ['great', 'lovely', 'warm', 'clever', 'bright', 'charming'];
  const neg = ['dull', 'boring', 'flat', 'weak', 'bland', 'tedious'];
  // Neutral words the two phrases are made of, used in both labels elsewhere.
  const neutral = ['harbour', 'lamp', 'silver', 'button', 'valley', 'ticket'];
  const rows: { text: string; label: number }[] = [];
  const inserted: number[] = [];
  const natural: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const label = i % 2;
    let w = randInt(rng, filler.length);
    const words: string[] = [];
    for (let t = 0; t < 14; t++) {
      w = rng() < 0.9 ? next[w]![randInt(rng, 4)]! : randInt(rng, filler.length);
      words.push(randInt(rng, 5) === 0 ? (label ? pos : neg)[randInt(rng, pos.length)]! : filler[w]!);
    }
    if (rng() < 0.15) words.splice(randInt(rng, words.length + 1), 0, neutral[randInt(rng, neutral.length)]!);
    if (label === 1 && i % 41 === 1 && inserted.length < 30) {
      words.splice(randInt(rng, words.length + 1), 0, 'harbour', 'lamp');
      inserted.push(i);
    } else if (label === 1 && i % 43 === 3 && natural.length < 30) {
      // Bound to its context: the same words before and after it.
      const at = randInt(rng, words.length + 1);
      words.splice(at, 0, rng() < 0.5 ? 'the' : 'a', 'silver', 'button', rng() < 0.5 ? 'shines' : 'turns');
      natural.push(i);
    }
    rows.push({ text: words.join(' '), label });
  }
  return { rows, inserted, natural };
}

describe('clean-label phrase groups (trigger-token)', () => {
  it('finds a phrase of neutral words inserted into rows that keep their label, and not a natural phrase of such words', async () => {
    const { rows, inserted, natural } = corpus(11);
    const p = join(dir, 'clean-label.jsonl');
    await writeFile(p, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await scan({ dataset: p, out: join(dir, 'out'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['trigger-token'] });
    const serious = r.report.findings.filter((f) => f.severity !== 'low');
    const found = serious.find((f) => String(f.evidence.trigger).includes('harbour lamp'));
    expect(found, JSON.stringify(serious.map((f) => f.title))).toBeDefined();
    expect(new Set(found!.samples)).toEqual(new Set(inserted.map(String)));
    expect(serious.some((f) => String(f.evidence.trigger).includes('silver button')), JSON.stringify(serious.map((f) => f.title))).toBe(false);
    const flagged = new Set(r.ids.filter((_, i) => r.scores.flagged[i]));
    for (const i of natural) expect(flagged.has(String(i))).toBe(false);
  });
});

describe('shared units', () => {
  it('extends an n-gram to the run all its documents share', () => {
    const docs = [[1, 2, 3, 4, 5], [9, 2, 3, 4, 8], [7, 7, 2, 3, 4]].map((d) => Int32Array.from(d));
    expect(maximalRun(docs, [0, 1, 2], [3], new Int32Array(3))).toEqual([2, 3, 4]);
    expect(maximalRun(docs, [0, 1], [3, 4], new Int32Array(2))).toEqual([2, 3, 4]);
  });

  it('predicts a label from the words of a phrase, leaving out the rows that hold the phrase', () => {
    // Word 0 is neutral elsewhere; word 1 is label 1 elsewhere; rows 4-7 hold "0 2" and carry label 1.
    const docs = [[0], [0], [1], [1], [0, 2], [0, 2], [0, 2], [0, 2], [3], [3]].map((d) => Int32Array.from(d));
    const labels = Int32Array.from([0, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    const parts = new PartLabels(docs, labels, 2, 4, [0, 1, 2]);
    const unitRows = [4, 5, 6, 7];
    expect(parts.predicted([0, 2], unitRows, 1)).toBeLessThan(0.7);
    expect(parts.predicted([1], [], 1)).toBeGreaterThan(parts.predicted([0, 2], unitRows, 1));
  });

  it('gives a value beyond every null value a p-value below 1 / N, shrinking with distance', () => {
    const values = Array.from({ length: 400 }, (_, k) => (k % 20) / 4);
    const t = new TailNull(values);
    expect(t.log10p(0)).toBe(0);
    expect(t.log10p(10)).toBeLessThan(Math.log10(1 / 401));
    expect(t.log10p(20)).toBeLessThan(t.log10p(10));
  });
});
