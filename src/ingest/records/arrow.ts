// Arrow IPC files and Hugging Face `datasets` folders (save_to_disk / load_dataset cache): Arrow IPC *stream* files
// data-0000x-of-0000N.arrow (or <name>-<split>-0000x-of-0000N.arrow), state.json naming them in order,
// dataset_dict.json with one subfolder per split. Read batch by batch with apache-arrow. ClassLabel names come
// from the schema's "huggingface" metadata.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { RecordBatchReader, type Schema } from 'apache-arrow';
import { UsageError } from '../../types.js';
import { checkInsideRoot } from '../inside-root.js';
import { RowError, schemaChange, SkippedRows, type Cell, type RecordRow, type RecordSource } from '../records.js';

export interface ArrowSource extends RecordSource {
  /** ClassLabel names per column, from the Hugging Face features, once the first file's schema is read. */
  classNames: Map<string, string[]>;
}

/** The Arrow files of a dataset path, in order; `split` picks a split of a DatasetDict. */
export async function arrowFiles(path: string, split?: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = await readdir(path);
  if (names.includes('dataset_dict.json')) {
    const dict = JSON.parse(await readFile(join(path, 'dataset_dict.json'), 'utf8')) as { splits?: string[] };
    const splits = dict.splits ?? [];
    const chosen = split ?? (splits.includes('train') ? 'train' : splits[0]);
    if (!chosen || !splits.includes(chosen)) throw new UsageError(`${path}: no split "${split ?? ''}" (splits: ${splits.join(', ')}); pass --split`);
    await inside(path, join(path, chosen), `split "${chosen}" of dataset_dict.json`);
    return arrowFiles(join(path, chosen));
  }
  if (names.includes('state.json')) {
    const state = JSON.parse(await readFile(join(path, 'state.json'), 'utf8')) as { _data_files?: { filename: string }[] };
    const files = (state._data_files ?? []).map((f) => join(path, f.filename));
    for (const f of files) await inside(path, f, `${relative(path, f)}, named by state.json,`);
    if (files.length) return files;
  }
  const files = names.filter((n) => n.endsWith('.arrow')).sort();
  // A load_dataset cache folder holds every split: <name>-<split>-0000x-of-0000N.arrow.
  const wanted = split ? files.filter((n) => n.includes(`-${split}`)) : files.some((n) => /-train[-.]/.test(n)) ? files.filter((n) => /-train[-.]/.test(n)) : files;
  if (wanted.length === 0) throw new UsageError(`${path}: no .arrow files${split ? ` for split ${split}` : ''}`);
  return wanted.map((n) => join(path, n));
}

/** A file the dataset names must be inside its folder: a scan (or a clean) never reads or writes elsewhere. */
async function inside(root: string, file: string, what: string): Promise<void> {
  try {
    await checkInsideRoot(root, file, what);
  } catch (e) {
    throw new UsageError(`${root}: ${(e as Error).message}`);
  }
}

export function arrowSource(path: string, split?: string): ArrowSource {
  const source: ArrowSource = {
    columns: [],
    classNames: new Map(),
    async *rows() {
      let row = 0;
      let firstSchema: Map<string, string> | null = null;
      let firstFile = '';
      const files = await arrowFiles(path, split);
      for (const file of files) {
        let reader: RecordBatchReader;
        try {
          reader = await RecordBatchReader.from(createReadStream(file));
          await reader.open();
        } catch (e) {
          const why = `${file}: not a readable Arrow file (${(e as Error).message})`;
          // One damaged shard of many is an error; the other shards are read.
          if (files.length === 1) throw new UsageError(why);
          yield new SkippedRows(row, 0, file, `${why}; its rows are not read`);
          continue;
        }
        const schema = reader.schema as Schema | undefined;
        const types = new Map((schema?.fields ?? []).map((f) => [f.name, String(f.type)]));
        const change = firstSchema && schema && schemaChange(firstSchema, types);
        if (change) {
          // A stream's row count is only known by reading it: count its rows without keeping them.
          let rows = 0;
          try {
            for await (const batch of reader) rows += batch.numRows;
          } catch {
            // damaged too: what was counted is skipped
          }
          yield new SkippedRows(row, rows, file, `${file}: its schema differs from ${firstFile}'s (${change}); its ${rows} rows are not read`);
          row += rows;
          continue;
        }
        if (schema && !firstSchema) [firstSchema, firstFile] = [types, file];
        if (schema) {
          source.columns = schema.fields.map((f) => f.name);
          readClassNames(schema, source.classNames);
        }
        try {
          for await (const batch of reader) {
            const fields = batch.schema.fields.map((f) => f.name);
            const vectors = fields.map((_, k) => batch.getChildAt(k));
            for (let i = 0; i < batch.numRows; i++) {
              const r: RecordRow = {};
              fields.forEach((name, k) => (r[name] = toCell(vectors[k]?.get(i))));
              row++;
              yield r;
            }
          }
        } catch (e) {
          // A truncated stream keeps the rows read before the damage.
          yield new RowError(row, `${file} is damaged after row ${row} (${(e as Error).message}); the rows after it are not read`);
        }
      }
    },
  };
  return source;
}

function readClassNames(schema: Schema, out: Map<string, string[]>): void {
  const meta = schema.metadata.get('huggingface');
  if (!meta) return;
  try {
    const info = JSON.parse(meta) as { info?: { features?: Record<string, { _type?: string; names?: string[] }> } };
    for (const [name, f] of Object.entries(info.info?.features ?? {})) if (f._type === 'ClassLabel' && Array.isArray(f.names)) out.set(name, f.names);
  } catch {
    // metadata we cannot read only costs the label names
  }
}

/** Arrow values to plain cells: structs to objects, lists to arrays, binary stays bytes, 64-bit ints to numbers. */
function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return v;
  // Struct rows are proxies: ask for toJSON directly rather than with `in`.
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    const j = (v as { toJSON(): unknown }).toJSON();
    if (Array.isArray(j)) return j.map(toCell);
    if (j && typeof j === 'object') return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, toCell(x)]));
    return toCell(j);
  }
  return String(v);
}
