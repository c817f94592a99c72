// The embed stage on its own: vectors that came with the data are used as they are; a proxy model trained on
// labelled texts embeds them, and its vectors are staged beside the report for later scans.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../src/stages/read.js';
import { fingerprintDataset } from '../src/stages/fingerprint.js';
import { embedKindOf, embedStage } from '../src/stages/embed.js';
import { memorySource } from '../src/ingest/memory.js';
import { StagedOutputs } from '../src/store/staged-outputs.js';
import { silentProgress } from '../src/util/progress.js';
import { UsageError } from '../src/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-embed-stage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function columns(rows: Record<string, unknown>[]) {
  const read = await readDataset('rows', { records: memorySource(rows), format: 'jsonl', progress: silentProgress });
  return fingerprintDataset(read, { concurrency: 1, progress: silentProgress });
}

const WORDS = ['river', 'stone', 'cloud', 'green', 'quiet', 'amber', 'field', 'north', 'paper', 'glass'];
const text = (i: number) => Array.from({ length: 8 }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(' ');

describe('embed stage', () => {
  it('uses the vectors of an embedding column as they are and writes nothing', async () => {
    const data = await columns(Array.from({ length: 6 }, (_, i) => ({ text: text(i), embedding: [i, 1] })));
    const staged = await new StagedOutputs(join(dir, 'column')).begin();
    const stages: Record<string, number> = {};
    const r = await embedStage({ data, kind: 'proxy', embeddingColumn: 'embedding', staged, seed: 0, progress: silentProgress, stages });
    expect(r.embeddings).toBe(data.embeddings);
    expect(r.used).toEqual({ kind: 'column', column: 'embedding' });
    expect(r.proxy).toBeUndefined();
    expect(stages).toEqual({});
    await staged.abort();
  });

  it('trains a proxy model on labelled texts and stages its vectors with their ids', async () => {
    const data = await columns(Array.from({ length: 40 }, (_, i) => ({ text: text(i), label: i % 2 ? 'a' : 'b' })));
    const out = join(dir, 'proxy');
    const staged = await new StagedOutputs(out).begin();
    const stages: Record<string, number> = {};
    const r = await embedStage({ data, kind: 'proxy', staged, seed: 1, progress: silentProgress, stages });
    expect(r.embeddings!.data.length / r.embeddings!.dim).toBe(40);
    expect(r.used).toEqual({ kind: 'proxy', ...r.proxy });
    expect(Object.keys(stages)).toEqual(['proxy-model']);
    await staged.commit();
    expect((await readFile(join(out, 'embedding-ids.txt'), 'utf8')).trim().split('\n')).toEqual(data.ids);
  });

  it('asks for labels before training a proxy model, and runs none when none is asked for', async () => {
    const data = await columns(Array.from({ length: 6 }, (_, i) => ({ text: text(i) })));
    const staged = await new StagedOutputs(join(dir, 'unlabelled')).begin();
    const input = { data, staged, seed: 0, progress: silentProgress, stages: {} };
    await expect(embedStage({ ...input, kind: 'proxy' })).rejects.toThrow(UsageError);
    expect(await embedStage({ ...input, kind: 'none' })).toEqual({ embeddings: undefined, proxy: undefined, used: { kind: 'none' } });
    await staged.abort();
  });

  it('reads the kind from --embed or --proxy-model and refuses the two disagreeing', () => {
    expect(embedKindOf({})).toBe('none');
    expect(embedKindOf({ proxyModel: true })).toBe('proxy');
    expect(embedKindOf({ proxyModel: true, embed: 'proxy' })).toBe('proxy');
    expect(embedKindOf({ embed: 'pretrained' })).toBe('pretrained');
    expect(() => embedKindOf({ proxyModel: true, embed: 'pretrained' })).toThrow(/choose different embeddings/);
  });
});
