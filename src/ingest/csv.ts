// RFC 4180 delimited text: quoted fields, doubled quotes, embedded newlines, CRLF. Fields are trimmed of
// stray spaces around separators only when `trim` is set (the THUNLP files put " \t " between fields).

export interface DelimitedOptions {
  separator: string;
  trim?: boolean;
}

/** Parses the whole text into rows of fields. */
export function parseDelimited(text: string, opts: DelimitedOptions): string[][] {
  const rows: string[][] = [];
  const sepCode = opts.separator.charCodeAt(0);
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const endField = () => {
    row.push(opts.trim ? field.trim() : field);
    field = '';
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += text[i];
      i++;
      continue;
    }
    if (c === 34 && field.trim() === '') {
      quoted = true;
      field = '';
      i++;
    } else if (c === sepCode) {
      endField();
      i++;
    } else if (c === 10 || c === 13) {
      endField();
      rows.push(row);
      row = [];
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      field += text[i];
      i++;
    }
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
