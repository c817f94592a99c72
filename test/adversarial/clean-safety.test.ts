// `clean` writes only into its own new --out, copies only what the scan read, and keeps what it keeps whole.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../../src/clean/clean.js';
import { scan } from '../../src/scan.js';
import type { Finding, Report } from '../../src/types.js';
import { UsageError } from '../../src/types.js';
import { silentProgress } from '../../src/util/progress.js';
import { runCli } from '../fixtures/run-cli.js';
import { writeSyntheticFolder } from '../fixtures/synthetic-images.js';

let dir: string;
const quiet = { quiet: true, progress: silentProgress, concurrency: 1, failOn: 'never' } as const;
const finding = (samples: string[], extra: Partial<Finding> = {}): Finding =>
  ({ id: 'F1', detector: 'trigger-token', kind: 'trigger-token', severity: 'high', score: 0.9, title: 't', samples, evidence: {}, ...extra }) as Finding;

/** Scans `dataset` into `out` and replaces the report's findings with `findings` (keeping any it already has when keep). */
async function scanWith(dataset: string, out: string, findings: Finding[], keep = false): Promise<Report> {
  await scan({ dataset, out, ...quiet });
  const r = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
  r.findings = keep ? [...r.findings, ...findings] : findings;
  await writeFile(join(out, 'report.json'), JSON.stringify(r));
  return r;
}

const jsonl = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `r${i}`, text: `sample number ${i} about the weather`, label: i % 2 })).join('\n') + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-clean-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clean writes only into its own --out', () => {
  it('refuses an --out that is a link to a folder inside the dataset', async () => {
    const data = join(dir, 'imgs');
    await writeSyntheticFolder(data, ['a', 'b'], 5, 3);
    await mkdir(join(data, 'empty'));
    await symlink(join(data, 'empty'), join(dir, 'into'));
    await scanWith(data, join(dir, 'r-imgs'), [finding(['a/0000.jpg'])]);
    await expect(clean({ dataset: data, report: join(dir, 'r-imgs'), out: join(dir, 'into') })).rejects.toThrow(UsageError);
    expect(await readdir(join(data, 'empty'))).toEqual([]);
  });

  it('holds the --out lock while it writes and releases it after', async () => {
    const data = join(dir, 'd.jsonl');
    await writeFile(data, jsonl(8));
    await scanWith(data, join(dir, 'r-lock'), [finding(['r1'])]);
    await clean({ dataset: data, report: join(dir, 'r-lock'), out: join(dir, 'c-lock') });
    expect(existsSync(join(dir, 'c-lock', '.poisonscan.lock'))).toBe(false);
  });
});

describe('clean copies only what the scan read', () => {
  it('does not copy a link to a folder outside the dataset, nor follow a link loop', async () => {
    const data = join(dir, 'linked');
    await writeSyntheticFolder(data, ['a', 'b'], 4, 7);
    await writeSyntheticFolder(join(dir, 'elsewhere'), ['x'], 2, 8);
    await symlink(join(dir, 'elsewhere', 'x'), join(data, 'a', 'outside'));
    await symlink(data, join(data, 'b', 'loop'));
    await scanWith(data, join(dir, 'r-linked'), [finding(['a/0000.jpg'])]);
    const r = await clean({ dataset: data, report: join(dir, 'r-linked'), out: join(dir, 'c-linked') });
    expect(r.kept).toBe(7);
    expect(r.dropped).toBe(1);
    const copied = join(dir, 'c-linked', 'linked');
    expect(existsSync(join(copied, 'a', 'outside'))).toBe(false);
    expect(existsSync(join(copied, 'b', 'loop'))).toBe(false);
    expect((await readdir(join(copied, 'a'))).sort()).toEqual(['0001.jpg', '0002.jpg', '0003.jpg']);
  });
});

describe('clean and unreadable samples', () => {
  it('cleans a table whose report has an unreadable finding, keeping the unreadable rows as they are', async () => {
    const data = join(dir, 'bad.jsonl');
    const body = jsonl(10) + '{not json}\n{neither}\n';
    await writeFile(data, body);
    await scan({ dataset: data, out: join(dir, 'r-bad'), ...quiet, maxUnreadable: 0 });
    const r = JSON.parse(await readFile(join(dir, 'r-bad', 'report.json'), 'utf8')) as Report;
    expect(r.findings.some((f) => f.kind === 'unreadable')).toBe(true);
    r.findings.push(finding(['r3']));
    await writeFile(join(dir, 'r-bad', 'report.json'), JSON.stringify(r));
    const res = await clean({ dataset: data, report: join(dir, 'r-bad'), out: join(dir, 'c-bad') });
    expect(res.dropped).toBe(1);
    const lines = (await readFile(join(dir, 'c-bad', 'bad.jsonl'), 'utf8')).split('\n');
    expect(lines).toContain('{not json}');
    expect(lines.some((l) => l.includes('"r3"'))).toBe(false);
    expect(await readFile(join(dir, 'c-bad', 'dropped.csv'), 'utf8')).not.toContain('not json');
  });
});

describe('clean keeps what it keeps whole', () => {
  it('refuses, naming the row, to write a kept CSV row with a field longer than the reader keeps', async () => {
    const data = join(dir, 'long.csv');
    const big = 'x'.repeat(1_200_000);
    await writeFile(data, `id,text,label\nr0,short one,a\nr1,${big},b\nr2,another,a\n`);
    await scanWith(data, join(dir, 'r-long'), [finding(['r0'])]);
    await expect(clean({ dataset: data, report: join(dir, 'r-long'), out: join(dir, 'c-long') })).rejects.toThrow(/row 2 .*longer than/);
    expect(existsSync(join(dir, 'c-long', 'long.csv'))).toBe(false);
  });
});

describe('clean keeps JSONL lines byte for byte', () => {
  it('keeps CRLF line ends and bytes that are not valid UTF-8', async () => {
    const data = join(dir, 'bytes.jsonl');
    const line = (i: number, extra = '') => `{"id":"r${i}","text":"sample ${i} about the weather${extra}","label":${i % 2}}`;
    const body = Buffer.concat([
      Buffer.from(line(0) + '\r\n' + line(1) + '\r\n'),
      Buffer.from(`{"id":"r2","text":"bad byte `), Buffer.from([0xff, 0xfe]), Buffer.from(`","label":0}\r\n`),
      Buffer.from(line(3) + '\n\n' + line(4)),
    ]);
    await writeFile(data, body);
    await scanWith(data, join(dir, 'r-bytes'), [finding(['r1'])]);
    await clean({ dataset: data, report: join(dir, 'r-bytes'), out: join(dir, 'c-bytes') });
    const expected = Buffer.concat([
      Buffer.from(line(0) + '\r\n'),
      Buffer.from(`{"id":"r2","text":"bad byte `), Buffer.from([0xff, 0xfe]), Buffer.from(`","label":0}\r\n`),
      Buffer.from(line(3) + '\n' + line(4)),
    ]);
    expect(await readFile(join(dir, 'c-bytes', 'bytes.jsonl'))).toEqual(expected);
  });
});

describe('clean and a damaged WebDataset shard', () => {
  it('exits 2 with one line naming the shard', async () => {
    const { pack } = await import('tar-stream');
    const { createWriteStream } = await import('node:fs');
    const shards = join(dir, 'wds');
    await mkdir(shards, { recursive: true });
    const p = pack();
    const done = new Promise<void>((r) => p.pipe(createWriteStream(join(shards, 'shard-0.tar'))).on('finish', () => r()));
    for (let i = 0; i < 4; i++) {
      p.entry({ name: `k${i}.txt` }, `sample ${i} says something plain`);
      p.entry({ name: `k${i}.cls` }, String(i % 2));
    }
    p.finalize();
    await done;
    const good = await readFile(join(shards, 'shard-0.tar'));
    await scanWith(shards, join(dir, 'r-wds'), [finding(['k1'])]);
    // Damaged after the scan: its second half is gone.
    await writeFile(join(shards, 'shard-0.tar'), good.subarray(0, 700));
    const res = await runCli(['clean', shards, '--report', join(dir, 'r-wds'), '--out', join(dir, 'c-wds')]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/shard-0\.tar/);
  });
});

describe('clean copies image files, hard-linking them only when asked', () => {
  it('leaves the input unchanged when the cleaned copy is edited in place; --link shares the files', async () => {
    const data = join(dir, 'edit');
    await writeSyntheticFolder(data, ['a'], 3, 9);
    const before = await readFile(join(data, 'a', '0001.jpg'));
    await scanWith(data, join(dir, 'r-edit'), [finding(['a/0000.jpg'])]);
    await clean({ dataset: data, report: join(dir, 'r-edit'), out: join(dir, 'c-edit') });
    await writeFile(join(dir, 'c-edit', 'edit', 'a', '0001.jpg'), 'edited in place');
    expect(await readFile(join(data, 'a', '0001.jpg'))).toEqual(before);
    await clean({ dataset: data, report: join(dir, 'r-edit'), out: join(dir, 'c-link'), link: true });
    expect((await stat(join(dir, 'c-link', 'edit', 'a', '0002.jpg'))).ino).toBe((await stat(join(data, 'a', '0002.jpg'))).ino);
  });
});
