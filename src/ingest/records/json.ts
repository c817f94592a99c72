// A JSON array of objects (Alpaca style). The file is parsed whole: JSON arrays are not streamable without a
// streaming parser, and instruction sets in this form are small; JSONL is the format for large data.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../types.js';
import { RowError, type RecordRow, type RecordSource } from '../records.js';

export function jsonArraySource(path: string): RecordSource {
  return {
    columns: [],
    async *rows() {
      let v: unknown;
      try {
        v = JSON.parse(await readFile(path, 'utf8'));
      } catch (e) {
        throw new UsageError(`${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!Array.isArray(v)) throw new UsageError(`${path} is not a JSON array of records (use JSONL for one object per line)`);
      for (let i = 0; i < v.length; i++) {
        const r: unknown = v[i];
        if (!r || typeof r !== 'object' || Array.isArray(r)) yield new RowError(i, 'array element is not an object');
        else yield r as RecordRow;
      }
    },
  };
}
