// JSONL: one JSON object per line; a line that does not parse is a row error, not a failed scan.
import { RowError, type RecordRow, type RecordSource } from '../records.js';
import { lines } from './lines.js';

export function jsonlSource(path: string): RecordSource {
  return {
    columns: [],
    async *rows() {
      let n = 0;
      for await (const line of lines(path)) {
        if (!line.trim()) continue;
        const row = n++;
        try {
          const v: unknown = JSON.parse(line);
          if (!v || typeof v !== 'object' || Array.isArray(v)) yield new RowError(row, 'line is not a JSON object');
          else yield v as RecordRow;
        } catch {
          yield new RowError(row, `line ${row + 1} is not valid JSON`);
        }
      }
    },
  };
}
