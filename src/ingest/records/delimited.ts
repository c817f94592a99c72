// CSV and TSV, streamed: CSV with RFC 4180 quotes (doubled quotes, separators and newlines inside quotes), TSV
// without quoting; a header row,
// fields trimmed of stray spaces around separators (the THUNLP files put " \t " between fields). A row with a
// different number of fields than the header is a row error.
import { RowError, type RecordRow, type RecordSource } from '../records.js';
import { damaged, textStream } from './lines.js';
import { MAX_FIELD_CHARS } from './limits.js';

export function delimitedSource(path: string, separator: ',' | '\t'): RecordSource {
  return {
    columns: [],
    async *rows() {
      let header: string[] | null = null;
      let row = 0;
      // TSV has no quoting (IANA text/tab-separated-values; GLUE and THUNLP files hold raw quotes): a sentence that
      // starts with " must not swallow the rows after it.
      const unclosed = { at: 0 };
      const long = { row: false };
      try {
        for await (const fields of records(path, separator, separator === ',', unclosed, long)) {
          if (fields.length === 1 && fields[0] === '') continue;
          if (!header) {
            header = fields.map((h) => h.trim());
            long.row = false;
            continue;
          }
          const n = row++;
          if (unclosed.at) {
            yield new RowError(n, `a quote opened in this row is never closed: the rest of the file (${unclosed.at} characters) was read as one field`);
            continue;
          }
          if (long.row) {
            long.row = false;
            yield new RowError(n, `a field is longer than ${MAX_FIELD_CHARS / 1e6} million characters; it was not collected`);
            continue;
          }
          if (fields.length !== header.length) {
            yield new RowError(n, `row has ${fields.length} fields, the header has ${header.length}`);
            continue;
          }
          const r: RecordRow = {};
          header.forEach((h, k) => (r[h] = fields[k]!.trim()));
          yield r;
        }
      } catch (e) {
        yield new RowError(row, damaged(path, row, e));
      }
    },
  };
}

/**
 * `unclosed.at` is set (to the swallowed field's length) when the file ends inside a quoted field; `long.row` when
 * the row yielded has a field longer than MAX_FIELD_CHARS, whose characters past the limit were not kept.
 */
export async function* records(path: string, sep: string, quotes: boolean, unclosed: { at: number }, long: { row: boolean }): AsyncGenerator<string[]> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let first = true;
  let carry = '';
  for await (const chunk of textStream(path)) {
    let text = carry + (chunk as string);
    carry = '';
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          // A quote at the chunk's end may be the first half of a doubled quote: decide with the next chunk.
          if (i + 1 === text.length) {
            carry = '"';
            break;
          }
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else if (field.length < MAX_FIELD_CHARS) field += c;
        else long.row = true;
        continue;
      }
      if (quotes && c === '"' && field.trim() === '' && !afterQuote) {
        quoted = true;
        field = '';
      } else if (c === sep) {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (c === '\n') {
        fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        yield fields;
        fields = [];
        field = '';
        afterQuote = false;
      } else if (!afterQuote || c !== ' ') {
        if (field.length < MAX_FIELD_CHARS) field += c;
        else long.row = true;
      }
    }
  }
  if (field !== '' || fields.length) {
    if (quoted) unclosed.at = field.length;
    fields.push(field);
    yield fields;
  }
}
