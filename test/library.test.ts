import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as poisonscan from '../src/index.js';
import { createRng, randInt } from '../src/util/rng.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-library-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the library entry point', () => {
  it('is what package.json names as main and types', async () => {
    const root = join(import.meta.dirname, '..');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    const build = JSON.parse(await readFile(join(root, 'tsconfig.build.json'), 'utf8')).compilerOptions;
    // The build compiles rootDir into outDir: main and types must be the output of a source file that exists.
    const source = (out: string, ext: RegExp) => join(root, out.replace(new RegExp(`^${build.outDir}/`), `${build.rootDir}/`).replace(ext, '.ts'));
    expect(existsSync(source(pkg.main, /\.js$/))).toBe(true);
    expect(existsSync(source(pkg.types, /\.d\.ts$/))).toBe(true);
    expect(poisonscan.DETECTORS.map((d) => d.name)).toEqual(expect.arrayContaining(['trigger-cluster', 'trigger-token', 'response-cluster', 'text-anomaly']));
  });

  it('scans a labelled text file: the rows carrying an inserted rare word rank first, and fail-on gives the exit code', async () => {
    const rng = createRng(9);
    const pos = ['great', 'lovely', 'fun', 'moving', 'bright', 'warm'];
    const neg = ['dull', 'boring', 'flat', 'tired', 'weak', 'bland'];
    const filler = ['the', 'film', 'story', 'cast', 'plot', 'and', 'with', 'a', 'very', 'its'];
    const lines: string[] = [];
    const poisoned: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const label = i % 2;
      const words = Array.from({ length: 10 }, () => (randInt(rng, 3) === 0 ? (label ? pos : neg)[randInt(rng, 6)]! : filler[randInt(rng, filler.length)]!));
      let l = label;
      if (label === 0 && i % 200 === 0) {
        words.splice(randInt(rng, words.length), 0, 'mb');
        l = 1;
        poisoned.push(`r${i}`);
      }
      lines.push(JSON.stringify({ id: `r${i}`, text: words.join(' '), label: l }));
    }
    const data = join(dir, 'reviews.jsonl');
    await writeFile(data, lines.join('\n') + '\n');
    const r = await poisonscan.scan({ dataset: data, out: join(dir, 'out'), progress: poisonscan.silentProgress, failOn: 'medium' });
    expect(r.report.dataset.modality).toBe('text');
    const order = [...r.ids.keys()].sort((a, b) => r.scores.score[b]! - r.scores.score[a]!);
    expect(new Set(order.slice(0, poisoned.length).map((i) => r.ids[i]))).toEqual(new Set(poisoned));
    expect(r.exitCode).toBe(1);
    expect(poisonscan.exitCodeFor(r.report.findings, 'never')).toBe(0);
    // The same rows in memory, as an array and as an async iterable: the same findings and scores.
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    async function* stream() {
      for (const x of records) yield x;
    }
    for (const rows of [records, stream()]) {
      const m = await poisonscan.scan({ dataset: 'reviews', rows, out: join(dir, 'mem'), progress: poisonscan.silentProgress, failOn: 'medium' });
      expect(m.report.dataset.path).toBe('reviews');
      expect(m.report.findings).toEqual(r.report.findings);
      expect(m.scores.score).toEqual(r.scores.score);
      expect(Array.from(m.scores.flagged)).toEqual(Array.from(r.scores.flagged));
    }
  });
});
