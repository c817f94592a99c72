// `poisonscan clean`: a copy of a scanned dataset without the samples its report flags, in the dataset's own
// format, plus dropped.csv (what was left out and why). The input is never written to.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { listDataset } from '../ingest/read.js';
import { csvField } from '../report/scores-csv.js';
import { checkOutDir, lockOutDir } from '../store/out-dir.js';
import { UsageError, type Report } from '../types.js';
import { silentProgress, type Progress } from '../util/progress.js';
import { dropSet, readReport, type DropRule, type Dropped } from './drop-set.js';
import { CLEANABLE, cleanImageFolder, cleanTable, unsupported, type CleanWrite } from './write-clean.js';
import { cleanWebDataset } from './write-webdataset.js';
import { cleanColumnar } from './write-columnar.js';

export interface CleanOptions {
  dataset: string;
  /** The report folder of a scan of this dataset. */
  report: string;
  out: string;
  drop?: DropRule;
  /** Keep the samples of findings a reviewer suppressed (poisonscan.config.json). */
  keepSuppressed?: boolean;
  /** Image folders: hard-link the kept files instead of copying them (an edit of the copy then edits the input). */
  link?: boolean;
  progress?: Progress;
}

export interface CleanResult extends CleanWrite {
  droppedList: string;
}

export async function clean(o: CleanOptions): Promise<CleanResult> {
  const report = await readReport(o.report);
  const dataset = resolve(o.dataset);
  const out = resolve(o.out);
  if (report.dataset.path !== dataset) throw new UsageError(`the report in ${o.report} is of ${report.dataset.path}, not ${dataset}`);
  // By real path (a link into the dataset is refused), and locked so that no other run writes there meanwhile.
  await checkOutDir(out, dataset);
  if ((await readdir(out).catch(() => [])).length) throw new UsageError(`--out ${out} is not empty: give a new folder`);
  const release = await lockOutDir(out);
  try {
    return await cleanLocked(o, report, dataset, out);
  } finally {
    await release();
  }
}

async function cleanLocked(o: CleanOptions, report: Report, dataset: string, out: string): Promise<CleanResult> {
  const format = report.dataset.format;
  if (!CLEANABLE.includes(format) || report.config.manifest !== undefined) unsupported(report.config.manifest !== undefined ? 'manifest-listed image' : format);
  const drop = dropSet(report, o.drop ?? 'flagged', Boolean(o.keepSuppressed));
  let written: CleanWrite;
  if (format === 'imagefolder') {
    written = await cleanImageFolder(dataset, join(out, basename(dataset)), new Set(drop.keys()), new Set(report.errors.map((e) => e.id)), Boolean(o.link));
  } else if (format === 'webdataset') {
    // Sample ids are the members' keys.
    written = await cleanWebDataset(dataset, out, new Set(drop.keys()));
  } else {
    // The reader's own row numbers for the report's ids: read with the options the scan used.
    const c = report.config;
    const str = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : undefined);
    const data = await listDataset(dataset, format, {
      textColumn: str('textColumn'), labelColumn: str('labelColumn'), idColumn: str('idColumn'), promptColumn: str('promptColumn'),
      responseColumn: str('responseColumn'), imageColumn: str('imageColumn'), split: str('split'), progress: o.progress ?? silentProgress,
    });
    // Listing is enough: the images' rows are known without decoding them.
    await data.images?.close();
    const rowOf = new Map(data.ids.map((id, k) => [id, data.sourceRows![k]!]));
    const rows = new Set<number>();
    for (const id of drop.keys()) {
      const r = rowOf.get(id);
      if (r === undefined) throw new UsageError(`sample ${id} of the report is not in ${dataset}: the dataset changed since the scan (scan it again)`);
      rows.add(r);
    }
    written = format === 'parquet' || format === 'arrow' || format === 'hf'
      ? { ...(await cleanColumnar(dataset, format === 'parquet' ? 'parquet' : 'arrow', out, rows, new Set(report.errors.map((e) => e.id)), str('split'))), dropped: rows.size }
      : await cleanTable(dataset, format, out, rows);
  }
  const droppedList = join(out, 'dropped.csv');
  await mkdir(out, { recursive: true });
  await writeFile(droppedList, droppedCsv([...drop.values()]));
  return { ...written, droppedList };
}

/** One row per dropped sample: the most severe finding first, every finding's id, detector and title. */
export function droppedCsv(list: Dropped[]): string {
  const lines = ['id,severity,findings,detectors,reasons'];
  for (const d of list) {
    const sev = d.findings.some((f) => f.severity === 'high') ? 'high' : 'medium';
    lines.push([d.id, sev, d.findings.map((f) => f.id).join(';'), [...new Set(d.findings.map((f) => f.detector))].join(';'), d.findings.map((f) => f.title).join(' | ')].map((f) => csvField(f)).join(','));
  }
  return lines.join('\n') + '\n';
}
