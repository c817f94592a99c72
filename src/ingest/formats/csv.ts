// Comma-separated values with a header row.
import { rowFormat } from '../dataset-format.js';
import { delimitedSource } from '../records/delimited.js';

export const csv = rowFormat({ name: 'csv', extensions: ['.csv'], source: (path) => delimitedSource(path, ',') });
