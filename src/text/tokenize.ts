// Word tokens for the text detectors: lower-cased runs of letters/digits, and single punctuation marks.

const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu;

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

  encode(text: string): Int32Array {
    const t = tokenize(text);
    const out = new Int32Array(t.length);
    for (let i = 0; i < t.length; i++) out[i] = this.id(t[i]!);
    return out;
  }
}
