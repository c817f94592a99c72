// Parquet and Arrow (a single file, or a Hugging Face folder of shards): a copy without the dropped rows. The
// folder is copied file by file; a data file with no dropped row is copied as bytes; one with dropped rows is
// rewritten with its own schema and metadata (Parquet: the source's schema elements, key-value metadata and codec
// where this build can write it; Arrow: the same IPC flavour, file or stream, with the kept rows as slices of the
// source's record batches, so every column type survives). Rows are numbered as the reader numbers them: across
// the data files in the reader's order. A data file the scan could not read or left out (its report's errors) is
// not copied; one that is damaged part-way stops the clean and removes what it wrote (its unread rows were never
// scanned). The input is only read, and nothing is written outside --out.
import { createReadStream, createWriteStream, constants } from 'node:fs';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { basename, dirname, join, relative } from 'node:path';
import * as zlib from 'node:zlib';
import { RecordBatchFileWriter, RecordBatchReader, RecordBatchStreamWriter, type RecordBatch } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors as decompressors } from 'hyparquet-compressors';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { UsageError } from '../types.js';
import { arrowFiles } from '../ingest/records/arrow.js';
import { parquetFiles } from '../ingest/records/parquet.js';
import { isInside } from '../ingest/inside-root.js';

export interface ColumnarWrite {
  path: string;
  kept: number;
  /** Data files left out because the scan could not read them (so none of their rows was checked). */
  notCopied: string[];
}

/**
 * Parquet or Arrow dataset `src` to `outRoot`/<its name>, without the reader-numbered rows in `dropRows`.
 * `notScanned`: the files the scan's report lists among its errors (unreadable, or a schema other than the first
 * file's): none of their rows was checked, so they are left out too. On any failure nothing is left behind.
 */
export async function cleanColumnar(src: string, format: 'parquet' | 'arrow', outRoot: string, dropRows: Set<number>, notScanned: Set<string>, split?: string): Promise<ColumnarWrite> {
  const isDir = (await stat(src)).isDirectory();
  const dataFiles = format === 'parquet' ? await parquetFiles(src) : await arrowFiles(src, split);
  const dest = join(outRoot, basename(src));
  const target = (file: string) => (isDir ? join(dest, relative(src, file)) : dest);
  const result: ColumnarWrite = { path: dest, kept: 0, notCopied: [] };
  try {
    let first = 0;
    for (const file of dataFiles) {
      const to = target(file);
      if (!isInside(dest, to)) throw new UsageError(`${file} is not inside ${src}; clean wrote nothing`);
      if (notScanned.has(file) || notScanned.has(relative(src, file))) {
        // Its rows keep their numbers in the reader's count, as in the scan.
        first += format === 'parquet' ? await parquetRows(file) : await arrowRows(file);
        result.notCopied.push(file);
        continue;
      }
      await mkdir(dirname(to), { recursive: true });
      const r = format === 'parquet' ? await cleanParquetFile(file, to, dropRows, first) : await cleanArrowFile(file, to, dropRows, first);
      if (r === null) result.notCopied.push(file);
      else {
        result.kept += r.kept;
        first += r.rows;
      }
    }
    // Everything else of a folder (other splits, dataset_info.json, state.json, README) as it was.
    if (isDir) await copyRest(src, dest, new Set(dataFiles));
  } catch (e) {
    // --out was checked empty: what this clean wrote so far is all there is to remove.
    await rm(dest, { recursive: true, force: true });
    throw e;
  }
  return result;
}

/** Rows of a Parquet file as its footer gives them (0 when it cannot be read, as the reader counts it). */
async function parquetRows(file: string): Promise<number> {
  try {
    return Number((await parquetMetadataAsync(await asyncBufferFromFile(file))).num_rows);
  } catch {
    return 0;
  }
}

/** Rows of an Arrow file counted batch by batch, as the reader counts a file it leaves out (0 when unreadable). */
async function arrowRows(file: string): Promise<number> {
  return (await countArrowRows(file)).rows;
}

/** Rows of an Arrow file counted batch by batch, and whether it ended in damage (the rows before it are counted). */
async function countArrowRows(file: string): Promise<{ rows: number; damaged: boolean }> {
  const stream = createReadStream(file);
  let rows = 0;
  let damaged = false;
  try {
    const reader = await RecordBatchReader.from(stream);
    await reader.open();
    for await (const batch of reader as AsyncIterable<RecordBatch>) rows += batch.numRows;
  } catch {
    damaged = true;
  } finally {
    stream.destroy();
  }
  return { rows, damaged };
}

async function copyRest(root: string, dest: string, skip: Set<string>): Promise<void> {
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    const full = join(e.parentPath, e.name);
    if (!e.isFile() || skip.has(full)) continue;
    const to = join(dest, relative(root, full));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(full, to, constants.COPYFILE_FICLONE);
  }
}

const anyDropped = (drop: Set<number>, first: number, rows: number) => {
  for (const r of drop) if (r >= first && r < first + rows) return true;
  return false;
};

interface FileResult { rows: number; kept: number }

/** Compressors this build can write with; another codec is rewritten as SNAPPY (the same values, other bytes). */
type Compress = (b: Uint8Array) => Uint8Array;
function writeCompressors(): Partial<Record<string, Compress>> {
  const z = zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Uint8Array };
  return {
    GZIP: (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b)),
    BROTLI: (b: Uint8Array) => new Uint8Array(zlib.brotliCompressSync(b)),
    ...(z.zstdCompressSync ? { ZSTD: (b: Uint8Array) => z.zstdCompressSync!(b) } : {}),
  };
}

async function cleanParquetFile(file: string, dst: string, drop: Set<number>, first: number): Promise<FileResult | null> {
  let metadata: FileMetaData;
  const buffer = await asyncBufferFromFile(file).catch(() => null);
  try {
    if (!buffer) return null;
    metadata = await parquetMetadataAsync(buffer);
  } catch {
    return null;
  }
  const rows = Number(metadata.num_rows);
  if (!anyDropped(drop, first, rows)) {
    await copyFile(file, dst, constants.COPYFILE_FICLONE);
    return { rows, kept: rows };
  }
  const compressors = writeCompressors();
  const source = metadata.row_groups[0]?.columns[0]?.meta_data?.codec ?? 'SNAPPY';
  const codec = source === 'UNCOMPRESSED' || source === 'SNAPPY' || compressors[source] ? source : 'SNAPPY';
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const writer = new ParquetWriter({
    writer: fileWriter(dst), schema: metadata.schema, codec, compressors,
    kvMetadata: metadata.key_value_metadata, createdBy: metadata.created_by,
  });
  let start = 0, kept = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    let objects: Record<string, unknown>[];
    try {
      objects = await parquetReadObjects({ file: buffer, metadata, rowStart: start, rowEnd: start + count, compressors: decompressors, utf8: false });
    } catch (e) {
      throw new UsageError(`cannot clean ${file}: its row group at row ${first + start} is unreadable (${(e as Error).message}), so those rows were never scanned; clean wrote nothing (repair or remove the file and scan again)`);
    }
    const keep = objects.filter((_, k) => !drop.has(first + start + k));
    if (keep.length) {
      try {
        await writer.write({ columnData: names.map((name) => ({ name, data: keep.map((o) => o[name]) as unknown[] })), rowGroupSize: keep.length });
      } catch (e) {
        throw new UsageError(`cannot rewrite ${file} as Parquet (${(e as Error).message}); use scores.csv's flagged column to filter it with your own tools`);
      }
    }
    kept += keep.length;
    start += count;
  }
  writer.finish();
  return { rows, kept };
}

async function cleanArrowFile(file: string, dst: string, drop: Set<number>, first: number): Promise<FileResult | null> {
  // A file none of whose rows is dropped is copied as it is: counting its rows streams it once, with no writing.
  const { rows: count, damaged } = await countArrowRows(file);
  if (!damaged && count > 0 && !anyInRange(drop, first, first + count)) {
    await copyFile(file, dst, constants.COPYFILE_FICLONE);
    return { rows: count, kept: count };
  }
  let reader: RecordBatchReader;
  const stream = createReadStream(file);
  try {
    reader = await RecordBatchReader.from(stream);
    await reader.open();
  } catch {
    stream.destroy();
    return null;
  }
  const writer = reader.isFile() ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  writer.reset(undefined, reader.schema);
  const sink = createWriteStream(dst);
  writer.toNodeStream().pipe(sink);
  let rows = 0, kept = 0, dropped = 0;
  const batches = (reader as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<RecordBatch>;
    try {
      next = await batches.next();
    } catch (e) {
      stream.destroy();
      writer.abort();
      throw new UsageError(`cannot clean ${file}: it is damaged after row ${first + rows} (${(e as Error).message}), so the rows after it were never scanned; clean wrote nothing (repair or remove the file and scan again)`);
    }
    if (next.done) break;
    {
      const batch = next.value;
      // The kept rows as runs: slices of the source batch keep every column's type and dictionary.
      let runStart = 0;
      for (let i = 0; i <= batch.numRows; i++) {
        if (i < batch.numRows && !drop.has(first + rows + i)) continue;
        if (i > runStart) {
          writer.write(batch.slice(runStart, i));
          kept += i - runStart;
        }
        if (i < batch.numRows) dropped++;
        runStart = i + 1;
      }
      rows += batch.numRows;
    }
  }
  writer.finish();
  await finished(sink);
  if (dropped === 0) await copyFile(file, dst, constants.COPYFILE_FICLONE);
  return { rows, kept };
}

/** Whether any of `set` lies in [from, to). */
function anyInRange(set: Set<number>, from: number, to: number): boolean {
  if (to - from < set.size) {
    for (let i = from; i < to; i++) if (set.has(i)) return true;
    return false;
  }
  for (const v of set) if (v >= from && v < to) return true;
  return false;
}
