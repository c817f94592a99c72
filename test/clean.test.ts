import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectImageFolder } from '../src/attack/image-inject.js';
import { parseConfig } from '../src/config/config.js';
import type { Report } from '../src/types.js';
import { runCli } from './fixtures/run-cli.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-clean-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under root with the sha256 of its bytes and its mtime. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(root, p)] = `${createHash('sha256').update(await readFile(p)).digest('hex')} ${(await stat(p)).mtimeMs}`;
    }
  };
  await walk(root);
  return out;
}

const report = async (d: string) => JSON.parse(await readFile(join(d, 'report.json'), 'utf8')) as Report;
const flagged = (r: Report) => r.findings.filter((f) => f.severity !== 'low');

describe('poisonscan clean', () => {
  it('writes an image folder without the flagged images that scans clean, and leaves the input byte-identical', async () => {
    await writeSyntheticFolder(join(dir, 'src'), ['cat', 'dog'], 120, 11);
    const data = join(dir, 'data');
    const truth = await injectImageFolder({ source: join(dir, 'src'), out: data, attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'bottom-right' }, count: 4, target: 'cat', seed: 2, truth: join(dir, 'truth.json') });
    const before = await snapshot(data);
    expect((await runCli(['scan', data, '--out', join(dir, 'r1'), '--quiet', '--fail-on', 'never'])).code).toBe(0);
    const r1 = await report(join(dir, 'r1'));
    expect(flagged(r1).length).toBeGreaterThan(0);
    const res = await runCli(['clean', data, '--report', join(dir, 'r1'), '--out', join(dir, 'clean')]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/dropped \d+/);
    expect(await snapshot(data)).toEqual(before);
    const dropped = await readFile(join(dir, 'clean', 'dropped.csv'), 'utf8');
    for (const id of truth.poisoned) expect(dropped).toContain(id);
    const cleaned = join(dir, 'clean', 'data');
    expect((await runCli(['scan', cleaned, '--out', join(dir, 'r2'), '--quiet', '--fail-on', 'medium'])).code).toBe(0);
    const r2 = await report(join(dir, 'r2'));
    expect(flagged(r2)).toEqual([]);
    const droppedIds = new Set(flagged(r1).flatMap((f) => f.samples));
    expect(r2.dataset.samples).toBe(r1.dataset.samples - droppedIds.size);
    // A second clean into the same folder is refused; so is an --out inside the dataset.
    expect((await runCli(['clean', data, '--report', join(dir, 'r1'), '--out', join(dir, 'clean')])).code).toBe(2);
    expect((await runCli(['clean', data, '--report', join(dir, 'r1'), '--out', join(data, 'x')])).code).toBe(2);
  }, 120_000);

  it('rewrites JSONL, CSV, TSV and JSON arrays without the dropped rows, keeping the others byte for byte', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, text: `sample number ${i}, "quoted"\nand a second line`, label: i % 2 ? 'a' : 'b' }));
    const files: Record<string, string> = {
      'd.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + '\n\n{not json}\n',
      'd.csv': 'id,text,label\n' + rows.map((r) => `${r.id},"${r.text.replace(/"/g, '""')}",${r.label}`).join('\n') + '\n',
      'd.tsv': 'id\ttext\tlabel\n' + rows.map((r) => `${r.id}\t${r.text.replace(/\n/g, ' ')}\t${r.label}`).join('\n') + '\n',
      'd.json': JSON.stringify(rows, null, 2),
    };
    const keptRows = rows.filter((r) => r.id !== 'r1' && r.id !== 'r4');
    const expectedKept: Record<string, string> = {
      'd.jsonl': keptRows.map((r) => JSON.stringify(r)).join('\n') + '\n{not json}\n',
      'd.csv': 'id,text,label\n' + keptRows.map((r) => `${r.id},"${r.text.replace(/"/g, '""')}",${r.label}`).join('\n') + '\n',
      'd.tsv': 'id\ttext\tlabel\n' + keptRows.map((r) => `${r.id}\t${r.text.replace(/\n/g, ' ')}\t${r.label}`).join('\n') + '\n',
    };
    for (const [name, body] of Object.entries(files)) {
      const path = join(dir, name);
      await writeFile(path, body);
      const out = join(dir, `r-${name}`);
      await runCli(['scan', path, '--out', out, '--quiet', '--fail-on', 'never']);
      // A report that flags rows r1 and r4 (as a scan of poisoned data would).
      const r = await report(out);
      r.findings = [{ id: 'F1', detector: 'trigger-token', kind: 'trigger-token', severity: 'high', score: 0.9, title: 'a trigger, "x"', samples: ['r1', 'r4'], evidence: {}, fingerprint: '0123456789abcdef' }];
      await writeFile(join(out, 'report.json'), JSON.stringify(r));
      const res = await runCli(['clean', path, '--report', out, '--out', join(dir, `c-${name}`)]);
      expect(res.code, res.stderr).toBe(0);
      expect(await readFile(path, 'utf8')).toBe(body);
      const again = join(dir, `r2-${name}`);
      await runCli(['scan', join(dir, `c-${name}`, name), '--out', again, '--quiet', '--fail-on', 'never']);
      const ids = (await readFile(join(again, 'scores.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',')[0]);
      expect(ids, name).toEqual(['r0', 'r2', 'r3', 'r5']);
      // The kept rows' own bytes (JSON array elements are written from their decoded text: their ids are compared above).
      if (name !== 'd.json') expect(await readFile(join(dir, `c-${name}`, name), 'utf8'), name).toBe(expectedKept[name]);
      expect(await readFile(join(dir, `c-${name}`, 'dropped.csv'), 'utf8')).toBe('id,severity,findings,detectors,reasons\nr1,high,F1,trigger-token,"a trigger, ""x"""\nr4,high,F1,trigger-token,"a trigger, ""x"""\n');
    }
    // The unreadable JSONL line stays (it was not scanned, so it is not the scan's to drop).
    expect(await readFile(join(dir, 'c-d.jsonl', 'd.jsonl'), 'utf8')).toContain('{not json}');
  }, 60_000);

  it('copies WebDataset shards without the members of dropped samples', async () => {
    const { pack } = await import('tar-stream');
    const shards = join(dir, 'wds');
    await mkdir(shards, { recursive: true });
    for (const s of [0, 1]) {
      const p = pack();
      const done = new Promise<void>((r) => p.pipe(createWriteStream(join(shards, `shard-${s}.tar`))).on('finish', () => r()));
      for (let i = 0; i < 4; i++) {
        const key = `s${s}x${i}`;
        p.entry({ name: `${key}.txt` }, `sample ${key} says something plain`);
        p.entry({ name: `${key}.cls` }, String(i % 2));
      }
      p.finalize();
      await done;
    }
    const before = await snapshot(shards);
    const out = join(dir, 'r-wds');
    await runCli(['scan', shards, '--out', out, '--quiet', '--fail-on', 'never']);
    const r = await report(out);
    expect(r.dataset.format).toBe('webdataset');
    r.findings = [{ id: 'F1', detector: 'trigger-token', kind: 'trigger-token', severity: 'high', score: 0.9, title: 't', samples: ['s0x1', 's1x2'], evidence: {} }];
    await writeFile(join(out, 'report.json'), JSON.stringify(r));
    const res = await runCli(['clean', shards, '--report', out, '--out', join(dir, 'c-wds')]);
    expect(res.code, res.stderr).toBe(0);
    expect(await snapshot(shards)).toEqual(before);
    const again = join(dir, 'r2-wds');
    await runCli(['scan', join(dir, 'c-wds', 'wds'), '--out', again, '--quiet', '--fail-on', 'never']);
    const ids = (await readFile(join(again, 'scores.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(ids).toEqual(['s0x0', 's0x2', 's0x3', 's1x0', 's1x1', 's1x3']);
  });

  it('says which formats it writes when it cannot write this one', async () => {
    const out = join(dir, 'fake');
    await runCli(['scan', join(dir, 'd.jsonl'), '--out', out, '--quiet', '--fail-on', 'never']);
    const r = await report(out);
    r.dataset.format = 'img2dataset';
    await writeFile(join(out, 'report.json'), JSON.stringify(r));
    const res = await runCli(['clean', join(dir, 'd.jsonl'), '--report', out, '--out', join(dir, 'c-fake')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('supported: imagefolder, jsonl, json, csv, tsv, webdataset, parquet, arrow, hf');
  });
});

describe('poisonscan review', () => {
  it('records a finding id as a suppression with reason, reviewer and time, and updates it on a second review', async () => {
    const out = join(dir, 'r-d.jsonl');
    const config = join(dir, 'poisonscan.config.json');
    await writeFile(config, JSON.stringify({ scan: { failOn: 'medium' } }));
    const res = await runCli(['review', 'F1', '--reason', 'a known template', '--by', 'alice', '--report', out, '--config', config]);
    expect(res.code, res.stderr).toBe(0);
    const c = JSON.parse(await readFile(config, 'utf8'));
    expect(c.scan).toEqual({ failOn: 'medium' });
    expect(c.suppressions).toHaveLength(1);
    expect(c.suppressions[0].fingerprint).toBe('0123456789abcdef');
    expect(c.suppressions[0].reason).toBe('a known template');
    expect(c.suppressions[0].reviewed).toMatch(/^alice \d{4}-\d\d-\d\dT/);
    expect(() => parseConfig(c, config)).not.toThrow();
    await runCli(['review', '0123456789abcdef', '--reason', 'checked again', '--by', 'bob', '--report', out, '--config', config]);
    const c2 = JSON.parse(await readFile(config, 'utf8'));
    expect(c2.suppressions).toHaveLength(1);
    expect(c2.suppressions[0].reason).toBe('checked again');
    expect((await runCli(['review', 'F99', '--reason', 'x', '--report', out, '--config', config])).code).toBe(2);
  });
});

describe('which samples clean drops', () => {
  it('follows --drop and --keep-suppressed', async () => {
    const { dropSet } = await import('../src/clean/drop-set.js');
    const f = (id: string, severity: 'high' | 'medium' | 'low', samples: string[], suppressed?: boolean) =>
      ({ id, detector: 'd', kind: 'k', severity, score: 0.5, title: id, samples, evidence: {}, ...(suppressed ? { suppressed: { reason: 'ok' } } : {}) });
    const r = { findings: [f('F1', 'high', ['a', 'b']), f('F2', 'medium', ['b', 'c'], true), f('F3', 'low', ['d'])] } as unknown as Report;
    expect([...dropSet(r, 'flagged', false).keys()]).toEqual(['a', 'b', 'c']);
    expect(dropSet(r, 'flagged', false).get('b')!.findings.map((x) => x.id)).toEqual(['F1', 'F2']);
    expect([...dropSet(r, 'high', false).keys()]).toEqual(['a', 'b']);
    expect([...dropSet(r, 'medium', true).keys()]).toEqual(['a', 'b']);
    // medium is an alias of flagged.
    expect([...dropSet(r, 'medium', false).keys()]).toEqual([...dropSet(r, 'flagged', false).keys()]);
  });
});
