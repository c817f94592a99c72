// A Hugging Face datasets folder (save_to_disk): a Dataset, or a DatasetDict of splits (--split), as Arrow files.
import { rowFormat } from '../dataset-format.js';
import { arrowSource } from '../records/arrow.js';

const MARKERS = ['dataset_info.json', 'dataset_dict.json', 'state.json'];

export const hf = rowFormat({
  name: 'hf',
  folder: { rank: 10, holds: (_path, names) => MARKERS.some((m) => names.includes(m)) },
  source: (path, split) => arrowSource(path, split),
});
