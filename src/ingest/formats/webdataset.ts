// WebDataset: tar shards of samples (members sharing a key), a file, a folder or a shard pattern
// (shard-{000000..000099}.tar).
import { rowFormat } from '../dataset-format.js';
import { webdatasetSource } from '../records/webdataset.js';

export const webdataset = rowFormat({
  name: 'webdataset',
  extensions: ['.tar'],
  pattern: /\{\d+\.\.\d+\}.*\.tar$/,
  folder: { rank: 40, holds: (_path, names) => names.some((n) => n.endsWith('.tar')) },
  source: (path) => webdatasetSource(path),
});
