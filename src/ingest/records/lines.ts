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
  let rest = '';
  for await (const chunk of textStream(path)) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      yield text.slice(start, i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i);
      start = i + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length) yield rest;
}
