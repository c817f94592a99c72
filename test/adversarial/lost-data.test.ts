// A careless user must not lose data: no report written into the dataset, a previous report set that survives a
// failed run, damaged files read up to the damage, one bad shard that does not stop the rest.
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan.js';
import { UsageError } from '../../src/types.js';
import { silentProgress } from '../../src/util/progress.js';
import { writeSyntheticFolder } from '../fixtures/synthetic-images.js';
import { runCli } from '../fixtures/run-cli.js';

let dir: string;
const quiet = { quiet: true, progress: silentProgress, concurrency: 1 } as const;
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ text: `sentence ${from + i} about the weather and other things`, label: (from + i) % 2 }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-lost-'));
  await writeSyntheticFolder(join(dir, 'data'), ['a', 'b'], 15, 31);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nothing lost or damaged', () => {
  it('refuses an --out that reaches the dataset through a symbolic link, either way', async () => {
    // tree: data/ (the dataset, with the user's own scores.csv), link -> data, dlink -> data
    await writeFile(join(dir, 'data', 'scores.csv'), 'mine\n');
    await symlink(join(dir, 'data'), join(dir, 'link'));
    await symlink(join(dir, 'data'), join(dir, 'dlink'));
    // --out link/report (a link into the dataset)
    await expect(scan({ dataset: join(dir, 'data'), out: join(dir, 'link'), ...quiet })).rejects.toThrow(/inside the dataset/);
    await expect(scan({ dataset: join(dir, 'data'), out: join(dir, 'link', 'report'), ...quiet })).rejects.toThrow(UsageError);
    // the dataset through a link, --out by real path
    await expect(scan({ dataset: join(dir, 'dlink'), out: join(dir, 'data', 'report'), ...quiet })).rejects.toThrow(/inside the dataset/);
    expect(await readFile(join(dir, 'data', 'scores.csv'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'data', 'report.json'))).toBe(false);
    await rm(join(dir, 'data', 'scores.csv'));
  });

  it('keeps the previous report set whole when a run fails while writing (a full device)', async () => {
    // command: scan data --out good (succeeds), then scan data --out good --sarif /dev/full (fails writing)
    const out = join(dir, 'good');
    await scan({ dataset: join(dir, 'data'), out, detectors: ['outlier'], ...quiet });
    const before = await Promise.all(['report.json', 'scores.csv', 'fingerprints.arrow', 'report.html'].map((f) => readFile(join(out, f))));
    if (existsSync('/dev/full')) {
      const r = await runCli(['scan', join(dir, 'data'), '--out', out, '--detectors', 'outlier,near-duplicate', '--sarif', '/dev/full', '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot write \/dev\/full: no space left on the device/);
    }
    const after = await Promise.all(['report.json', 'scores.csv', 'fingerprints.arrow', 'report.html'].map((f) => readFile(join(out, f))));
    after.forEach((b, k) => expect(b.equals(before[k]!)).toBe(true));
    // No staging files or lock left behind, and the old set still works as a baseline.
    expect((await readdir(out)).filter((n) => n.startsWith('.'))).toEqual([]);
    const again = await scan({ dataset: join(dir, 'data'), out: join(dir, 'good2'), baseline: out, detectors: ['outlier'], ...quiet });
    expect(again.report.config.reusedFingerprints).toBe(30);
  });

  it('reads a truncated .jsonl.gz up to the damage and reports it', async () => {
    // file: 400 rows gzipped, cut at 60% of its bytes
    const gz = gzipSync(rows(400).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const file = join(dir, 'cut.jsonl.gz');
    await writeFile(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = await scan({ dataset: file, out: join(dir, 'gz-out'), detectors: ['near-duplicate'], ...quiet });
    expect(r.ids.length).toBeGreaterThan(100);
    expect(r.ids.length).toBeLessThan(400);
    expect(r.report.errors).toHaveLength(1);
    expect(r.report.errors[0]!.error).toMatch(/damaged after row \d+ .*rows before the damage were read/);
  });

  it('stops collecting a CSV field at the limit and reports its row; the other rows are read', async () => {
    // file: header, 30 rows, one with a 3-million-character quoted field in the middle
    const file = join(dir, 'long.csv');
    const body = rows(30).map((r) => `${r.text},${r.label}`);
    body.splice(10, 0, `"${'x'.repeat(3_000_000)}",1`);
    await writeFile(file, ['text,label', ...body].join('\n') + '\n');
    const r = await scan({ dataset: file, out: join(dir, 'csv-out'), detectors: ['near-duplicate'], ...quiet });
    expect(r.ids).toHaveLength(30);
    expect(r.report.errors).toEqual([{ id: '10', error: expect.stringMatching(/longer than 1 million characters/) }]);
  });

  it('reads the other Parquet and Arrow shards of a folder when one is unreadable', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const { tableToIPC, tableFromArrays } = await import('apache-arrow');
    // tree: pq/a.parquet (20 rows), pq/b.parquet (junk), pq/c.parquet (20 rows)
    const pq = join(dir, 'pq');
    await mkdir(pq);
    const shard = (rs: ReturnType<typeof rows>) => Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'text', data: rs.map((r) => r.text), type: 'STRING' }, { name: 'label', data: rs.map((r) => r.label), type: 'INT32' }] }));
    await writeFile(join(pq, 'a.parquet'), shard(rows(20)));
    await writeFile(join(pq, 'b.parquet'), 'this is not parquet');
    await writeFile(join(pq, 'c.parquet'), shard(rows(20, 20)));
    const p = await scan({ dataset: pq, out: join(dir, 'pq-out'), detectors: ['near-duplicate'], ...quiet });
    expect(p.ids).toHaveLength(40);
    expect(p.report.errors).toEqual([{ id: join(pq, 'b.parquet'), error: expect.stringMatching(/not a readable Parquet file.*not read/) }]);
    // tree: ar/a.arrow (20 rows), ar/b.arrow (junk), ar/c.arrow (20 rows)
    const ar = join(dir, 'ar');
    await mkdir(ar);
    const table = (rs: ReturnType<typeof rows>) => tableToIPC(tableFromArrays({ text: rs.map((r) => r.text), label: Int32Array.from(rs.map((r) => r.label)) }), 'stream');
    await writeFile(join(ar, 'a.arrow'), table(rows(20)));
    await writeFile(join(ar, 'b.arrow'), 'this is not arrow');
    await writeFile(join(ar, 'c.arrow'), table(rows(20, 20)));
    const a = await scan({ dataset: ar, out: join(dir, 'ar-out'), detectors: ['near-duplicate'], ...quiet });
    expect(a.ids).toHaveLength(40);
    expect(a.report.errors).toEqual([{ id: join(ar, 'b.arrow'), error: expect.stringMatching(/not a readable Arrow file.*not read/) }]);
  });

  it('refuses a second scan into an --out another run holds; a lock left by a dead process is taken over', async () => {
    const out = join(dir, 'locked');
    const both = await Promise.allSettled([0, 1].map(() => scan({ dataset: join(dir, 'data'), out, detectors: ['outlier'], ...quiet })));
    expect(both.map((b) => b.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failed = both.find((b) => b.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(UsageError);
    expect(String(failed.reason.message)).toMatch(/in use by another poisonscan run/);
    // A lock whose owner is gone (pid 2^22 + 1 exceeds Linux's pid limit) does not block.
    await writeFile(join(out, '.poisonscan.lock'), `${2 ** 22 + 1}\n`);
    await scan({ dataset: join(dir, 'data'), out, detectors: ['outlier'], ...quiet });
    expect(existsSync(join(out, '.poisonscan.lock'))).toBe(false);
  });
});
