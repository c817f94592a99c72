// Unclear errors: every usage error and every output that cannot be written ends in one line on stderr and exit
// code 2, never a stack trace or the finding code 1.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticFolder } from '../fixtures/synthetic-images.js';
import { runCli } from '../fixtures/run-cli.js';

let dir: string;
const oneLine = (r: { code: number; stderr: string }, pattern: RegExp) => {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.some((l) => pattern.test(l))).toBe(true);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-err-'));
  await writeSyntheticFolder(join(dir, 'data'), ['a', 'b'], 10, 32);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('usage errors exit 2 everywhere', () => {
  it.each([
    [['diff'], /missing required argument/],
    [['diff', 'a', 'b', 'c'], /too many arguments/],
    [['verify', 'x'], /required option '--manifest/],
    [['detect'], /missing required argument/],
    [['inject', 'x'], /required option '--out/],
    [['scan', 'x', '--bogus'], /unknown option/],
    [['verify', 'x', '--manifest', 'm', '--fail-on', 'sometimes'], /invalid/],
    [[], /no command given/],
    [['scna', 'data'], /unknown command "scna"/],
  ])('poisonscan %j', async (args, pattern) => {
    oneLine(await runCli(args as string[]), pattern);
  });
});

describe('outputs that cannot be written, inputs that cannot be read', () => {
  it('an --out below a file, an --out that is a file, --sarif onto a full device', async () => {
    await writeFile(join(dir, 'afile'), 'x');
    const base = ['scan', join(dir, 'data'), '--detectors', 'outlier', '--quiet'];
    oneLine(await runCli([...base, '--out', join(dir, 'afile', 'report')]), /cannot create --out .*afile.*a part of the path is a file/);
    oneLine(await runCli([...base, '--out', join(dir, 'afile')]), /--out .*afile exists and is not a folder/);
    expect(await readFile(join(dir, 'afile'), 'utf8')).toBe('x');
    if (existsSync('/dev/full')) oneLine(await runCli([...base, '--out', join(dir, 'o1'), '--sarif', '/dev/full']), /cannot write \/dev\/full: no space left/);
    if (existsSync('/dev/full')) oneLine(await runCli(['verify', join(dir, 'data'), '--manifest', join(dir, 'nowhere.jsonl'), '--out', '/dev/full']), /--out \/dev\/full exists and is not a folder/);
  });

  it('a report.json with "samples": null given to diff or --baseline', async () => {
    const good = join(dir, 'good');
    expect((await runCli(['scan', join(dir, 'data'), '--out', good, '--detectors', 'outlier', '--quiet'])).code).toBe(0);
    const bad = join(dir, 'bad');
    await cp(good, bad, { recursive: true });
    const r = JSON.parse(await readFile(join(bad, 'report.json'), 'utf8'));
    r.dataset.samples = null;
    await writeFile(join(bad, 'report.json'), JSON.stringify(r));
    oneLine(await runCli(['diff', good, bad]), /report\.json is damaged: "dataset\.samples" is null/);
    oneLine(await runCli(['scan', join(dir, 'data'), '--out', join(dir, 'o2'), '--baseline', bad, '--quiet']), /report\.json is damaged/);
  });

  it('stdout closed by its reader under --json', async () => {
    // command: poisonscan scan data --json | (reader that closes at once)
    const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts'), 'scan', join(dir, 'data'), '--out', join(dir, 'o3'), '--detectors', 'outlier', '--json', '--concurrency', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((res) => child.on('close', res));
    oneLine({ code: code ?? -1, stderr }, /cannot write to stdout: the reader closed the pipe/);
  });
});
