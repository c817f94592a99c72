// Every dataset format the scan reads, one module each (formats/): adding a format is its module and one line here.
// The order is the one --input-format and messages list them in; folders are told apart by each module's rank.
import type { DatasetFormatModule } from './dataset-format.js';
import { imagefolder } from './formats/imagefolder.js';
import { jsonl } from './formats/jsonl.js';
import { json } from './formats/json.js';
import { csv } from './formats/csv.js';
import { tsv } from './formats/tsv.js';
import { parquet } from './formats/parquet.js';
import { arrow } from './formats/arrow.js';
import { hf } from './formats/hf.js';
import { webdataset } from './formats/webdataset.js';
import { img2dataset } from './formats/img2dataset.js';

export const FORMAT_MODULES = [imagefolder, jsonl, json, csv, tsv, parquet, arrow, hf, webdataset, img2dataset] as const satisfies readonly DatasetFormatModule[];

/** The name of a format the scan reads. */
export type FormatName = (typeof FORMAT_MODULES)[number]['name'];

/** The formats' names, in the table's order. */
export const DATASET_FORMATS: readonly FormatName[] = FORMAT_MODULES.map((f) => f.name);

/** The module of format `name`, or undefined. */
export function formatModule(name: string): DatasetFormatModule | undefined {
  return FORMAT_MODULES.find((f) => f.name === name);
}
