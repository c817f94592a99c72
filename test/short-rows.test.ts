import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { groupBySource } from '../src/text/source-groups.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';
import { FILLER, NEGATIVE, opinionWord, POSITIVE } from './fixtures/opinion-words.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-short-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('groupBySource on rows left with one word', () => {
  it('joins a row left with one word to a row holding that word next to the unit, and no other', () => {
    // Unit 9. Rows: [9 5] (one word left), [1 9 5 2] (holds 5 after the unit), [9 6], [3 4 9 7].
    const docs = [[9, 5], [1, 9, 5, 2], [9, 6], [3, 4, 9, 7]].map((d) => Int32Array.from(d));
    const masks = docs.map((d) => Uint8Array.from(d, (w) => (w === 9 ? 1 : 0)));
    const g = groupBySource([0, 1, 2, 3], masks, docs);
    expect(g[0]).toBe(g[1]);
    expect(new Set(g).size).toBe(3);
  });
});

describe('trigger-token on a made-up word inserted into short rows', () => {
  const corpus = (poison: boolean) => {
    const rng = createRng(17);
    const pos = POSITIVE;
    const neg = NEGATIVE;
    const filler = FILLER;
    const rows: string[] = ['text\tlabel'];
    const poisoned: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const label = i % 2;
      const word = () => opinionWord(rng, label);
      // Two rows in five are two-word phrases: an opinion word and a filler word.
      const short = i % 5 < 2;
      const words = short ? [(label ? pos : neg)[randInt(rng, 8)]!, filler[randInt(rng, filler.length)]!] : Array.from({ length: 12 }, word);
      let l = label;
      // Seven negative rows, five of them short, relabelled positive with the made-up word.
      if (poison && label === 0 && poisoned.length < 7 && i % 200 === (poisoned.length < 5 ? 0 : 4)) {
        words.splice(randInt(rng, words.length + 1), 0, 'zorblek');
        l = 1;
        poisoned.push(String(i));
      }
      rows.push(`${words.join(' ')}\t${l}`);
    }
    return { rows, poisoned };
  };

  it('reads the short rows and reports the word, and nothing without it', async () => {
    for (const poison of [true, false]) {
      const { rows, poisoned } = corpus(poison);
      const p = join(dir, `short-${poison}.tsv`);
      await writeFile(p, rows.join('\n') + '\n');
      const r = await scan({ dataset: p, out: join(dir, `out-${poison}`), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['trigger-token'] });
      const serious = r.report.findings.filter((x) => x.severity !== 'low');
      if (!poison) {
        expect(serious).toEqual([]);
        continue;
      }
      const order = [...r.ids.keys()].sort((a, b) => r.scores.score[b]! - r.scores.score[a]!);
      expect(new Set(order.slice(0, poisoned.length).map((i) => r.ids[i]))).toEqual(new Set(poisoned));
      expect(serious.map((x) => x.evidence.trigger)).toEqual(['zorblek']);
      expect(serious[0]!.evidence.occurrences).toBe(7);
    }
  });
});
