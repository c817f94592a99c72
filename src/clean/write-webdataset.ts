// WebDataset for `clean`: every shard copied member by member, leaving out the members of dropped samples (the
// sample id is the member's key, as the reader reads it). A single .tar, a folder of shards or a brace pattern.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, pack } from 'tar-stream';
import { shardList, splitName } from '../ingest/records/webdataset.js';
import { ioReason } from '../store/io-errors.js';
import { UsageError } from '../types.js';
import type { CleanWrite } from './write-clean.js';

async function cleanShard(src: string, dst: string, drop: Set<string>): Promise<{ kept: number; dropped: number }> {
  const ex = extract();
  const out = pack();
  const file = createWriteStream(dst);
  // The writing side may fail (a full disk) while members are still read: its failure stops the reading at once.
  const written = pipeline(out, file);
  written.catch((e: Error) => ex.destroy(e));
  const keys = { kept: new Set<string>(), dropped: new Set<string>() };
  try {
    createReadStream(src).on('error', (e) => ex.destroy(e)).pipe(ex);
    for await (const entry of ex) {
      const [key] = splitName(entry.header.name);
      const gone = entry.header.type === 'file' && drop.has(key);
      (gone ? keys.dropped : keys.kept).add(key);
      if (gone) {
        entry.resume();
        await once(entry, 'end');
        continue;
      }
      await pipeline(entry, out.entry({ ...entry.header }));
    }
    out.finalize();
    await written;
  } catch (e) {
    out.destroy();
    file.destroy();
    await written.catch(() => undefined);
    throw new UsageError(`cannot clean shard ${src}: ${e instanceof Error && 'code' in e ? ioReason(e) : (e as Error).message ?? String(e)}; nothing of it was kept (repair or remove the shard and scan again)`);
  }
  return { kept: keys.kept.size, dropped: keys.dropped.size };
}

export async function cleanWebDataset(src: string, outDir: string, drop: Set<string>): Promise<CleanWrite> {
  const { shards } = await shardList(src);
  const folder = await stat(src).then((s) => s.isDirectory(), () => false);
  const target = folder ? join(outDir, basename(src)) : outDir;
  await mkdir(target, { recursive: true });
  let kept = 0, dropped = 0;
  for (const shard of shards) {
    const r = await cleanShard(shard, join(target, basename(shard)), drop);
    kept += r.kept;
    dropped += r.dropped;
  }
  return { path: folder || shards.length > 1 ? target : join(target, basename(shards[0]!)), kept, dropped };
}
