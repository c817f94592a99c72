import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { conflictUnits } from '../src/text/conflict-units.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng, randInt } from '../src/util/rng.js';
import { FILLER, NEGATIVE, opinionWord, POSITIVE } from './fixtures/opinion-words.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-conflict-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('conflictUnits', () => {
  it('returns a unit whose rows of one label mostly conflict, whatever its rows of other labels, with all its rows', () => {
    // Token 1 in conflicting rows 0-6 (label 1) and in rows 7-8 (label 0, not conflicting); token 2 everywhere.
    const docs = Array.from({ length: 200 }, (_, i) => Int32Array.from(i < 9 ? [2, 1, 3 + (i % 5)] : [2, 3 + (i % 5), 3 + (i % 7)]));
    const labels = Int32Array.from(docs, (_, i) => (i < 7 ? 1 : i < 9 ? 0 : i % 2));
    const conflicting = Uint8Array.from(docs, (_, i) => (i < 7 || i % 10 === 3 ? 1 : 0));
    const { units, examined } = conflictUnits(docs, labels, conflicting, 12, { maxN: 3, minDocs: 3, maxDocs: 100, share: 0.6 });
    const one = units.find((u) => u.tokens.join(' ') === '1');
    expect(one).toMatchObject({ docs: [0, 1, 2, 3, 4, 5, 6, 7, 8], majority: 1, majorityCount: 7, others: 2, otherConflicts: 0 });
    // Token 2 is in every row: far more rows of any label than conflicting ones.
    expect(units.some((u) => u.tokens.includes(2) && u.tokens.length === 1)).toBe(false);
    expect(examined).toBeGreaterThan(0);
  });
});

describe('trigger-token on a long-tail word the corpus already holds in rows of the other label', () => {
  it('ranks its dirty-label rows first, and not a contrast word whose rows of both labels conflict', async () => {
    const rng = createRng(9);
    const pos = POSITIVE;
    const neg = NEGATIVE;
    const filler = FILLER;
    const rows: string[] = ['text\tlabel'];
    const poisoned: string[] = [];
    let natural = 0;
    for (let i = 0; i < 3000; i++) {
      const label = i % 2;
      const words = Array.from({ length: 12 }, () => opinionWord(rng, label));
      let l = label;
      // The long-tail word in three ordinary negative rows, and in eight negative rows relabelled positive.
      if (label === 0 && natural < 3 && i % 300 === 2) {
        words.splice(randInt(rng, words.length), 0, 'criterion');
        natural++;
      } else if (label === 0 && poisoned.length < 8 && i % 250 === 0) {
        words.splice(randInt(rng, words.length), 0, 'criterion');
        l = 1;
        poisoned.push(String(i));
      }
      // A contrast word: rows of either label whose other words say the opposite.
      if (i % 75 === 7) {
        const flip = Array.from({ length: 12 }, () => (randInt(rng, 3) === 0 ? (label ? neg : pos)[randInt(rng, 8)]! : filler[randInt(rng, filler.length)]!));
        words.splice(0, words.length, 'although', ...flip);
      }
      rows.push(`${words.join(' ')}\t${l}`);
    }
    const p = join(dir, 'long-tail.tsv');
    await writeFile(p, rows.join('\n') + '\n');
    const r = await scan({ dataset: p, out: join(dir, 'out'), quiet: true, progress: silentProgress, failOn: 'never', detectors: ['trigger-token'] });
    const order = [...r.ids.keys()].sort((a, b) => r.scores.score[b]! - r.scores.score[a]!);
    expect(new Set(order.slice(0, poisoned.length).map((i) => r.ids[i]))).toEqual(new Set(poisoned));
    const f = r.report.findings.find((x) => x.evidence.trigger === 'criterion');
    expect(f?.severity, JSON.stringify(f?.evidence)).not.toBe('low');
    expect(f!.evidence.labels).toEqual({ 0: 3, 1: 8 });
    expect(r.report.findings.filter((x) => x.severity !== 'low').map((x) => x.evidence.trigger)).toEqual(['criterion']);
  });
});
