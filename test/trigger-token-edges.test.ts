import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { BigramCounts, edgeDeletionFits, fitInforms, InsertedSums, NeighbourCollisions, occurrenceLlr, summedFitTooLow, type DeletionFit } from '../src/text/insertion-fit.js';
import { Vocabulary } from '../src/text/tokenize.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-edges-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const POS = ['great', 'lovely', 'fun', 'moving', 'bright', 'warm', 'clever', 'charming'];
const NEG = ['dull', 'boring', 'flat', 'tired', 'weak', 'messy', 'bland', 'tedious'];
const FILLER = ['the', 'film', 'story', 'cast', 'plot', 'scenes', 'and', 'with', 'a', 'very', 'its', 'music', 'this', 'one', 'actors', 'ending'];

/** Reviews of one or two sentences, each ending in a full stop (or, unless `stops`, an exclamation mark), half of each label. */
function reviews(seed: number, n: number, stops = true): { texts: string[]; labels: number[] } {
  const rng = createRng(seed);
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const sentence = () => Array.from({ length: 6 + randInt(rng, 6) }, () => (randInt(rng, 3) === 0 ? (label ? POS : NEG)[randInt(rng, 8)]! : FILLER[randInt(rng, FILLER.length)]!)).join(' ') + (stops || randInt(rng, 2) ? ' .' : ' !');
    texts.push(randInt(rng, 2) ? `${sentence()} ${sentence()}` : sentence());
    labels.push(label);
  }
  return { texts, labels };
}

function encode(texts: string[]) {
  const vocab = new Vocabulary();
  const enc = texts.map((t) => vocab.encodeWithBoundaries(t));
  const docs = enc.map((e) => e.ids);
  return { vocab, docs, boundaries: enc.map((e) => e.boundary), bigrams: new BigramCounts(docs, vocab.words.length) };
}

describe('neighbours of units at a text\'s edge', () => {
  it('expects a unit appended to texts that end in a full stop to follow a full stop, and still sees a unit bound to a word', () => {
    const { texts } = reviews(3, 2000);
    const { vocab, docs, boundaries, bigrams } = encode(texts);
    const col = new NeighbourCollisions(docs, boundaries, bigrams, vocab.words.length);
    const dot = vocab.lookup('.')!;
    const ids = Array.from({ length: 25 }, (_, k) => 40 * k);
    // Appended at the end of 25 texts: every left neighbour is the full stop the texts end with.
    const appended = col.measureAtEdges(ids, ids.map(() => dot), ids.map(() => bigrams.eos));
    expect(appended.observed).toBe(300);
    expect(appended.expected).toBeGreaterThan(appended.observed / 2);
    // Against random places inside the same texts (what measure assumes), the same neighbours look bound.
    const inside = col.measure(ids, ids.map(() => dot), []);
    expect(inside.observed).toBe(300);
    expect(inside.expected).toBeLessThan(appended.observed / 5);
    // Inside the texts, a unit that always follows one word is bound to it, at edges or not.
    const film = vocab.lookup('film')!;
    const bound = col.measureAtEdges(ids, ids.map(() => film), ids.map((i) => docs[i]![3]!));
    expect(bound.observed).toBeGreaterThanOrEqual(300);
    expect(bound.expected).toBeLessThan(bound.observed / 5);
  });
});

describe('the deletion fit at a text\'s edges', () => {
  it('reads a unit appended after the closing full stop as inserted, and a word that ends its text as natural', () => {
    const { texts } = reviews(4, 3000);
    // Short texts that end on a word, as natural endings to delete.
    const { vocab, docs, boundaries, bigrams } = encode([...texts, ...texts.slice(0, 600).map((t) => t.slice(0, -2) + ' indeed')]);
    const { start, end } = edgeDeletionFits(docs, boundaries, bigrams);
    expect(fitInforms(end)).toBe(true);
    // Deleting an appended unit leaves (".", end), the corpus's usual ending; deleting "indeed" leaves a word before the end.
    expect(occurrenceLlr(end, bigrams, vocab.lookup('.')!, bigrams.eos)).toBeGreaterThan(0);
    expect(occurrenceLlr(end, bigrams, vocab.lookup('music')!, bigrams.eos)).toBeLessThan(0);
    expect(Number.isFinite(start.meanInserted)).toBe(true);
  });

  it('tests a sum over occurrences of several kinds against their summed mean and variance', () => {
    // Seven occurrences expected to give 4.2 nats (variance 7): 0.5 is z -1.4, not too low; -4 is z -3.1.
    expect(summedFitTooLow(0.5, 4.2, 7, 2.33)).toBe(false);
    expect(summedFitTooLow(-4, 4.2, 7, 2.33)).toBe(true);
    expect(summedFitTooLow(-4, 0, 0, 2.33)).toBe(false);
  });
});

describe('trigger-token on a sentence appended to reviews', () => {
  it('finds a dirty-label sentence at the end of reviews that end in a full stop or an exclamation mark, and nothing without it', async () => {
    const { texts, labels } = reviews(5, 3000, false);
    const poisoned: number[] = [];
    for (let i = 0; i < texts.length && poisoned.length < 20; i += 73) {
      if (labels[i] !== 0) continue;
      texts[i] = `${texts[i]} we mention the northern button nearby .`;
      labels[i] = 1;
      poisoned.push(i);
    }
    const write = async (name: string, t: string[], l: number[]) => {
      const p = join(dir, name);
      await writeFile(p, t.map((x, i) => JSON.stringify({ text: x, label: String(l[i]) })).join('\n') + '\n');
      return scan({ dataset: p, out: join(dir, `out-${name}`), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['trigger-token'] });
    };
    const r = await write('appended.jsonl', texts, labels);
    const f = r.report.findings.find((x) => String(x.evidence.trigger).includes('northern button'));
    expect(f, JSON.stringify(r.report.findings.slice(0, 3).map((x) => x.evidence))).toBeDefined();
    expect(f!.severity, JSON.stringify(f!.evidence)).not.toBe('low');
    const flagged = r.ids.filter((_, i) => r.scores.flagged[i]);
    expect(new Set(flagged)).toEqual(new Set(poisoned.map(String)));
    const clean = reviews(5, 3000, false);
    const s = await write('clean.jsonl', clean.texts, clean.labels);
    expect(s.report.findings.filter((x) => x.severity !== 'low')).toEqual([]);
  });
});

describe('the sum of deletion ratios under insertion', () => {
  it('is convolved exactly: one insertion in seven leaving an unseen pair is common, not a 1% event', () => {
    // 3% of insertions leave a pair no other text has (-3.6 nats), the rest +0.9.
    const llrByBin = new Float64Array(14).fill(0.9);
    llrByBin[0] = -3.6;
    const insertedShare = new Float64Array(14);
    insertedShare[0] = 0.03;
    insertedShare[1] = 0.97;
    const mean = 0.03 * -3.6 + 0.97 * 0.9;
    const fit: DeletionFit = { llrByBin, insertedShare, meanInserted: mean, sdInserted: 4.5 * Math.sqrt(0.03 * 0.97) };
    const sums = new InsertedSums(fit);
    // Six at +0.9 and one at -3.6 sum to 1.8: at most that whenever one of seven lands in the unseen bin.
    expect(sums.lowerTail(1.8 + 1e-6, 7)).toBeCloseTo(1 - 0.97 ** 7, 3);
    // Just below it, only two or more in the unseen bin.
    expect(sums.lowerTail(1.8 - 0.1, 7)).toBeCloseTo(1 - 0.97 ** 7 - 7 * 0.03 * 0.97 ** 6, 3);
    expect(sums.lowerTail(7 * 0.9, 7)).toBeCloseTo(1, 6);
    // Beyond the exact tables, the normal tail around the same mean.
    expect(sums.lowerTail(50 * mean, 50)).toBeCloseTo(0.5, 2);
  });
});
