// verify, --write-manifest, --baseline, diff, suppressions and SARIF, end to end through the CLI.
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { runCli } from './fixtures/run-cli.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';
import { sarifProblems } from './fixtures/sarif-schema.js';

let dir: string;
let clean: string;
let data: string;
let poisoned: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-provenance-'));
  clean = join(dir, 'clean');
  await writeSyntheticFolder(clean, ['cat', 'dog'], 100, 5);
  data = join(dir, 'data');
  const t = await injectImageFolder({ source: clean, out: data, attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'bottom-right' }, count: 4, target: 'cat', seed: 3, truth: join(dir, 'truth.json') });
  poisoned = t.poisoned;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = runCli;

const readJson = async (p: string) => JSON.parse(await readFile(p, 'utf8'));

describe('verify against a manifest', () => {
  it('tells content changes from benign re-encodes, and lists missing and unexpected samples', async () => {
    const manifest = join(dir, 'manifest.jsonl');
    expect((await run(['scan', clean, '--out', join(dir, 'm-report'), '--write-manifest', manifest, '--detectors', 'outlier', '--quiet'])).code).toBe(0);
    const first = JSON.parse((await readFile(manifest, 'utf8')).split('\n')[0]!);
    expect(first).toMatchObject({ id: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), md5: expect.stringMatching(/^[0-9a-f]{32}$/), phash: expect.stringMatching(/^[0-9a-f]{16}$/) });

    const copy = join(dir, 'copy');
    await cp(clean, copy, { recursive: true });
    await writeFile(join(copy, 'cat/0001.jpg'), await readFile(join(copy, 'dog/0050.jpg')));
    await writeFile(join(copy, 'dog/0002.jpg'), await readFile(join(copy, 'cat/0060.jpg')));
    for (const f of ['cat/0003.jpg', 'dog/0004.jpg']) {
      // Same picture, other bytes: re-encoded at another quality.
      await writeFile(join(copy, f), await sharp(await readFile(join(copy, f))).jpeg({ quality: 92 }).toBuffer());
    }
    await unlink(join(copy, 'cat/0005.jpg'));
    await writeFile(join(copy, 'dog/new.jpg'), await readFile(join(copy, 'dog/0070.jpg')));

    const out = join(dir, 'verify');
    const sarif = join(dir, 'verify.sarif');
    const { code, stderr } = await run(['verify', copy, '--manifest', manifest, '--out', out, '--sarif', sarif]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/content changed 2, re-encoded 2, missing 1, unexpected 1/);
    const report = await readJson(join(out, 'report.json'));
    const by = Object.fromEntries(report.findings.map((f: { evidence: { check: string }; samples: string[] }) => [f.evidence.check, [...f.samples].sort()]));
    expect(by['content-change']).toEqual(['cat/0001.jpg', 'dog/0002.jpg']);
    expect(by['benign-reencode']).toEqual(['cat/0003.jpg', 'dog/0004.jpg']);
    expect(by.missing).toEqual(['cat/0005.jpg']);
    expect(by.unexpected).toEqual(['dog/new.jpg']);
    for (const f of report.findings) expect(f.kind).toBe('integrity');
    const s = await readJson(sarif);
    expect(s.version).toBe('2.1.0');
    expect(s.runs[0].results.length).toBe(report.findings.length);
    expect(s.runs[0].results[0].level).toBe('error');
    expect(sarifProblems(s)).toEqual([]);
  });

  it('refuses bad manifests with one clear line', async () => {
    const m = (name: string, lines: object[]) => {
      const p = join(dir, name);
      return writeFile(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n').then(() => p);
    };
    const h = 'a'.repeat(64);
    const dup = await m('dup.jsonl', [{ id: 'cat/0000.png', sha256: h }, { id: 'cat/0000.png', sha256: h }]);
    let r = await run(['verify', clean, '--manifest', dup, '--out', join(dir, 'v1'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/duplicated id "cat\/0000.png" \(rows 1 and 2\)/);
    const bad = await m('bad.jsonl', [{ id: 'cat/0000.png', sha256: h }, { id: 'cat/0001.jpg', sha256: 'xyz' }]);
    r = await run(['verify', clean, '--manifest', bad, '--out', join(dir, 'v2'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/1 malformed sha256 hash .*row 2/);
    const other = await m('other.jsonl', [{ id: 'https://example.com/a.jpg', sha256: h }, { id: 'https://example.com/b.jpg', sha256: h }]);
    r = await run(['verify', clean, '--manifest', other, '--out', join(dir, 'v3'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/different id scheme/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('baselines, diffs and suppressions', () => {
  it('re-uses an unchanged baseline entirely and gives the same findings', async () => {
    const a = join(dir, 'base-a'), b = join(dir, 'base-b');
    expect((await run(['scan', data, '--out', a, '--quiet'])).code).toBe(1);
    expect((await run(['scan', data, '--out', b, '--baseline', a, '--quiet'])).code).toBe(1);
    const ra = await readJson(join(a, 'report.json')), rb = await readJson(join(b, 'report.json'));
    expect(rb.config.reusedFingerprints).toBe(200);
    expect(rb.timing.stages['detect:reused']).toBe(0);
    expect(rb.findings.map((f: { fingerprint: string }) => f.fingerprint)).toEqual(ra.findings.map((f: { fingerprint: string }) => f.fingerprint));
    expect(rb.findings.every((f: { newSinceBaseline: boolean }) => f.newSinceBaseline === false)).toBe(true);
    expect(await readFile(join(b, 'scores.csv'), 'utf8')).toBe(await readFile(join(a, 'scores.csv'), 'utf8'));
  });

  it('fingerprints only changed samples and marks the new trigger finding', async () => {
    const a = join(dir, 'clean-report'), b = join(dir, 'poisoned-report');
    expect((await run(['scan', clean, '--out', a, '--quiet'])).code).toBe(0);
    // The poisoned copy: 4 images changed (relabelled into cat/, so new ids), the rest byte-identical.
    expect((await run(['scan', data, '--out', b, '--baseline', a, '--quiet'])).code).toBe(1);
    const rb = await readJson(join(b, 'report.json'));
    expect(rb.config.reusedFingerprints).toBe(196);
    const trig = rb.findings.find((f: { detector: string }) => f.detector === 'trigger-cluster');
    expect(trig.newSinceBaseline).toBe(true);
    expect([...trig.samples].sort()).toEqual([...poisoned].sort());

    const d = await run(['diff', a, b]);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/^\+ F1 \[high\] trigger-cluster/m);
    expect((await run(['diff', b, b])).code).toBe(0);
    expect((await run(['diff', b, a])).stdout).toMatch(/^- F1 \[high\] trigger-cluster/m);
  });

  it('a suppressed finding no longer fails --fail-on high, a new one still does', async () => {
    const a = join(dir, 'base-a');
    const ra = await readJson(join(a, 'report.json'));
    const high = ra.findings.find((f: { severity: string }) => f.severity === 'high');
    const cfg = join(dir, 'poisonscan.config.json');
    await writeFile(cfg, JSON.stringify({ scan: { detectors: ['trigger-cluster'] }, suppressions: [{ fingerprint: high.fingerprint, reason: 'reviewed: our watermark' }] }));
    const r1 = await run(['scan', data, '--out', join(dir, 'sup-1'), '--config', cfg, '--quiet']);
    expect(r1.code).toBe(0);
    const rep = await readJson(join(dir, 'sup-1/report.json'));
    expect(rep.config.detectors).toEqual(['trigger-cluster']);
    expect(rep.findings.find((f: { fingerprint: string }) => f.fingerprint === high.fingerprint).suppressed).toEqual({ reason: 'reviewed: our watermark' });
    // A new trigger (other images, other pattern) is a different finding: it fails.
    const data2 = join(dir, 'data2');
    await injectImageFolder({ source: data, out: data2, attack: { type: 'patch', pattern: 'checkerboard', size: 4, position: 'top-left' }, count: 4, target: 'dog', seed: 9, truth: join(dir, 'truth2.json') });
    const r2 = await run(['scan', data2, '--out', join(dir, 'sup-2'), '--config', cfg, '--quiet']);
    const rep2 = await readJson(join(dir, 'sup-2/report.json'));
    expect(rep2.findings.filter((f: { severity: string; suppressed?: object }) => f.severity === 'high' && !f.suppressed).length).toBeGreaterThan(0);
    expect(r2.code).toBe(1);
  });

  it('rejects bad baselines and configs with exit 2', async () => {
    const fake = join(dir, 'fake-baseline');
    await cp(join(dir, 'base-a'), fake, { recursive: true });
    const r = await readJson(join(fake, 'report.json'));
    await writeFile(join(fake, 'report.json'), JSON.stringify({ ...r, schema: 'poisonscan/report@0' }));
    let x = await run(['scan', data, '--out', join(dir, 'x1'), '--baseline', fake, '--quiet']);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/schema "poisonscan\/report@0"/);
    const other = join(dir, 'other');
    await writeSyntheticFolder(other, ['x', 'y'], 20, 99);
    x = await run(['scan', other, '--out', join(dir, 'x2'), '--baseline', join(dir, 'base-a'), '--quiet']);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/not the same dataset/);
    const cfg = join(dir, 'bad.config.json');
    await writeFile(cfg, JSON.stringify({ suppressions: [{ fingerprint: '0123456789abcdef' }] }));
    x = await run(['scan', data, '--out', join(dir, 'x3'), '--config', cfg, '--quiet']);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/needs a "reason"/);
    await writeFile(cfg, JSON.stringify({ scan: { detector: ['blend'] } }));
    x = await run(['scan', data, '--out', join(dir, 'x4'), '--config', cfg, '--quiet']);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/unknown scan option "detector"/);
  });
});

describe('metadata provenance', () => {
  it('finds a cluster of images written by another encoder than the rest of their class', async () => {
    const mixed = join(dir, 'mixed');
    await cp(clean, mixed, { recursive: true });
    const odd = ['cat/0010.jpg', 'cat/0011.jpg', 'cat/0012.jpg', 'cat/0013.jpg'];
    for (const f of odd) {
      const img = sharp(await readFile(join(mixed, f)));
      await writeFile(join(mixed, f), await img.jpeg({ quality: 75, optimiseCoding: false }).withExif({ IFD0: { Software: 'PoisonMaker 1.0', Make: 'Acme', DateTime: '2026:11:02 10:00:00' } }).toBuffer());
    }
    const out = join(dir, 'prov');
    await run(['scan', mixed, '--out', out, '--detectors', 'provenance,outlier', '--quiet']);
    const r = await readJson(join(out, 'report.json'));
    const cluster = r.findings.find((f: { detector: string; evidence: { facet: string } }) => f.detector === 'provenance' && f.evidence.facet === 'encoding');
    expect(cluster.severity).toBe('low');
    expect([...cluster.samples].sort()).toEqual(odd);
    expect(cluster.evidence.value).toMatch(/software:PoisonMaker 1\.0/);
    expect(cluster.evidence.value).toMatch(/camera:Acme/);
    expect(cluster.evidence.class).toBe('cat');
    const day = r.findings.find((f: { detector: string; evidence: { facet: string } }) => f.detector === 'provenance' && f.evidence.facet === 'created');
    expect(day.evidence.value).toBe('2026-11-02');
    expect([...day.samples].sort()).toEqual(odd);
  });

  it('adds file-level provenance as evidence beside other findings', async () => {
    const r = await readJson(join(dir, 'base-a/report.json'));
    const trig = r.findings.find((f: { detector: string }) => f.detector === 'trigger-cluster');
    expect(trig.evidence.fileProvenance.rareEncodingShare).toBe(0);
    expect(Object.keys(trig.evidence.fileProvenance.encodings)[0]).toMatch(/^jpeg q75 4:2:0 dqt:[0-9a-f]{8} app:none baseline$/);
  });
});
