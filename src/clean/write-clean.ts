// Writes a copy of a dataset without some of its samples, in the dataset's own format: an image folder by copies
// (reflinks where the file system has them; hard links on request), JSONL lines copied as bytes, CSV / TSV / JSON
// arrays rewritten row by row from their decoded text (unreadable rows kept too); WebDataset in write-webdataset.ts,
// Parquet and Arrow in write-columnar.ts.
// The input is only read.
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { createGunzip, createGzip } from 'node:zlib';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UsageError, type DatasetFormat } from '../types.js';
import type { FormatName } from '../ingest/formats.js';
import { textStream } from '../ingest/records/lines.js';
import { records } from '../ingest/records/delimited.js';
import { MAX_FIELD_CHARS } from '../ingest/records/limits.js';
import { csvField } from '../report/scores-csv.js';
import { splitJsonArray } from '../ingest/records/json-array.js';
import { isInside } from '../ingest/inside-root.js';

export const CLEANABLE: readonly DatasetFormat[] = ['imagefolder', 'jsonl', 'json', 'csv', 'tsv', 'webdataset', 'parquet', 'arrow', 'hf'] satisfies readonly FormatName[];

export interface CleanWrite {
  /** Where the cleaned dataset went (a folder or a file under --out). */
  path: string;
  kept: number;
  dropped: number;
  /** Data files left out whole because the scan could not read them. */
  notCopied?: string[];
}

/**
 * Image folder: every file but the dropped ones (ids are paths relative to the root), walked as the scan walks it
 * (listImageFolder): links that lead outside the root, folders already visited (a link loop) and whatever the
 * report lists among its errors (refused or unreadable, so never scanned) are not copied.
 */
export async function cleanImageFolder(root: string, outRoot: string, drop: Set<string>, notScanned: Set<string>, hardLinks = false): Promise<CleanWrite> {
  let kept = 0, dropped = 0;
  const realRoot = await realpath(root).catch(() => root);
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir).catch(() => null);
    if (real === null || !isInside(realRoot, real) || seen.has(real)) return;
    seen.add(real);
    for (const ent of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, ent.name);
      const rel = relative(root, full).split(sep).join('/');
      if (notScanned.has(rel)) continue;
      const st = await stat(full).catch(() => null);
      if (!st) continue; // a broken link
      if (st.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!st.isFile()) continue;
      if (ent.isSymbolicLink() && !isInside(realRoot, await realpath(full))) continue;
      if (drop.has(rel)) {
        dropped++;
        continue;
      }
      const target = join(outRoot, rel);
      await mkdir(dirname(target), { recursive: true });
      // A copy by default (a reflink where the file system has them): editing the cleaned copy must not edit the
      // input. Hard links only when asked (--link), and a copy where they cannot be made (another file system).
      const copy = () => copyFile(full, target, constants.COPYFILE_FICLONE);
      await (hardLinks ? link(full, target).catch(copy) : copy());
      kept++;
    }
  };
  await mkdir(outRoot, { recursive: true });
  await walk(root);
  return { path: outRoot, kept, dropped };
}

interface Output { stream: Writable; closed: Promise<unknown> }

/** A file to write, gzip-compressed when its name ends in .gz (as the input was). */
function output(path: string): Output {
  const file = createWriteStream(path);
  const closed = once(file, 'close');
  if (!path.toLowerCase().endsWith('.gz')) return { stream: file, closed };
  const gz = createGzip();
  gz.pipe(file);
  return { stream: gz, closed };
}

async function write(out: Output, s: string | Buffer): Promise<void> {
  if (!out.stream.write(s)) await once(out.stream, 'drain');
}

async function close(out: Output): Promise<void> {
  out.stream.end();
  await out.closed;
}

/** The lines of a file (also .gz) as bytes, each with its terminator ("\n" or "\r\n") when it has one. */
async function* byteLines(path: string): AsyncGenerator<Buffer> {
  const raw = createReadStream(path);
  const stream = path.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let pending: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, i + 1);
      yield pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      start = i + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length) yield Buffer.concat(pending);
}

/**
 * JSONL (also .gz): every non-blank line is a row (as the reader numbers them); dropped rows are left out, kept
 * lines are copied as bytes (line ends and invalid UTF-8 as they were).
 */
async function cleanJsonl(src: string, dst: string, dropRows: Set<number>): Promise<number> {
  const out = output(dst);
  let row = 0, kept = 0;
  for await (const line of byteLines(src)) {
    if (!line.toString('utf8').trim()) continue;
    if (!dropRows.has(row++)) {
      await write(out, line);
      kept++;
    }
  }
  await close(out);
  return kept;
}

/** CSV / TSV: the header, then every record (blank lines skipped, as the reader does) that is not dropped. */
async function cleanDelimited(src: string, dst: string, separator: ',' | '\t', dropRows: Set<number>): Promise<number> {
  const out = output(dst);
  let header = false, row = 0, kept = 0;
  const long = { row: false };
  for await (const fields of records(src, separator, separator === ',', { at: 0 }, long)) {
    if (fields.length === 1 && fields[0] === '') continue;
    // The reader keeps MAX_FIELD_CHARS characters of a field: a row it cut cannot be written back whole.
    const cut = long.row;
    long.row = false;
    const text = fields.map((f) => csvField(f, separator)).join(separator) + '\n';
    if (!header) {
      header = true;
      if (cut) await tooLong(out, dst, 'the header');
      await write(out, text);
      continue;
    }
    const n = row++;
    if (!dropRows.has(n)) {
      if (cut) await tooLong(out, dst, `row ${n + 1} (after the header)`);
      await write(out, text);
      kept++;
    }
  }
  await close(out);
  return kept;
}

/** Refuses to write a kept row the reader cut, and removes the partial output. */
async function tooLong(out: Output, dst: string, what: string): Promise<never> {
  await close(out);
  await rm(dst, { force: true });
  throw new UsageError(`${what} of the dataset has a field longer than ${MAX_FIELD_CHARS / 1e6} million characters; clean would cut it, so it wrote nothing (drop or shorten that row with your own tools)`);
}

/** JSON array: the source text of every element that is not dropped. */
async function cleanJsonArray(src: string, dst: string, dropRows: Set<number>): Promise<number> {
  const out = output(dst);
  let kept = 0;
  await write(out, '[');
  for await (const piece of splitJsonArray(textStream(src) as AsyncIterable<string>)) {
    if (piece.kind !== 'element' || dropRows.has(piece.index)) continue;
    await write(out, `${kept ? ',' : ''}\n${piece.text.trim()}`);
    kept++;
  }
  await write(out, '\n]\n');
  await close(out);
  return kept;
}

/** A text table without the rows numbered in dropRows (the reader's 0-based row numbers). */
export async function cleanTable(src: string, format: DatasetFormat, outDir: string, dropRows: Set<number>): Promise<CleanWrite> {
  if ((await stat(src)).isDirectory()) throw new UsageError(`clean rewrites single ${format} files; ${src} is a folder`);
  await mkdir(outDir, { recursive: true });
  const dst = join(outDir, basename(src));
  const kept = format === 'jsonl' ? await cleanJsonl(src, dst, dropRows)
    : format === 'json' ? await cleanJsonArray(src, dst, dropRows)
    : format === 'csv' || format === 'tsv' ? await cleanDelimited(src, dst, format === 'csv' ? ',' : '\t', dropRows)
    : unsupported(format);
  return { path: dst, kept, dropped: dropRows.size };
}

export function unsupported(format: string): never {
  throw new UsageError(`clean cannot write ${format} datasets yet (supported: ${CLEANABLE.join(', ')}); use scores.csv's flagged column to filter it with your own tools`);
}
