import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/types.js';
import { runCli } from './fixtures/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-clean-col-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const texts = (from: number, n: number) => Array.from({ length: n }, (_, i) => `row ${from + i} says something plain about item ${(from + i) * 7}`);

/** Scans `path`, then rewrites its report so that it flags `ids` (as a scan of poisoned data would), and cleans. */
async function scanFlagClean(path: string, name: string, ids: string[]): Promise<{ out: string; stderr: string }> {
  const report = join(dir, `r-${name}`);
  expect((await runCli(['scan', path, '--out', report, '--quiet', '--fail-on', 'never'])).code).toBe(0);
  const r = JSON.parse(await readFile(join(report, 'report.json'), 'utf8')) as Report;
  r.findings = [{ id: 'F1', detector: 'trigger-token', kind: 'trigger-token', severity: 'high', score: 0.9, title: 't', samples: ids, evidence: {} }];
  await writeFile(join(report, 'report.json'), JSON.stringify(r));
  const out = join(dir, `c-${name}`);
  const res = await runCli(['clean', path, '--report', report, '--out', out]);
  expect(res.code, res.stderr).toBe(0);
  return { out, stderr: res.stderr };
}

async function idsOf(path: string, name: string): Promise<string[]> {
  const again = join(dir, `r2-${name}`);
  expect((await runCli(['scan', path, '--out', again, '--quiet', '--fail-on', 'never'])).code).toBe(0);
  return (await readFile(join(again, 'scores.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',')[0]!);
}

describe('clean: Parquet and Arrow', () => {
  it('rewrites only the Parquet shard that holds dropped rows, with its schema, nested columns and metadata', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
    const schema = [
      { name: 'root', num_children: 4 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
      { name: 'meta', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'source', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
    ] as const;
    const shard = (from: number) => Buffer.from(parquetWriteBuffer({
      columnData: [
        { name: 'id', data: texts(from, 6).map((_, i) => `p${from + i}`) },
        { name: 'text', data: texts(from, 6) },
        { name: 'label', data: texts(from, 6).map((_, i) => BigInt((from + i) % 2)) },
        { name: 'meta', data: texts(from, 6).map((_, i) => ({ source: `s${from + i}`, score: (from + i) / 4 })) },
      ],
      schema: schema as never,
      kvMetadata: [{ key: 'huggingface', value: '{"info":{"features":{}}}' }],
    }));
    const root = join(dir, 'pq');
    await mkdir(join(root, 'data'), { recursive: true });
    const s0 = shard(0), s1 = shard(6);
    await writeFile(join(root, 'data', 'train-00000-of-00002.parquet'), s0);
    await writeFile(join(root, 'data', 'train-00001-of-00002.parquet'), s1);
    await writeFile(join(root, 'README.md'), 'a dataset card\n');
    // A third shard with another schema: the scan leaves it out (an error), so clean must not copy it either.
    await writeFile(join(root, 'data', 'train-00002-of-00002.parquet'), Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'id', data: ['x1'] }, { name: 'text', data: [7], type: 'INT32' }] })));
    const { out, stderr } = await scanFlagClean(root, 'pq', ['p1', 'p4']);
    expect(stderr).toMatch(/left out .*train-00002-of-00002\.parquet/);
    const cleaned = join(out, 'pq');
    await expect(readFile(join(cleaned, 'data', 'train-00002-of-00002.parquet'))).rejects.toThrow();
    expect(await idsOf(cleaned, 'pq')).toEqual(['p0', 'p2', 'p3', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11']);
    // The shard without dropped rows is copied as bytes; so is the dataset card.
    expect(Buffer.compare(await readFile(join(cleaned, 'data', 'train-00001-of-00002.parquet')), s1)).toBe(0);
    expect(await readFile(join(cleaned, 'README.md'), 'utf8')).toBe('a dataset card\n');
    // The rewritten shard keeps the schema, the key-value metadata and the nested values.
    const buf = (await readFile(join(cleaned, 'data', 'train-00000-of-00002.parquet'))).buffer;
    const meta = parquetMetadata(buf as ArrayBuffer);
    expect(meta.schema.map((e) => [e.name, e.type, e.repetition_type])).toEqual(schema.map((e) => [e.name, 'type' in e ? e.type : undefined, 'repetition_type' in e ? e.repetition_type : undefined]));
    expect(meta.key_value_metadata).toEqual([{ key: 'huggingface', value: '{"info":{"features":{}}}' }]);
    const rows = await parquetReadObjects({ file: buf as ArrayBuffer });
    expect(rows.map((r) => r.meta)).toEqual([0, 2, 3, 5].map((i) => ({ source: `s${i}`, score: i / 4 })));
    expect(rows.map((r) => r.label)).toEqual([0n, 0n, 1n, 1n]);
  }, 60_000);

  it('rewrites a Hugging Face Arrow folder without the dropped rows, keeping its schema metadata and other files', async () => {
    const { tableFromArrays, tableFromIPC, tableToIPC, vectorFromArray, Table } = await import('apache-arrow');
    const n = 12;
    const base = tableFromArrays({ id: texts(0, n).map((_, i) => `a${i}`), text: texts(0, n), label: Int32Array.from({ length: n }, (_, i) => i % 2) });
    const meta = vectorFromArray(Array.from({ length: n }, (_, i) => ({ source: `s${i}`, score: i / 4 })));
    const table = new Table({ id: base.getChild('id')!, text: base.getChild('text')!, label: base.getChild('label')!, meta });
    table.schema.metadata.set('huggingface', JSON.stringify({ info: { features: { label: { _type: 'ClassLabel', names: ['neg', 'pos'] } } } }));
    const root = join(dir, 'hf');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'data-00000-of-00002.arrow'), tableToIPC(table, 'stream'));
    // A second shard with none of its rows dropped is copied byte for byte.
    const second = tableFromArrays({ id: texts(n, 4).map((_, i) => `b${i}`), text: texts(n, 4), label: Int32Array.from({ length: 4 }, (_, i) => i % 2) });
    const secondBytes = tableToIPC(new Table({ id: second.getChild('id')!, text: second.getChild('text')!, label: second.getChild('label')!, meta: vectorFromArray(Array.from({ length: 4 }, (_, i) => ({ source: `t${i}`, score: i }))) }), 'stream');
    await writeFile(join(root, 'data-00001-of-00002.arrow'), secondBytes);
    await writeFile(join(root, 'state.json'), JSON.stringify({ _data_files: [{ filename: 'data-00000-of-00002.arrow' }, { filename: 'data-00001-of-00002.arrow' }] }));
    await writeFile(join(root, 'dataset_info.json'), '{}');
    const { out } = await scanFlagClean(root, 'hf', ['a0', 'a5', 'a6']);
    const cleaned = join(out, 'hf');
    expect(await idsOf(cleaned, 'hf')).toEqual(['a1', 'a2', 'a3', 'a4', 'a7', 'a8', 'a9', 'a10', 'a11', 'b0', 'b1', 'b2', 'b3']);
    expect(Buffer.compare(await readFile(join(cleaned, 'data-00001-of-00002.arrow')), Buffer.from(secondBytes))).toBe(0);
    expect(await readFile(join(cleaned, 'state.json'), 'utf8')).toContain('data-00000-of-00002.arrow');
    const back = tableFromIPC(await readFile(join(cleaned, 'data-00000-of-00002.arrow')));
    expect(back.schema.metadata.get('huggingface')).toContain('ClassLabel');
    expect(back.schema.fields.map((f) => String(f.type))).toEqual(table.schema.fields.map((f) => String(f.type)));
    expect(back.toArray().map((r) => ({ ...r.toJSON().meta.toJSON() }))).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 11].map((i) => ({ source: `s${i}`, score: i / 4 })));
    // A state.json naming a file outside the folder: the dataset is refused, nothing is read or written there.
    const hostile = join(dir, 'hf-out');
    await mkdir(hostile, { recursive: true });
    await writeFile(join(hostile, 'state.json'), JSON.stringify({ _data_files: [{ filename: '../hf/data-00000-of-00001.arrow' }] }));
    await writeFile(join(hostile, 'dataset_info.json'), '{}');
    const res = await runCli(['scan', hostile, '--out', join(dir, 'r-hostile'), '--quiet']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/leaves the dataset folder/);
  }, 60_000);
});
