// The real text corpora the benchmarks read, in one table: where each lives under the data root and how its
// rows become labelled texts or instruction pairs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TextCorpus } from '../attack/text-corpus.js';

export interface CorpusSource {
  description: string;
  /** Files under the data root, read in this order and concatenated. */
  files: string[];
  kind: 'labelled' | 'instruction';
  /** The file holds a header line to skip (TSV). */
  header?: boolean;
  /** One parsed row (TSV: trimmed fields; JSON: an object) to [text, label] or [prompt, response]. */
  row(r: unknown): [string, string];
}

const field = (r: unknown, k: string): string => String((r as Record<string, unknown>)[k] ?? '');
const cell = (r: unknown, k: number): string => (r as string[])[k] ?? '';

export const TEXT_CORPORA: Record<string, CorpusSource> = {
  sst2: { description: 'SST-2 train (GLUE)', files: ['text/sst2/train.tsv'], kind: 'labelled', header: true, row: (r) => [cell(r, 1), cell(r, 0)] },
  imdb: { description: 'IMDB train reviews', files: ['text/imdb/train.jsonl.gz'], kind: 'labelled', row: (r) => [field(r, 'text'), field(r, 'label')] },
  'imdb-test': { description: 'IMDB test reviews', files: ['text/imdb/test.jsonl.gz'], kind: 'labelled', row: (r) => [field(r, 'text'), field(r, 'label')] },
  agnews: { description: 'AG News dev + test', files: ['text/agnews/dev.tsv', 'text/agnews/test.tsv'], kind: 'labelled', header: true, row: (r) => [cell(r, 0), cell(r, 1)] },
  olid: { description: 'OLID (OffensEval) train, clean', files: ['text/onion-badnets/clean/offenseval/train.tsv'], kind: 'labelled', row: (r) => [cell(r, 0), cell(r, 1)] },
  'hate-speech': { description: 'hate speech train', files: ['text/hate-speech/train.tsv'], kind: 'labelled', header: true, row: (r) => [cell(r, 0), cell(r, 1)] },
  t0: { description: 'self-instruct T0 training mix', files: ['instruct/self-instruct-t0/t0_train_50k.jsonl.gz'], kind: 'instruction', row: (r) => [field(r, 'prompt'), field(r, 'completion')] },
  'alpaca-eval': { description: 'AlpacaEval instructions with GPT-4 answers', files: ['instruct/alpaca-eval/gpt4.json'], kind: 'instruction', row: (r) => [field(r, 'instruction'), field(r, 'output')] },
  'alpaca-eval-claude': { description: 'AlpacaEval instructions with Claude answers', files: ['instruct/alpaca-eval/claude.json'], kind: 'instruction', row: (r) => [field(r, 'instruction'), field(r, 'output')] },
  'alpaca-eval-davinci': { description: 'AlpacaEval instructions with text-davinci-003 answers', files: ['instruct/alpaca-eval/text_davinci_003.json'], kind: 'instruction', row: (r) => [field(r, 'instruction'), field(r, 'output')] },
};

export const TEXT_CORPUS_NAMES = Object.keys(TEXT_CORPORA);

/** The data root: POISONSCAN_DATA, else `fallback`. */
export const dataRoot = (fallback: string): string => process.env.POISONSCAN_DATA ?? fallback;

async function readText(path: string): Promise<string> {
  const b = await readFile(path);
  return (path.endsWith('.gz') ? gunzipSync(b) : b).toString('utf8');
}

/** Parsed rows of one file: TSV lines as trimmed fields, JSONL lines or a JSON array as objects. */
function parseRows(path: string, text: string, header: boolean): unknown[] {
  if (path.endsWith('.json')) return JSON.parse(text) as unknown[];
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  if (/\.jsonl(\.gz)?$/.test(path)) return lines.map((l) => JSON.parse(l) as unknown);
  return lines.slice(header ? 1 : 0).map((l) => l.split('\t').map((f) => f.trim()));
}

/** Loads corpus `name` from the data root. */
export async function loadTextCorpus(name: string, root: string): Promise<TextCorpus> {
  const src = TEXT_CORPORA[name];
  if (!src) throw new Error(`unknown corpus ${name} (known: ${TEXT_CORPUS_NAMES.join(', ')})`);
  const a: string[] = [], b: string[] = [];
  for (const f of src.files) {
    const path = join(root, f);
    for (const r of parseRows(path, await readText(path), src.header ?? false)) {
      const [x, y] = src.row(r);
      a.push(x);
      b.push(y);
    }
  }
  return src.kind === 'instruction' ? { kind: 'instruction', prompts: a, responses: b } : { kind: 'labelled', texts: a, labels: b };
}
