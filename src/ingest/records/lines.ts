// Streams a text file (optionally .gz) as chunks of decoded text, never reading it whole.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export function textStream(path: string): Readable {
  const raw = createReadStream(path);
  const stream = path.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  stream.setEncoding('utf8');
  return stream;
}

/** Lines without their terminators; invalid UTF-8 arrives as U+FFFD (reported by the caller if it cares). */
export async function* lines(path: string): AsyncGenerator<string> {
  // Pieces of a line that spans chunks are kept apart and joined once: a 50 MB line must not be re-copied and
  // re-searched with every 64 KB chunk.
  let pending: string[] = [];
  for await (const chunk of textStream(path)) {
    const text = chunk as string;
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      let line = text.slice(start, i);
      if (pending.length) {
        line = pending.join('') + line;
        pending = [];
      }
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      start = i + 1;
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  if (pending.length) yield pending.join('');
}

/** The row error of a file that cannot be read past `rows` rows (a truncated .gz, a read error). */
export function damaged(path: string, rows: number, e: unknown): string {
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return `the file is damaged after row ${rows} (${why}); the ${rows} rows before the damage were read, the rest of the file is not`;
}
