// Arrow IPC files (also Feather v2): a file, or a folder of them.
import { rowFormat } from '../dataset-format.js';
import { arrowSource } from '../records/arrow.js';

export const arrow = rowFormat({
  name: 'arrow',
  extensions: ['.arrow', '.feather', '.ipc'],
  folder: { rank: 50, holds: (_path, names) => names.some((n) => n.endsWith('.arrow')) },
  source: (path, split) => arrowSource(path, split),
});
