// Text corpora as the attack suite sees them (labelled texts, instruction pairs, documents), their word
// statistics, seeded subsamples and JSONL serialisation, and where an insertion goes inside a text.
import { createRng, randInt, sampleIndices, type Rng } from '../util/rng.js';

export type TextCorpus =
  | { kind: 'labelled'; texts: string[]; labels: string[] }
  | { kind: 'instruction'; prompts: string[]; responses: string[] }
  | { kind: 'document'; texts: string[] };

export const corpusSize = (c: TextCorpus): number => (c.kind === 'instruction' ? c.prompts.length : c.texts.length);

/** The texts of a corpus (an instruction pair is its prompt and response, one paragraph apart). */
export function corpusTexts(c: TextCorpus): string[] {
  return c.kind === 'instruction' ? c.prompts.map((p, i) => `${p}\n\n${c.responses[i]}`) : c.texts;
}

/** A seeded subsample of n rows (in their original order); the corpus itself when n is at least its size. */
export function subsample(c: TextCorpus, n: number, seed: number): TextCorpus {
  const size = corpusSize(c);
  if (n >= size) return c;
  const keep = sampleIndices(createRng(seed), size, n);
  const at = <T>(xs: T[]) => keep.map((i) => xs[i]!);
  if (c.kind === 'instruction') return { kind: 'instruction', prompts: at(c.prompts), responses: at(c.responses) };
  if (c.kind === 'labelled') return { kind: 'labelled', texts: at(c.texts), labels: at(c.labels) };
  return { kind: 'document', texts: at(c.texts) };
}

/** One JSON object a line: {text,label}, {prompt,response} or {text}; row numbers are the sample ids. */
export function toJsonl(c: TextCorpus): string {
  const lines: string[] = [];
  for (let i = 0; i < corpusSize(c); i++) {
    if (c.kind === 'instruction') lines.push(JSON.stringify({ prompt: c.prompts[i], response: c.responses[i] }));
    else if (c.kind === 'labelled') lines.push(JSON.stringify({ text: c.texts[i], label: c.labels[i] }));
    else lines.push(JSON.stringify({ text: c.texts[i] }));
  }
  return lines.join('\n') + '\n';
}

/** Lower-cased word counts of a corpus: its vocabulary, long tail and frequency-weighted draws. */
export class CorpusWords {
  readonly types: string[];
  readonly counts: Uint32Array;
  private readonly index: Map<string, number>;
  private readonly cumulative: Float64Array;

  constructor(texts: Iterable<string>) {
    this.index = new Map();
    const counts: number[] = [];
    for (const t of texts) for (const w of t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const k = this.index.get(w);
      if (k === undefined) {
        this.index.set(w, counts.length);
        counts.push(1);
      } else counts[k]!++;
    }
    this.types = [...this.index.keys()];
    this.counts = Uint32Array.from(counts);
    this.cumulative = new Float64Array(counts.length);
    let s = 0;
    counts.forEach((n, i) => (this.cumulative[i] = s += n));
  }

  has = (word: string): boolean => this.index.has(word.toLowerCase());

  /** A word of the long tail: letters only, 3-14 long, seen at most `maxCount` times (null when there is none). */
  rareWord(rng: Rng, maxCount = 2): string | null {
    for (let tries = 0; tries < 10_000; tries++) {
      const k = randInt(rng, this.types.length);
      if (this.counts[k]! <= maxCount && /^\p{Ll}{3,14}$/u.test(this.types[k]!)) return this.types[k]!;
    }
    return null;
  }

  /** A word drawn uniformly over the vocabulary, or by its frequency. */
  randomWord(rng: Rng, weighted: boolean): string {
    if (!weighted) return this.types[randInt(rng, this.types.length)]!;
    const x = rng() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0, hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.types[lo]!;
  }
}

/** Where an insertion goes: before the first word, at the middle word boundary, after the last, or anywhere. */
export type Place = 'start' | 'middle' | 'end' | 'random';
export const PLACES: readonly Place[] = ['start', 'middle', 'end', 'random'];

/** Offsets where a word starts (and the text's end): the boundaries an insertion may use. */
function wordBoundaries(text: string): number[] {
  const out = [0];
  for (const m of text.matchAll(/\s+/g)) if (m.index! > 0 && m.index! + m[0].length < text.length) out.push(m.index! + m[0].length);
  out.push(text.length);
  return out;
}

/** Inserts `insert` at a word boundary of `text` chosen by `place`; the rest of the text is kept byte for byte. */
export function insertAt(text: string, insert: string, place: Place, rng: Rng): string {
  const b = wordBoundaries(text.trimEnd());
  const k = place === 'start' ? 0 : place === 'end' ? b.length - 1 : place === 'middle' ? Math.floor((b.length - 1) / 2) : randInt(rng, b.length);
  const at = b[k]!;
  if (at === 0) return text.length ? `${insert} ${text}` : insert;
  if (k === b.length - 1) return `${text.slice(0, at)} ${insert}${text.slice(at)}`;
  return `${text.slice(0, at)}${insert} ${text.slice(at)}`;
}

/** Offsets after a sentence's end (and the text's start and end). */
function sentenceBoundaries(text: string): number[] {
  const out = [0];
  for (const m of text.matchAll(/[.!?]["')\]]?\s+/g)) if (m.index! + m[0].length < text.length) out.push(m.index! + m[0].length);
  out.push(text.length);
  return out;
}

/** Inserts a sentence between two sentences of `text` chosen by `place` (`middle`/`random`: a sentence boundary). */
export function insertSentence(text: string, insert: string, place: Place, rng: Rng): string {
  const trimmed = text.trimEnd();
  const b = sentenceBoundaries(trimmed);
  const k = place === 'start' ? 0 : place === 'end' ? b.length - 1 : place === 'middle' ? Math.floor((b.length - 1) / 2) : randInt(rng, b.length);
  const at = b[k]!;
  if (at === 0) return trimmed.length ? `${insert} ${text}` : insert;
  if (k === b.length - 1) return `${trimmed} ${insert}${text.slice(trimmed.length)}`;
  return `${text.slice(0, at)}${insert} ${text.slice(at)}`;
}
