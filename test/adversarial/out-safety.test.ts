// Outputs never land on the dataset: a file dataset inside --out, --sarif or --write-manifest inside the dataset.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan.js';
import { UsageError } from '../../src/types.js';
import { silentProgress } from '../../src/util/progress.js';
import { writeSyntheticFolder } from '../fixtures/synthetic-images.js';

let dir: string;
const quiet = { quiet: true, progress: silentProgress, concurrency: 1 } as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-out-'));
  await writeSyntheticFolder(join(dir, 'images'), ['a', 'b'], 6, 5);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('outputs never written over the dataset', () => {
  it('refuses an --out that holds a file dataset named like an output', async () => {
    await mkdir(join(dir, 'dd'));
    const csv = 'text,label\n' + Array.from({ length: 30 }, (_, i) => `sentence ${i} about things,${i % 2}`).join('\n') + '\n';
    for (const name of ['scores.csv', 'report.json', 'data.csv']) {
      await writeFile(join(dir, 'dd', name), csv);
      await expect(scan({ dataset: join(dir, 'dd', name), out: join(dir, 'dd'), ...quiet })).rejects.toThrow(UsageError);
      expect(await readFile(join(dir, 'dd', name), 'utf8')).toBe(csv);
    }
    expect(existsSync(join(dir, 'dd', 'report.html'))).toBe(false);
  });

  it('refuses --sarif and --write-manifest inside the dataset', async () => {
    const data = join(dir, 'images');
    await expect(scan({ dataset: data, out: join(dir, 'r1'), sarif: join(data, 'a', 'x.sarif'), ...quiet })).rejects.toThrow(/--sarif must not be inside/);
    await expect(scan({ dataset: data, out: join(dir, 'r2'), writeManifest: join(data, 'manifest.jsonl'), ...quiet })).rejects.toThrow(/--write-manifest must not be inside/);
    expect(existsSync(join(data, 'a', 'x.sarif'))).toBe(false);
    expect(existsSync(join(data, 'manifest.jsonl'))).toBe(false);
  });
});
