import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { runCli } from './fixtures/run-cli.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
let data: string;
let poisoned: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-contract-'));
  await writeSyntheticFolder(join(dir, 'clean'), ['cat', 'dog'], 120, 11);
  data = join(dir, 'data');
  const t = await injectImageFolder({ source: join(dir, 'clean'), out: data, attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'bottom-right' }, count: 4, target: 'cat', seed: 2, truth: join(dir, 'truth.json') });
  poisoned = t.poisoned;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = runCli;

describe('scan outputs keep the contract', () => {
  it('writes report.json, scores.csv, scores.arrow and report.html for every sample read', async () => {
    const out = join(dir, 'out');
    const { code } = await run(['scan', data, '--out', out, '--quiet', '--fail-on', 'medium', '--concurrency', '1']);
    expect(code).toBe(1);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.schema).toBe('poisonscan/report@1');
    expect(report.tool.name).toBe('poisonscan');
    expect(report.dataset).toMatchObject({ format: 'imagefolder', modality: 'image', samples: 240, labels: { cat: 124, dog: 116 } });
    expect(report.timing.seconds).toBeGreaterThan(0);
    expect(Object.keys(report.timing.stages)).toEqual(expect.arrayContaining(['fingerprint', 'detect:trigger-cluster']));
    for (const f of report.findings) {
      expect(f.id).toMatch(/^F\d+$/);
      expect(['high', 'medium', 'low']).toContain(f.severity);
      expect(f.score).toBeGreaterThanOrEqual(0);
      expect(f.score).toBeLessThanOrEqual(1);
      expect(f.samples.length).toBeGreaterThan(0);
    }
    const top = report.findings[0];
    expect(top.detector).toBe('trigger-cluster');
    expect(new Set(top.samples)).toEqual(new Set(poisoned));

    const csv = (await readFile(join(out, 'scores.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('id,score,flagged,findings');
    expect(csv).toHaveLength(241);
    const flagged = csv.slice(1).filter((l) => l.split(',')[2] === 'true').map((l) => l.split(',')[0]);
    expect(new Set(flagged)).toEqual(new Set(poisoned));

    const table = tableFromIPC(await readFile(join(out, 'scores.arrow')));
    expect(table.numRows).toBe(240);
    expect(table.schema.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['id', 'score', 'flagged', 'findings', 'score_trigger-cluster']));

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('poisonscan report');
    expect(html).not.toMatch(/<script/i);
  });

  it('exits 0 with --fail-on never and prints report.json with --json', async () => {
    const out = join(dir, 'out2');
    const { code, stdout } = await run(['scan', data, '--out', out, '--json', '--fail-on', 'never', '--detectors', 'near-duplicate', '--concurrency', '1']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).config.detectors).toEqual(['near-duplicate']);
  });

  it('exits 2 with one line for a missing dataset, an unknown detector and a bad option', async () => {
    for (const args of [['scan', join(dir, 'nope')], ['scan', data, '--detectors', 'nope', '--out', join(dir, 'o3')], ['scan', data, '--fail-on', 'sometimes']]) {
      const { code, stderr } = await run(args);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
