// Word tokens for the text detectors: lower-cased runs of letters/digits, and single punctuation marks.

/** What a token is; the scanner below finds its matches. */
export const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu;

/** A token that is a word (holds a letter or digit), not punctuation. */
export function isWordToken(token: string): boolean {
  return /[\p{L}\p{N}]/u.test(token);
}

export function tokenize(text: string): string[] {
  const lower = text.toLowerCase();
  const n = scanTokens(lower);
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) out[k] = lower.slice(starts[k]!, ends[k]!);
  return out;
}

// The scanner below finds TOKEN's matches without building match objects: a code point's class (letter, number,
// space, other) is read off a table filled on first use from the same Unicode properties.
const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;
const OTHER = 4;
let classes: Uint8Array | null = null;
const IS_LETTER = /^\p{L}$/u;
const IS_NUMBER = /^\p{N}$/u;
const IS_SPACE = /^\s$/u;

function classOf(c: number): number {
  const table = (classes ??= new Uint8Array(0x110000));
  let k = table[c]!;
  if (k === 0) {
    const ch = String.fromCodePoint(c);
    k = table[c] = IS_LETTER.test(ch) ? LETTER : IS_NUMBER.test(ch) ? NUMBER : IS_SPACE.test(ch) ? SPACE : OTHER;
  }
  return k;
}

/** Token spans of the last scan (start and end offsets), grown as needed. */
let starts = new Int32Array(1024);
let ends = new Int32Array(1024);

/** Puts the spans of TOKEN's matches in `text` into starts/ends; returns their number. */
function scanTokens(text: string): number {
  const L = text.length;
  let n = 0;
  let p = 0;
  while (p < L) {
    let c = text.codePointAt(p)!;
    let k = classOf(c);
    if (k === SPACE) {
      p += c > 0xffff ? 2 : 1;
      continue;
    }
    const start = p;
    p += c > 0xffff ? 2 : 1;
    if (k === LETTER || k === NUMBER) {
      while (p < L) {
        c = text.codePointAt(p)!;
        k = classOf(c);
        if (k !== LETTER && k !== NUMBER) break;
        p += c > 0xffff ? 2 : 1;
      }
      // An apostrophe and letters after it belong to the word ("don't"), when at least one letter follows.
      if (p + 1 < L && text.charCodeAt(p) === 39) {
        let q = p + 1;
        while (q < L) {
          c = text.codePointAt(q)!;
          if (classOf(c) !== LETTER) break;
          q += c > 0xffff ? 2 : 1;
        }
        if (q > p + 1) p = q;
      }
    }
    if (n === starts.length) {
      const s2 = new Int32Array(n * 2);
      s2.set(starts);
      starts = s2;
      const e2 = new Int32Array(n * 2);
      e2.set(ends);
      ends = e2;
    }
    starts[n] = start;
    ends[n++] = p;
  }
  return n;
}

/** A 32-bit hash of text[start, end) (FNV-1a over UTF-16 code units). */
function spanHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let q = start; q < end; q++) h = Math.imul(h ^ text.charCodeAt(q), 0x01000193);
  return h;
}

/** Maps tokens to dense ids; documents become Int32Arrays. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly words: string[] = [];
  // The same map as an open-addressing table over the words' characters, for the encoders: a token found there is
  // read in place, without cutting it out of its text (most tokens of a corpus are words seen before).
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(256);

  /** A vocabulary holding these words, with their indices as ids (later words are added after them). */
  static of(words: readonly string[]): Vocabulary {
    const v = new Vocabulary();
    for (const w of words) v.id(w);
    return v;
  }

  id(word: string): number {
    let v = this.ids.get(word);
    if (v === undefined) v = this.add(word, spanHash(word, 0, word.length));
    return v;
  }

  private add(word: string, h: number): number {
    const v = this.words.length;
    this.ids.set(word, v);
    this.words.push(word);
    if (v === this.hashes.length) {
      const h2 = new Int32Array(v * 2);
      h2.set(this.hashes);
      this.hashes = h2;
    }
    this.hashes[v] = h;
    if (2 * (v + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(v, h);
    return v;
  }

  private place(v: number, h: number): void {
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = v + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let v = 0; v < this.words.length; v++) this.place(v, this.hashes[v]!);
  }

  /** The id of text[start, end) as a word, added when new. */
  private spanId(text: string, start: number, end: number): number {
    const h = spanHash(text, start, end);
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) break;
      const v = s - 1;
      if (this.hashes[v] !== h) continue;
      const w = this.words[v]!;
      if (w.length !== len) continue;
      let q = 0;
      while (q < len && w.charCodeAt(q) === text.charCodeAt(start + q)) q++;
      if (q === len) return v;
    }
    return this.add(text.slice(start, end), h);
  }

  /** The word's id, if the vocabulary has it (unlike id(), adds nothing). */
  lookup(word: string): number | undefined {
    return this.ids.get(word);
  }

  /**
   * Token ids, and for each position 0..length whether a word boundary (whitespace, or either end) lies
   * before it: insertions by attacks happen between words, not inside "@USER" or "co.uk".
   */
  encodeWithBoundaries(text: string): { ids: Int32Array; boundary: Uint8Array } {
    const lower = text.toLowerCase();
    const n = scanTokens(lower);
    const ids = new Int32Array(n);
    const boundary = new Uint8Array(n + 1);
    let end = 0;
    for (let i = 0; i < n; i++) {
      ids[i] = this.spanId(lower, starts[i]!, ends[i]!);
      boundary[i] = i === 0 || starts[i]! > end ? 1 : 0;
      end = ends[i]!;
    }
    boundary[n] = 1;
    return { ids, boundary };
  }

  /** Token ids of the words the vocabulary has, -1 for the others (adds nothing). */
  encodeKnown(text: string): Int32Array {
    const lower = text.toLowerCase();
    const n = scanTokens(lower);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.ids.get(lower.slice(starts[i]!, ends[i]!)) ?? -1;
    return out;
  }

  encode(text: string): Int32Array {
    const lower = text.toLowerCase();
    const n = scanTokens(lower);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.spanId(lower, starts[i]!, ends[i]!);
    return out;
  }
}
