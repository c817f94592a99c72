// Rows handed over in memory (the library's `scan({ rows })`): an array or an (async) iterable of plain records,
// read like the rows of a JSONL file. An array can be read twice (images are read again when decoded); a
// one-shot iterable suits text rows.
import { RowError, type Cell, type RecordRow, type RecordSource } from './records.js';

export type InMemoryRows = Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;

export function memorySource(rows: InMemoryRows): RecordSource {
  return {
    columns: [],
    async *rows() {
      let n = 0;
      for await (const r of rows as AsyncIterable<unknown>) {
        const row = n++;
        if (!r || typeof r !== 'object' || Array.isArray(r)) yield new RowError(row, 'row is not an object');
        else yield r as Record<string, Cell> as RecordRow;
      }
    },
  };
}
