// A JSON array of objects (Alpaca style), streamed element by element: a file larger than memory works, a broken
// element is a row error, and only a file that is not an array at all is unusable.
import { UsageError } from '../../types.js';
import { RowError, type RecordRow, type RecordSource } from '../records.js';
import { NotAnArrayError, splitJsonArray } from './json-array.js';
import { textStream } from './lines.js';

export function jsonArraySource(path: string): RecordSource {
  return {
    columns: [],
    async *rows() {
      try {
        for await (const piece of splitJsonArray(textStream(path) as AsyncIterable<string>)) {
          const row = piece.index;
          if (piece.kind === 'truncated') {
            if (piece.text.trim() !== '' || row === 0) yield new RowError(row, `the file ends inside the array (element ${row + 1} is cut off)`);
            continue;
          }
          let v: unknown;
          try {
            v = JSON.parse(piece.text);
          } catch {
            yield new RowError(row, `array element ${row + 1} is not valid JSON`);
            continue;
          }
          if (!v || typeof v !== 'object' || Array.isArray(v)) yield new RowError(row, 'array element is not an object');
          else yield v as RecordRow;
        }
      } catch (e) {
        if (!(e instanceof NotAnArrayError)) throw e;
        if (e.first !== undefined) throw new UsageError(`${path} is not a JSON array of records (use JSONL for one object per line)`);
        throw new UsageError(`${path} is not valid JSON: it ${e.message}`);
      }
    },
  };
}
