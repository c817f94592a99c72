// Tabular text datasets (JSONL, JSON arrays, CSV, TSV): picks the columns as the contract says and turns the
// records into the scan's text columns. Modality: instruction (prompt + response), text (text + label:
// classification), document (text only).
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError, type DatasetFormat, type Modality, type SampleError } from '../types.js';
import type { ListedDataset } from '../model/dataset.js';
import { checkEmbeddingRows, type ReadOptions } from './read-options.js';
import { RowError, SkippedRows, type Cell, type RecordRow, type RecordSource } from './records.js';
import type { ArrowSource } from './records/arrow.js';
import { hasImageExtension, type ImageSample } from './image-source.js';
import type { TextColumns } from '../model/text-columns.js';
import { RowCursor } from './row-cursor.js';
import { checkInsideRoot } from './inside-root.js';

const TEXT = ['text', 'sentence', 'sentences', 'content', 'document', 'txt', 'caption'];
const LABEL = ['label', 'labels', 'class', 'category', 'cls'];
const PROMPT = ['prompt', 'instruction', 'question'];
const RESPONSE = ['response', 'output', 'completion', 'answer'];
const IMAGE = ['image', 'img', 'picture', 'jpg', 'jpeg', 'png', 'webp'];
const EMBEDDING = ['embedding', 'embeddings', 'emb'];

/**
 * Stands in for an inline image (bytes, or a {bytes, path} struct with bytes) once the columns are chosen: the
 * bytes are read again when the image is decoded (see row-cursor.ts), not held from the first read.
 */
const INLINE_IMAGE: Cell = Object.freeze({ inline: true });

/** Image cells: encoded bytes, a Hugging Face Image struct {bytes, path}, or a path to an image file. */
function isImageCell(c: Cell, byName: boolean): boolean {
  if (c instanceof Uint8Array || c === INLINE_IMAGE) return true;
  if (typeof c === 'string') return byName && hasImageExtension(c);
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return false;
  const o = c as { bytes?: unknown; path?: unknown };
  return o.bytes instanceof Uint8Array || (typeof o.path === 'string' && hasImageExtension(o.path));
}

/** The image's bytes: inline, or read from its path (relative paths from the dataset's folder). */
async function imageBytes(c: Cell, column: string, baseDir: string): Promise<Uint8Array> {
  if (c instanceof Uint8Array) return c;
  const o = typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as { bytes?: unknown; path?: unknown }) : {};
  if (o.bytes instanceof Uint8Array) return o.bytes;
  const p = typeof c === 'string' ? c : typeof o.path === 'string' ? o.path : null;
  if (p === null) throw new Error(`${column} holds no image in this row`);
  const full = isAbsolute(p) ? p : join(baseDir, p);
  // Paths (and the links they go through) must stay inside the dataset's folder: a row must not make the scan
  // open a file elsewhere on the machine.
  await checkInsideRoot(baseDir, full, `${column} path "${p}"`);
  return new Uint8Array(await readFile(full));
}

/** Longest text field scanned; a longer one is a row error (a 50 MB line is a dump, not a training sample). */
export const MAX_TEXT_CHARS = 1_000_000;

/**
 * Why a text field cannot be scanned, or null. Undecodable bytes (U+FFFD) and invisible characters are no reason:
 * such a row is scanned and the characters are reported as evidence (input-findings.ts, detect/text-anomaly.ts).
 */
function textProblem(t: string | null, column: string): string | null {
  if (t === null) return null;
  if (t.length > MAX_TEXT_CHARS) return `${column} is ${(t.length / 1e6).toFixed(1)} million characters, above the ${MAX_TEXT_CHARS / 1e6} million limit`;
  return null;
}

function cellText(c: Cell): string | null {
  if (c === null || c === undefined) return null;
  if (typeof c === 'string') return c;
  if (typeof c === 'number' || typeof c === 'bigint' || typeof c === 'boolean') return String(c);
  return JSON.stringify(c);
}

/** The first of `names` present (case-insensitive), or the one forced by an option. */
function pick(columns: string[], names: string[], forced: string | undefined, what: string): string | undefined {
  if (forced !== undefined) {
    const hit = columns.find((c) => c === forced) ?? columns.find((c) => c.toLowerCase() === forced.toLowerCase());
    if (!hit) throw new UsageError(`no ${what} column "${forced}" (columns: ${columns.join(', ')})`);
    return hit;
  }
  for (const n of names) {
    const hit = columns.find((c) => c.toLowerCase() === n);
    if (hit) return hit;
  }
  return undefined;
}

/** Rows read before the columns are chosen; later rows keep only the chosen columns. */
export const COLUMN_PREFIX_ROWS = 1000;

interface Chosen {
  idCol?: string;
  labelCol?: string;
  promptCol?: string;
  responseCol?: string;
  textCol?: string;
  inputCol?: string;
  embeddingCol?: string;
  namedImageCol?: string;
  imageCol?: string;
  /** Whether the image column holds images (then the dataset is an image dataset). */
  images: boolean;
}

/**
 * The columns as the contract says, from the columns and rows seen so far. A column forced by an option but not
 * seen yet is kept (a JSONL file may add it later); `final` makes its absence an error.
 */
function chooseColumns(columns: string[], rows: RecordRow[], opts: ReadOptions, final: boolean): Chosen {
  const pickLenient = (names: string[], forced: string | undefined, what: string) =>
    forced !== undefined && !final && !columns.some((c) => c.toLowerCase() === forced.toLowerCase()) ? forced : pick(columns, names, forced, what);
  const idCol = pickLenient(['id', '__key__', 'key'], opts.idColumn, 'id');
  const labelCol = pickLenient(LABEL, opts.labelColumn, 'label');
  let promptCol = pickLenient(PROMPT, opts.promptColumn, 'prompt');
  let responseCol = pickLenient(RESPONSE, opts.responseColumn, 'response');
  const textCol = pickLenient(TEXT, opts.textColumn, 'text');
  const embeddingCol = pickLenient(EMBEDDING, opts.embeddingColumn, 'embedding');
  const namedImageCol = pickLenient(IMAGE, opts.imageColumn, 'image');
  const imageCol = namedImageCol ?? columns.find((c) => rows.some((r) => isImageCell(r[c], false)));
  const images = imageCol !== undefined && rows.some((r) => isImageCell(r[imageCol], imageCol === namedImageCol));
  if (opts.textColumn === undefined && textCol && !(opts.promptColumn || opts.responseColumn)) {
    // A text column wins over prompt/response guesses only when there is no full prompt/response pair.
    if (!(promptCol && responseCol)) promptCol = responseCol = undefined;
  }
  const inputCol = promptCol && promptCol.toLowerCase() === 'instruction' ? columns.find((c) => c.toLowerCase() === 'input') : undefined;
  return { idCol, labelCol, promptCol, responseCol, textCol, inputCol, embeddingCol, namedImageCol, imageCol, images };
}

/**
 * Only the chosen columns of a row (names compared case-insensitively): a wide file's other columns are not held
 * in memory, nor inline image bytes (INLINE_IMAGE stands in for them).
 */
function project(r: RecordRow, keep: Set<string>, imageCol: string | null): RecordRow {
  const out: RecordRow = {};
  for (const k in r) if (keep.has(k.toLowerCase())) out[k] = k === imageCol ? withoutBytes(r[k]) : r[k];
  return out;
}

function withoutBytes(c: Cell): Cell {
  if (c instanceof Uint8Array) return INLINE_IMAGE;
  if (typeof c === 'object' && c !== null && !Array.isArray(c) && (c as { bytes?: unknown }).bytes instanceof Uint8Array) return INLINE_IMAGE;
  return c;
}

function keptColumns(c: Chosen): Set<string> {
  const named = [c.idCol, c.labelCol, c.promptCol, c.responseCol, c.textCol, c.inputCol, c.embeddingCol, c.imageCol];
  return new Set(named.filter((x): x is string => x !== undefined).map((x) => x.toLowerCase()));
}

/** Reads the rows `open` gives of `pathArg` (a row format's source) as the dataset of format `format`. */
export async function readTabular(pathArg: string, format: DatasetFormat, opts: ReadOptions, open: (path: string, split?: string) => RecordSource): Promise<ListedDataset> {
  const path = resolve(pathArg);
  const t0 = performance.now();
  opts.progress.stage('read');
  let rows: RecordRow[] = [];
  const rowNumbers: number[] = [];
  const errors: SampleError[] = [];
  const seenColumns = new Set<string>();
  let n = 0;
  let keep: Set<string> | null = null;
  // The image column, once the first rows show the dataset holds images: its bytes are not kept.
  let streamedImages: string | null = null;
  const source = opts.records ?? open(path, opts.split);
  for await (const r of source.rows()) {
    const row = n++;
    if (r instanceof SkippedRows) {
      // One error for a whole file left out; its rows keep their numbers.
      errors.push({ id: r.file, error: r.message });
      n += r.count - 1;
      continue;
    }
    if (r instanceof RowError) {
      errors.push({ id: String(r.row), error: r.message });
      continue;
    }
    for (const k in r) seenColumns.add(k);
    // The columns are chosen after the first rows; from then on each row keeps only those.
    if (keep) rows.push(project(r, keep, streamedImages));
    else {
      rows.push(r);
      if (rows.length === COLUMN_PREFIX_ROWS) {
        const first = chooseColumns([...seenColumns], rows, opts, false);
        keep = keptColumns(first);
        if (first.images && first.imageCol) streamedImages = first.imageCol;
        rows = rows.map((x) => project(x, keep!, streamedImages));
      }
    }
    rowNumbers.push(row);
    if ((row & 8191) === 0) opts.progress.tick(8192);
  }
  opts.progress.done();
  if (rows.length === 0) throw new UsageError(`${path}: no readable rows${errors[0] ? ` (first problem: ${errors[0].error})` : ''}`);
  // Rows of a .npy file follow the file's rows, unreadable ones included.
  checkEmbeddingRows(opts, n);
  const columns = [...seenColumns];
  // Forced names must exist by now; guesses stay among the columns the first rows chose (the only ones kept).
  for (const [forced, what] of [[opts.idColumn, 'id'], [opts.labelColumn, 'label'], [opts.promptColumn, 'prompt'], [opts.responseColumn, 'response'], [opts.textColumn, 'text'], [opts.embeddingColumn, 'embedding'], [opts.imageColumn, 'image']] as const) pick(columns, [], forced, what);
  const kept = keep;
  const { idCol, labelCol, promptCol, responseCol, textCol, inputCol, embeddingCol, imageCol, images } = chooseColumns(kept ? columns.filter((c) => kept.has(c.toLowerCase())) : columns, rows, opts, true);
  const classNames = (source as Partial<ArrowSource>).classNames?.get(labelCol ?? '');
  const labelOf = (c: Cell): string | null => {
    // Hugging Face ClassLabel columns hold integers; the schema names them.
    if (classNames && typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < classNames.length) return classNames[c]!;
    return cellText(c);
  };
  if (imageCol && images) {
    // Image paths are relative to the dataset's folder (a shard pattern is not a file: its folder).
    const baseDir = await stat(path).then((st) => (st.isDirectory() ? path : dirname(path)), () => dirname(path));
    opts.progress.stage('list');
    const samples: ImageSample[] = [];
    const used = new Set<string>();
    // Inline images are read again, in row order, when decoded: the second read holds a few rows at a time.
    const again = new RowCursor<Cell>(async function* () {
      for await (const r of (opts.records ?? open(path, opts.split)).rows()) {
        if (r instanceof SkippedRows) for (let j = 0; j < r.count; j++) yield null;
        else yield r instanceof RowError ? null : r[imageCol];
      }
    });
    rows.forEach((r, k) => {
      let id = idCol ? cellText(r[idCol]) ?? String(rowNumbers[k]) : String(rowNumbers[k]);
      if (used.has(id)) id = `${id}#${rowNumbers[k]}`;
      used.add(id);
      const cell = r[imageCol];
      const row = rowNumbers[k]!;
      const read = cell === INLINE_IMAGE ? async () => imageBytes(await again.at(row), imageCol, baseDir) : () => imageBytes(cell, imageCol, baseDir);
      samples.push({ id, label: labelCol ? labelOf(r[labelCol]) : null, read });
    });
    return {
      path, format, modality: 'image',
      ids: samples.map((x) => x.id), labels: samples.map((x) => x.label), sourceRows: rowNumbers,
      images: { samples, close: () => again.close() },
      ...(embeddingCol ? { embeddingColumn: { name: embeddingCol, cells: rows.map((r) => r[embeddingCol]) } } : {}),
      errors, stages: { ingest: (performance.now() - t0) / 1000 },
    };
  }
  let modality: Modality;
  if (promptCol && responseCol) modality = 'instruction';
  else if (textCol) modality = labelCol ? 'text' : 'document';
  else throw new UsageError(`${path}: no text column found (columns: ${columns.join(', ')}); pass --text-column or --prompt-column/--response-column`);

  const ids: string[] = [];
  const labels: (string | null)[] = [];
  const texts: TextColumns = modality === 'instruction' ? { prompt: [], response: [] } : { text: [] };
  const used = new Set<string>();
  const keptRows: number[] = [];
  rows.forEach((r, k) => {
    const rowNo = rowNumbers[k]!;
    let id = idCol ? cellText(r[idCol]) ?? String(rowNo) : String(rowNo);
    // Ids must be unique in the report: a repeated id gets its row number appended.
    if (used.has(id)) id = `${id}#${rowNo}`;
    // Labels of mixed types (1, "1", true) are compared as strings; a nested object or list is no label.
    const label = labelCol ? r[labelCol] : null;
    if (label !== null && label !== undefined && typeof label === 'object') {
      errors.push({ id, error: `${labelCol} is ${Array.isArray(label) ? 'a list' : 'an object'}, not a label` });
      return;
    }
    if (modality === 'instruction') {
      const p = cellText(r[promptCol!]);
      const extra = inputCol ? cellText(r[inputCol]) : null;
      const resp = cellText(r[responseCol!]);
      if (p === null && resp === null) {
        errors.push({ id, error: `row has neither ${promptCol} nor ${responseCol}` });
        return;
      }
      const problem = textProblem(p, promptCol!) ?? textProblem(extra, inputCol ?? 'input') ?? textProblem(resp, responseCol!);
      if (problem) {
        errors.push({ id, error: problem });
        return;
      }
      texts.prompt!.push(extra ? `${p ?? ''}\n${extra}` : p);
      texts.response!.push(resp);
    } else {
      const t = cellText(r[textCol!]);
      if (t === null || t.trim() === '') {
        errors.push({ id, error: `empty ${textCol}` });
        return;
      }
      const problem = textProblem(t, textCol!);
      if (problem) {
        errors.push({ id, error: problem });
        return;
      }
      texts.text!.push(t);
    }
    used.add(id);
    ids.push(id);
    keptRows.push(k);
    labels.push(labelCol ? labelOf(label) : null);
  });
  if (ids.length === 0) throw new UsageError(`${path}: no usable rows (first problem: ${errors[0]?.error ?? 'unknown'})`);
  const embeddingColumn = embeddingCol ? { name: embeddingCol, cells: keptRows.map((k) => rows[k]![embeddingCol]) } : undefined;
  const sourceRows = keptRows.map((k) => rowNumbers[k]!);
  return { path, format, modality, ids, labels, texts, errors, sourceRows, ...(embeddingColumn ? { embeddingColumn } : {}), stages: { ingest: (performance.now() - t0) / 1000 } };
}

