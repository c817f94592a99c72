// img2dataset output: NNNNN.tar beside NNNNN.parquet (image-caption pairs plus their download metadata).
import type { DatasetFormatModule } from '../dataset-format.js';
import { readImg2dataset } from '../img2dataset.js';

export const img2dataset: DatasetFormatModule<'img2dataset'> = {
  name: 'img2dataset',
  folder: { rank: 20, holds: (_path, names) => names.some((n) => n.endsWith('.tar') && names.includes(n.slice(0, -4) + '.parquet')) },
  read: (path, opts) => readImg2dataset(path, opts),
};
