// Parquet (Hugging Face datasets' on-disk format), read one row group at a time so that a file larger than memory
// streams. hyparquet is pure JavaScript (no native build, no download at install); hyparquet-compressors adds the
// codecs beyond snappy (gzip, zstd, brotli, lz4) that real files use.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { UsageError } from '../../types.js';
import { RowError, schemaChange, SkippedRows, type Cell, type RecordRow, type RecordSource } from '../records.js';

/** The file, or every .parquet file under the folder in name order (Hugging Face's data/train-0000n-of-... shards). */
export async function parquetFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.parquet')).map((e) => join(e.parentPath, e.name)).sort();
  if (files.length === 0) throw new UsageError(`${path}: no .parquet files`);
  return files;
}

export function parquetSource(path: string): RecordSource {
  const source: RecordSource = {
    columns: [],
    async *rows() {
      let start = 0;
      let firstSchema: Map<string, string> | null = null;
      let firstFile = '';
      const files = await parquetFiles(path);
      for (const f of files) {
        let file;
        let metadata;
        try {
          file = await asyncBufferFromFile(f);
          metadata = await parquetMetadataAsync(file);
        } catch (e) {
          const why = `${f}: not a readable Parquet file (${(e as Error).message})`;
          // One damaged shard of many is an error; the other shards are read.
          if (files.length === 1) throw new UsageError(why);
          yield new SkippedRows(start, 0, f, `${why}; its rows are not read`);
          continue;
        }
        const columns = parquetSchema(metadata).children;
        const types = new Map(columns.map((c) => [c.element.name, parquetType(c.element)]));
        const change = firstSchema && schemaChange(firstSchema, types);
        if (change) {
          const rows = Number(metadata.num_rows);
          yield new SkippedRows(start, rows, f, `${f}: its schema differs from ${firstFile}'s (${change}); its ${rows} rows are not read`);
          start += rows;
          continue;
        }
        if (!firstSchema) [firstSchema, firstFile] = [types, f];
        source.columns = columns.map((c) => c.element.name);
        yield* readFile(file, metadata, start);
        start += Number(metadata.num_rows);
      }
    },
  };
  return source;
}

async function* readFile(file: AsyncBuffer, metadata: FileMetaData, first: number): AsyncGenerator<RecordRow | RowError> {
  let start = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      // utf8: false keeps un-annotated BYTE_ARRAY (image bytes) as bytes; STRING columns are still text.
      rows = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: start + count, compressors, utf8: false });
    } catch (e) {
      // A damaged row group loses its rows, not the scan.
      for (let r = 0; r < count; r++) yield new RowError(first + start + r, `row group at row ${first + start} is unreadable (${(e as Error).message})`);
      start += count;
      continue;
    }
    for (const row of rows) yield row as Record<string, Cell> as RecordRow;
    start += count;
  }
}

/** A column's physical and logical type, as compared between shards. */
function parquetType(e: { type?: string; converted_type?: string; logical_type?: { type: string }; repetition_type?: string }): string {
  return [e.type ?? 'group', e.logical_type?.type ?? e.converted_type ?? '', e.repetition_type ?? ''].filter(Boolean).join('/');
}
