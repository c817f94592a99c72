// Writes a report folder: scores.csv, scores.arrow, report.html, report.json, and SARIF when asked.
// Shared by scan and verify so that every command's outputs follow the contract the same way.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageFeatures } from '../model/image-features.js';
import type { TextColumns } from '../model/text-columns.js';
import type { Report } from '../types.js';
import type { SampleScores } from './combine.js';
import { renderHtml } from './html.js';
import { folderSource } from './html-images.js';
import { toSarif } from './sarif.js';
import { writeScores } from './scores-csv.js';

export interface ReportFiles {
  outDir: string;
  report: Report;
  ids: string[];
  scores: SampleScores;
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Class label per row (the page's per-label chart). */
  labels?: (string | null)[];
  sarif?: string;
  /** Called before the page is rendered and again before report.json is written, to settle timing. */
  settleTiming?: () => void;
}

export async function writeReportFiles(r: ReportFiles): Promise<void> {
  const indexOf = new Map(r.ids.map((id, i) => [id, i]));
  await writeScores(r.outDir, r.ids, r.scores);
  // The page shows the timing up to its own rendering; report.json gets the final figure.
  r.settleTiming?.();
  // Image folders: thumbnails from the source files at their real resolution; other layouts: the working grid.
  const readImage = r.images && r.report.dataset.format === 'imagefolder' ? folderSource(r.report.dataset.path) : undefined;
  const html = await renderHtml({ report: r.report, indexOf, images: r.images, texts: r.texts, scores: r.scores, labels: r.labels, readImage });
  r.settleTiming?.();
  await writeFile(join(r.outDir, 'report.json'), JSON.stringify(r.report, null, 2) + '\n');
  await writeFile(join(r.outDir, 'report.html'), html);
  if (r.sarif) await writeFile(r.sarif, JSON.stringify(toSarif(r.report), null, 2) + '\n');
}
