// Tab-separated values with a header row (also .txt).
import { rowFormat } from '../dataset-format.js';
import { delimitedSource } from '../records/delimited.js';

export const tsv = rowFormat({ name: 'tsv', extensions: ['.tsv', '.txt'], source: (path) => delimitedSource(path, '\t') });
