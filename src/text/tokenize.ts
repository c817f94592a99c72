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

/** Maps tokens to dense ids; documents become Int32Arrays. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly words: string[] = [];

  /** A vocabulary holding these words, with their indices as ids (later words are added after them). */
  static of(words: readonly string[]): Vocabulary {
    const v = new Vocabulary();
    for (const w of words) v.id(w);
    return v;
  }

  id(word: string): number {
    let v = this.ids.get(word);
    if (v === undefined) {
      v = this.words.length;
      this.ids.set(word, v);
      this.words.push(word);
    }
    return v;
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
      ids[i] = this.id(lower.slice(starts[i]!, ends[i]!));
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
    for (let i = 0; i < n; i++) out[i] = this.id(lower.slice(starts[i]!, ends[i]!));
    return out;
  }
}
