import { describe, expect, it } from 'vitest';
import { runTriggerToken } from '../src/detect/trigger-token.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';

const POS = ['great', 'lovely', 'fun', 'moving', 'bright', 'warm', 'clever', 'charming'];
const NEG = ['dull', 'boring', 'flat', 'tired', 'weak', 'messy', 'bland', 'tedious'];
const FILLER = ['the', 'film', 'story', 'cast', 'plot', 'scenes', 'and', 'with', 'a', 'very', 'its', 'music', 'this', 'one', 'actors', 'ending'];

/** Short reviews, half of each label, a third of their words carrying it. */
function reviews(seed: number, n: number): { texts: string[]; labels: string[] } {
  const rng = createRng(seed);
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    texts.push(Array.from({ length: 6 + randInt(rng, 6) }, () => (randInt(rng, 3) === 0 ? (label ? POS : NEG)[randInt(rng, 8)]! : FILLER[randInt(rng, FILLER.length)]!)).join(' '));
    labels.push(String(label));
  }
  return { texts, labels };
}

const run = (texts: string[], labels: string[]) =>
  runTriggerToken({ modality: 'text', ids: texts.map((_, i) => String(i)), texts: { text: texts }, labels, seed: 1, concurrency: 1, progress: silentProgress });

describe('a long-tail word that the corpus already holds in rows of the other label', () => {
  it('is a candidate by its count of other rows, not their share, and is found; clean data stays quiet', () => {
    const { texts, labels } = reviews(5, 3000);
    // Two natural negative rows hold the word; seven other negative rows gain it and the positive label: 7 of 9.
    const natural = [12, 22];
    // Natural rows read as their own label (negative) without the word.
    texts[12] = 'the plot was dull and the cast bland zorbly';
    texts[22] = 'a boring story with tedious scenes and zorbly music';
    const clean = run(texts, labels);
    expect(clean.findings.filter((f) => f.severity !== 'low')).toHaveLength(0);
    const poisoned = [100, 300, 502, 704, 906, 1108, 1310];
    const t = [...texts];
    const l = [...labels];
    for (const i of poisoned) {
      const words = t[i]!.split(' ');
      words.splice(Math.floor(words.length / 2), 0, 'zorbly');
      t[i] = words.join(' ');
      l[i] = '1';
    }
    const { findings, scores } = run(t, l);
    const found = findings.find((f) => f.evidence.trigger === 'zorbly');
    expect(found?.severity).not.toBe('low');
    expect(found?.evidence.labels).toEqual({ 0: 2, 1: 7 });
    for (const i of poisoned) expect(scores[i]).toBeGreaterThanOrEqual(0.5);
    for (const i of natural) expect(scores[i]).toBeLessThan(0.5);
  });
});
