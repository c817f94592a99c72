// Speed of a text scan against a plain pass over the same file, and a scan of a million short texts: each
// measured in a fresh process (time and peak RSS of that process alone).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { TextCorpus } from '../attack/text-corpus.js';
import { createRng, sampleIndices } from '../util/rng.js';

export interface PlainPass {
  rows: number;
  /** Distinct word 1- and 2-grams counted. */
  grams: number;
  seconds: number;
}

/**
 * The floor a scan is compared with: read a JSONL file, parse every line, and count every word 1-gram and
 * 2-gram of each string field in one Map.
 */
export async function plainPass(path: string): Promise<PlainPass> {
  const t = performance.now();
  const text = await readFile(path, 'utf8');
  const counts = new Map<string, number>();
  let rows = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    rows++;
    for (const v of Object.values(row)) {
      if (typeof v !== 'string') continue;
      let prev = '';
      for (const w of v.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
        counts.set(w, (counts.get(w) ?? 0) + 1);
        if (prev) {
          const g = `${prev} ${w}`;
          counts.set(g, (counts.get(g) ?? 0) + 1);
        }
        prev = w;
      }
    }
  }
  return { rows, grams: counts.size, seconds: (performance.now() - t) / 1000 };
}

export interface ChildRun<T> {
  result: T;
  /** Peak resident set of the child process, in bytes. */
  maxRssBytes: number;
}

/** Runs `call` (an expression over `m`, the module at `moduleUrl`) in a fresh Node process; returns its value and peak RSS. */
async function inChild<T>(moduleUrl: string, call: string): Promise<ChildRun<T>> {
  const code = `const m = await import(${JSON.stringify(moduleUrl)}); const result = await (${call}); process.stdout.write(JSON.stringify({ result, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildRun<T>) : reject(new Error(`child process exited with ${code}`))));
  });
}

export interface TimedScan {
  samples: number;
  seconds: number;
  stages: Record<string, number>;
}

/** One scan with every detector that applies, timed from the call to its return. */
export async function timedScan(dataset: string, out: string): Promise<TimedScan> {
  const { scan } = await import('../scan.js');
  const { silentProgress } = await import('../util/progress.js');
  const t = performance.now();
  const r = await scan({ dataset, out, quiet: true, progress: silentProgress, failOn: 'never' });
  return { samples: r.ids.length, seconds: (performance.now() - t) / 1000, stages: r.report.timing.stages as Record<string, number> };
}

const self = (): string => new URL(import.meta.url).href;

/** The plain pass in a fresh process. */
export const plainPassInChild = (path: string): Promise<ChildRun<PlainPass>> => inChild(self(), `m.plainPass(${JSON.stringify(path)})`);

/** A scan in a fresh process. */
export const scanInChild = (dataset: string, out: string): Promise<ChildRun<TimedScan>> => inChild(self(), `m.timedScan(${JSON.stringify(dataset)}, ${JSON.stringify(out)})`);

/** Pieces of 20-200 characters of a text: its sentences, one longer than 120 characters cut every 12 words (markup line breaks removed). */
export function shortSentences(text: string): string[] {
  const out: string[] = [];
  for (const s of text.replace(/<br\s*\/?>/g, ' ').split(/(?<=[.!?])\s+|\n+/)) {
    const t = s.trim();
    if (t.length <= 120) out.push(t);
    else {
      const words = t.split(/\s+/);
      for (let i = 0; i < words.length; i += 12) out.push(words.slice(i, i + 12).join(' '));
    }
  }
  return out.filter((x) => x.length >= 20 && x.length <= 200);
}

/**
 * `n` distinct short texts for a speed run: every text of the labelled corpora of at most 200 characters, then
 * pieces of their longer texts and of instruction pairs, in a seeded order; labels from their source.
 */
export function shortTextCorpus(corpora: readonly TextCorpus[], n: number, seed: number): TextCorpus {
  const seen = new Set<string>();
  const texts: string[] = [], labels: string[] = [];
  const add = (t: string, l: string) => {
    if (seen.has(t)) return;
    seen.add(t);
    texts.push(t);
    labels.push(l);
  };
  for (const c of corpora) {
    if (c.kind === 'labelled') {
      c.texts.forEach((t, i) => {
        for (const s of t.length <= 200 ? [t.trim()].filter((x) => x.length >= 20) : shortSentences(t)) add(s, c.labels[i]!);
      });
    } else if (c.kind === 'instruction') {
      c.prompts.forEach((p, i) => {
        for (const s of [...shortSentences(p), ...shortSentences(c.responses[i]!)]) add(s, 'instruction');
      });
    }
  }
  if (texts.length < n) throw new Error(`only ${texts.length} distinct short texts in the sources, ${n} asked`);
  const keep = sampleIndices(createRng(seed), texts.length, n);
  return { kind: 'labelled', texts: keep.map((i) => texts[i]!), labels: keep.map((i) => labels[i]!) };
}

export interface SpeedRatio {
  rows: number;
  scan: ChildRun<TimedScan>;
  plain: ChildRun<PlainPass>;
}

export interface ShortTextsSpeed {
  scan: ChildRun<TimedScan>;
}

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

export function speedMarkdown(command: string, ratio?: SpeedRatio, short?: ShortTextsSpeed): string {
  const out = [`Command: \`${command}\``, ''];
  if (ratio) {
    out.push('| rows | scan s | plain pass s (read, parse, count word 1- and 2-grams) | ratio | scan peak RSS | plain pass peak RSS |', '|---|---|---|---|---|---|');
    out.push(`| ${ratio.rows} | ${ratio.scan.result.seconds.toFixed(1)} | ${ratio.plain.result.seconds.toFixed(1)} | ${(ratio.scan.result.seconds / ratio.plain.result.seconds).toFixed(2)}x | ${gib(ratio.scan.maxRssBytes)} | ${gib(ratio.plain.maxRssBytes)} |`, '');
    out.push(`Scan stages (s): ${Object.entries(ratio.scan.result.stages).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`, '');
  }
  if (short) {
    out.push('| short texts | scan s | texts/s | peak RSS |', '|---|---|---|---|');
    out.push(`| ${short.scan.result.samples} | ${short.scan.result.seconds.toFixed(1)} | ${Math.round(short.scan.result.samples / short.scan.result.seconds)} | ${gib(short.scan.maxRssBytes)} |`, '');
    out.push(`Scan stages (s): ${Object.entries(short.scan.result.stages).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`, '');
  }
  return out.join('\n');
}
