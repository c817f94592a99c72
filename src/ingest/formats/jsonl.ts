// JSON Lines: one JSON object per line.
import { rowFormat } from '../dataset-format.js';
import { jsonlSource } from '../records/jsonl.js';

export const jsonl = rowFormat({ name: 'jsonl', extensions: ['.jsonl', '.ndjson'], source: (path) => jsonlSource(path) });
