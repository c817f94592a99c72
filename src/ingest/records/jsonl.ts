// JSONL: one JSON object per line; a line that does not parse is a row error, not a failed scan. A damaged or
// truncated file (a .gz cut short) keeps the rows before the damage and reports it as a row error.
import { RowError, type RecordRow, type RecordSource } from '../records.js';
import { damaged, lines } from './lines.js';

export function jsonlSource(path: string): RecordSource {
  return {
    columns: [],
    async *rows() {
      let n = 0;
      try {
        for await (const line of lines(path)) {
          if (!line.trim()) continue;
          const row = n++;
          let v: unknown;
          try {
            v = JSON.parse(line);
          } catch {
            yield new RowError(row, `line ${row + 1} is not valid JSON`);
            continue;
          }
          if (!v || typeof v !== 'object' || Array.isArray(v)) yield new RowError(row, 'line is not a JSON object');
          else yield v as RecordRow;
        }
      } catch (e) {
        yield new RowError(n, damaged(path, n, e));
      }
    },
  };
}
