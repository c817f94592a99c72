// A JSON array of objects, read piece by piece.
import { rowFormat } from '../dataset-format.js';
import { jsonArraySource } from '../records/json.js';

export const json = rowFormat({ name: 'json', extensions: ['.json'], source: (path) => jsonArraySource(path) });
