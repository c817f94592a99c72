// Splits a top-level JSON array into the source text of its elements while the file streams in, so a JSON array
// larger than memory reads in constant memory (plus one element). Only strings and bracket depth are tracked;
// each element is then checked by JSON.parse, so a broken element is that row's error, not the file's.

export type ArrayPiece =
  | { kind: 'element'; index: number; text: string }
  /** The file ended inside the array; text is whatever the last element had (may be empty). */
  | { kind: 'truncated'; index: number; text: string };

/** Thrown for what makes the whole file unusable: not an array at the top, or content after its closing `]`. */
export class NotAnArrayError extends Error {
  constructor(
    message: string,
    /** The first non-blank character, when the file does not start with `[`. */
    public readonly first?: string,
  ) {
    super(message);
  }
}

const enum State {
  Before,
  Inside,
  After,
}

const isBlank = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;

/** Only blanks may follow the array's closing `]`. */
function checkAfter(text: string, from: number): void {
  for (let i = from; i < text.length; i++) if (!isBlank(text.charCodeAt(i))) throw new NotAnArrayError("has content after the array's closing ]");
}

export async function* splitJsonArray(chunks: AsyncIterable<string>): AsyncGenerator<ArrayPiece> {
  let state = State.Before;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let index = 0;
  // Pieces of an element spread over chunks, joined once when it ends (a 50 MB element is not re-copied per chunk).
  let pieces: string[] = [];
  let sawElement = false;

  for await (const text of chunks) {
    let i = 0;
    const n = text.length;
    if (state === State.Before) {
      while (i < n && isBlank(text.charCodeAt(i))) i++;
      if (i === n) continue;
      if (text.charCodeAt(i) !== 0x5b) throw new NotAnArrayError('does not start with [', text[i]);
      state = State.Inside;
      i++;
    }
    if (state === State.After) {
      checkAfter(text, i);
      continue;
    }
    let start = i;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      // A stray closer at depth 0 is left to JSON.parse (that element's error); only `]` there ends the array.
      else if ((c === 0x7d || c === 0x5d) && depth > 0) depth--;
      else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
        pieces.push(text.slice(start, i));
        const element = pieces.length === 1 ? pieces[0]! : pieces.join('');
        pieces = [];
        // `[]` and `[ ]` hold no element; an empty element anywhere else is a row error of its own.
        if (c === 0x2c || sawElement || element.trim() !== '') {
          yield { kind: 'element', index: index++, text: element };
          sawElement = true;
        }
        start = i + 1;
        if (c === 0x5d) {
          state = State.After;
          checkAfter(text, i + 1);
          break;
        }
      }
    }
    if (state === State.Inside && start < n) pieces.push(text.slice(start));
  }
  if (state === State.Before) throw new NotAnArrayError('is empty');
  if (state === State.Inside) yield { kind: 'truncated', index, text: pieces.join('') };
}
