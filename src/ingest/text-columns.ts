// Text columns live on the ground floor (src/model/); this path keeps importers working.
export type * from '../model/text-columns.js';
