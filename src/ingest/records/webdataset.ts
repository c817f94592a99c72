// WebDataset tar shards, streamed member by member with tar-stream (nothing is unpacked to disk): the files of one
// sample are consecutive and share a key (the name up to the first dot of its base name), each file a field named
// by the rest (jpg, png, cls, txt, json). `__key__` is the sample id. Shards: a .tar file, a folder of them, or a
// brace pattern (shard-{000000..000099}.tar); a shard missing from the pattern is an error row, the rest is read.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { extract } from 'tar-stream';
import { UsageError } from '../../types.js';
import { RowError, type Cell, type RecordRow, type RecordSource } from '../records.js';

/** Largest member read: a tar bomb (one huge member) must not take the scan's memory. */
export const MAX_MEMBER_BYTES = 64 * 1024 * 1024;

/** Expands one {a..b} range (zero padding kept) in a shard pattern. */
export function expandBraces(pattern: string): string[] {
  const m = /\{(\d+)\.\.(\d+)\}/.exec(pattern);
  if (!m) return [pattern];
  const [from, to] = [Number(m[1]), Number(m[2])];
  const width = m[1]!.length;
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(...expandBraces(pattern.slice(0, m.index) + String(i).padStart(width, '0') + pattern.slice(m.index + m[0].length)));
  return out;
}

export async function shardList(path: string): Promise<{ shards: string[]; missing: string[] }> {
  if (path.includes('{')) {
    const all = expandBraces(path);
    const present: string[] = [];
    const missing: string[] = [];
    for (const s of all) {
      try {
        if ((await stat(s)).isFile()) present.push(s);
        else missing.push(s);
      } catch {
        missing.push(s);
      }
    }
    if (present.length === 0) throw new UsageError(`${path}: none of the ${all.length} shards exists`);
    return { shards: present, missing };
  }
  if ((await stat(path)).isDirectory()) {
    const shards = (await readdir(path)).filter((n) => n.endsWith('.tar')).sort().map((n) => join(path, n));
    if (shards.length === 0) throw new UsageError(`${path}: no .tar shards`);
    return { shards, missing: [] };
  }
  return { shards: [path], missing: [] };
}

/** Key and field of a member name: "dir/000123.seg.jpg" -> ["dir/000123", "seg.jpg"]. */
export function splitName(name: string): [string, string] {
  const dir = dirname(name);
  const base = basename(name);
  const dot = base.indexOf('.');
  const key = dot < 0 ? base : base.slice(0, dot);
  return [dir === '.' ? key : `${dir}/${key}`, dot < 0 ? '' : base.slice(dot + 1).toLowerCase()];
}

function fieldValue(field: string, bytes: Buffer): Cell {
  if (field === 'txt' || field === 'cls' || field === 'text' || field.endsWith('.txt')) return bytes.toString('utf8').trim();
  if (field === 'json') {
    try {
      return JSON.parse(bytes.toString('utf8')) as Cell;
    } catch {
      return null;
    }
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function webdatasetSource(path: string): RecordSource {
  return {
    columns: [],
    async *rows() {
      const { shards, missing } = await shardList(path);
      let row = 0;
      for (const m of missing) yield new RowError(row++, `shard ${basename(m)} of the pattern is missing`);
      for (const shard of shards) {
        const ex = extract();
        createReadStream(shard).on('error', (e) => ex.destroy(e)).pipe(ex);
        let current: RecordRow | null = null;
        let currentKey = '';
        try {
          for await (const entry of ex) {
            const { name, type, size } = entry.header;
            if (type !== 'file') {
              entry.resume();
              continue;
            }
            // Names that would climb out of a folder if unpacked are refused (poisonscan never unpacks, but a
            // dataset that holds them is not to be trusted blindly).
            if (name.startsWith('/') || name.split('/').includes('..')) {
              entry.resume();
              yield new RowError(row++, `${basename(shard)}: member "${name}" has an unsafe path; skipped`);
              continue;
            }
            if ((size ?? 0) > MAX_MEMBER_BYTES) {
              entry.resume();
              yield new RowError(row++, `${basename(shard)}: member "${name}" is ${Math.round((size ?? 0) / 2 ** 20)} MiB, above the ${MAX_MEMBER_BYTES / 2 ** 20} MiB limit; skipped`);
              continue;
            }
            const chunks: Buffer[] = [];
            for await (const c of entry) chunks.push(c as Buffer);
            const [key, field] = splitName(name);
            if (current && key !== currentKey) {
              yield current;
              row++;
              current = null;
            }
            if (!current) {
              current = { __key__: key };
              currentKey = key;
            }
            current[field || 'data'] = fieldValue(field, Buffer.concat(chunks));
          }
          if (current) {
            yield current;
            row++;
          }
        } catch (e) {
          if (current) {
            yield current;
            row++;
          }
          yield new RowError(row++, `${basename(shard)} is damaged (${(e as Error).message}); the rest of this shard is not read`);
        }
      }
    },
  };
}
