// Word tokens for the text detectors: lower-cased runs of letters/digits, and single punctuation marks.

const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu;

/** A token that is a word (holds a letter or digit), not punctuation. */
export function isWordToken(token: string): boolean {
  return /[\p{L}\p{N}]/u.test(token);
}

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Maps tokens to dense ids; documents become Int32Arrays. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly words: string[] = [];

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
    const ms = [...lower.matchAll(TOKEN)];
    const ids = new Int32Array(ms.length);
    const boundary = new Uint8Array(ms.length + 1);
    let end = 0;
    ms.forEach((m, i) => {
      ids[i] = this.id(m[0]);
      boundary[i] = i === 0 || m.index > end ? 1 : 0;
      end = m.index + m[0].length;
    });
    boundary[ms.length] = 1;
    return { ids, boundary };
  }

  /** Token ids of the words the vocabulary has, -1 for the others (adds nothing). */
  encodeKnown(text: string): Int32Array {
    const t = tokenize(text);
    const out = new Int32Array(t.length);
    for (let i = 0; i < t.length; i++) out[i] = this.ids.get(t[i]!) ?? -1;
    return out;
  }

  encode(text: string): Int32Array {
    const t = tokenize(text);
    const out = new Int32Array(t.length);
    for (let i = 0; i < t.length; i++) out[i] = this.id(t[i]!);
    return out;
  }
}
