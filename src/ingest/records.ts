// Row-oriented sources (JSONL, JSON arrays, CSV/TSV, Parquet, Arrow/Hugging Face, WebDataset) all yield
// records: one plain object per sample. Column choice and modality detection happen on top of this.

import type { Cell } from '../model/cell.js';
export type { Cell } from '../model/cell.js';

export type RecordRow = Record<string, Cell>;

export interface RecordSource {
  /** Column names as far as known before reading (may grow while reading for JSONL). */
  columns: string[];
  /** Rows in dataset order; a row that cannot be parsed is yielded as an Error (it becomes a sample error). */
  rows(): AsyncIterable<RecordRow | RowError>;
}

export class RowError extends Error {
  constructor(
    /** 0-based row number, the row's default id. */
    public readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A whole file of a multi-file dataset left out (its schema differs from the first file's): one error for the
 * file instead of one per row; `count` rows are skipped so that later rows keep their numbers.
 */
export class SkippedRows extends RowError {
  constructor(
    row: number,
    public readonly count: number,
    public readonly file: string,
    message: string,
  ) {
    super(row, message);
  }
}

/**
 * How a later file's columns (name -> type) differ from the first file's in a way that makes its rows unsafe to
 * read with the same column choice: a column missing or of another type. Added columns are harmless. null: same.
 */
export function schemaChange(first: Map<string, string>, now: Map<string, string>): string | null {
  const missing = [...first.keys()].filter((k) => !now.has(k));
  const changed = [...first.keys()].filter((k) => now.has(k) && now.get(k) !== first.get(k));
  if (!missing.length && !changed.length) return null;
  const parts = [];
  if (missing.length) parts.push(`no column ${missing.join(', ')}`);
  if (changed.length) parts.push(changed.map((k) => `${k} is ${now.get(k)}, not ${first.get(k)}`).join(', '));
  return parts.join('; ');
}
