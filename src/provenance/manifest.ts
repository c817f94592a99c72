// Content manifests: what `scan --write-manifest` writes and what `verify` checks against. poisonscan's own
// manifests carry a perceptual hash beside the content hashes; img2dataset, LAION and DataComp publish
// sha256 (or md5) per sample, keyed by `key`, `url` or a path, which verify reads too.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImageFeatures } from '../model/image-features.js';
import { RowError, type Cell, type RecordSource } from '../ingest/records.js';
import { delimitedSource } from '../ingest/records/delimited.js';
import { jsonlSource } from '../ingest/records/jsonl.js';
import { jsonArraySource } from '../ingest/records/json.js';
import { UsageError } from '../types.js';
import { decodeThumb, encodeThumb, thumbOf, type Thumb } from './local-fingerprint.js';

export type HashAlgo = 'sha256' | 'md5';
const HEX_LEN: Record<HashAlgo, number> = { sha256: 64, md5: 32 };

export interface ManifestEntry {
  id: string;
  hash: string;
  /** 64-bit perceptual hash, when the manifest has one. */
  phash: bigint | null;
  width: number | null;
  height: number | null;
  /** Local fingerprint (a small luma + chroma thumbnail), when the manifest has one. */
  thumb: Thumb | null;
  /** 1-based row, for messages. */
  row: number;
}

export interface HashManifest {
  file: string;
  algo: HashAlgo;
  idColumn: string;
  entries: ManifestEntry[];
}

export function phashHex(h: bigint): string {
  return h.toString(16).padStart(16, '0');
}

/** One JSON line per sample: id, label, bytes, sha256, md5, phash (16 hex digits), width, height, thumb (local fingerprint). */
export async function writeManifest(path: string, ids: string[], labels: (string | null)[], f: ImageFeatures): Promise<void> {
  function* lines() {
    for (let i = 0; i < ids.length; i++) {
      yield JSON.stringify({
        id: ids[i], label: labels[i] ?? null, bytes: f.file.bytes[i], sha256: f.file.sha256[i], md5: f.file.md5[i],
        phash: phashHex(f.phash[i]!), width: f.file.width[i], height: f.file.height[i], thumb: encodeThumb(thumbOf(f, i)),
      }) + '\n';
    }
  }
  // pipeline: back-pressure, and a write error (a full disk) rejects instead of being lost.
  await pipeline(Readable.from(lines()), createWriteStream(path));
}

const ID_COLUMNS = ['id', 'key', 'path', 'file', 'filename', 'file_name', 'image_path', 'url'];

export interface ReadManifestOptions {
  idColumn?: string;
  hashColumn?: string;
}

export async function readHashManifest(file: string, opts: ReadManifestOptions = {}): Promise<HashManifest> {
  const lower = file.toLowerCase();
  const source: RecordSource = /\.jsonl(\.gz)?$/.test(lower) ? jsonlSource(file)
    : lower.endsWith('.json') ? jsonArraySource(file)
    : lower.endsWith('.tsv') ? delimitedSource(file, '\t')
    : lower.endsWith('.csv') ? delimitedSource(file, ',')
    : (() => { throw new UsageError(`manifest ${file}: use a .jsonl, .json, .csv or .tsv file`); })();
  const entries: ManifestEntry[] = [];
  let idCol: string | undefined, hashCol: string | undefined, algo: HashAlgo | undefined, phashCol: string | undefined;
  let row = 0;
  const malformed: string[] = [];
  const firstRow = new Map<string, number>();
  try {
    for await (const r of source.rows()) {
      row++;
      if (r instanceof RowError) throw new UsageError(`manifest ${file} row ${row}: ${r.message}`);
      if (idCol === undefined) {
        const keys = Object.keys(r);
        const find = (name: string) => keys.find((k) => k.toLowerCase() === name.toLowerCase());
        idCol = opts.idColumn ? find(opts.idColumn) : ID_COLUMNS.map(find).find((k) => k !== undefined);
        if (!idCol) throw new UsageError(`manifest ${file} has no id column${opts.idColumn ? ` "${opts.idColumn}"` : ` (looked for ${ID_COLUMNS.join(', ')}; name one with --id-column)`}`);
        hashCol = opts.hashColumn ? find(opts.hashColumn) : find('sha256') ?? find('md5') ?? find('hash');
        if (!hashCol) throw new UsageError(`manifest ${file} has no hash column${opts.hashColumn ? ` "${opts.hashColumn}"` : ' (looked for sha256, md5, hash; name one with --hash-column)'}`);
        const sample = text(r[hashCol]).toLowerCase();
        algo = hashCol.toLowerCase() === 'md5' ? 'md5' : hashCol.toLowerCase() === 'sha256' ? 'sha256' : sample.length === 32 ? 'md5' : 'sha256';
        phashCol = find('phash');
      }
      const id = text(r[idCol]);
      if (!id) throw new UsageError(`manifest ${file} row ${row}: empty id in column "${idCol}"`);
      const prev = firstRow.get(id);
      if (prev !== undefined) throw new UsageError(`manifest ${file} has duplicated id "${id}" (rows ${prev} and ${row})`);
      firstRow.set(id, row);
      const hash = text(r[hashCol!]).toLowerCase();
      if (hash.length !== HEX_LEN[algo!] || !/^[0-9a-f]+$/.test(hash)) {
        malformed.push(`row ${row} ("${hash.slice(0, 70)}")`);
        continue;
      }
      const ph = phashCol ? text(r[phashCol]) : '';
      entries.push({
        id, hash, row,
        phash: /^[0-9a-fA-F]{16}$/.test(ph) ? BigInt('0x' + ph) : null,
        width: num(r.width), height: num(r.height), thumb: decodeThumb(r.thumb),
      });
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read manifest ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (malformed.length) {
    throw new UsageError(`manifest ${file}: ${malformed.length} malformed ${algo} hash${malformed.length > 1 ? 'es' : ''} (a ${algo} is ${HEX_LEN[algo!]} hex digits), first at ${malformed[0]}`);
  }
  if (entries.length === 0) throw new UsageError(`manifest ${file} lists no samples`);
  return { file, algo: algo!, idColumn: idCol!, entries };
}

function text(c: Cell): string {
  if (c === null || c === undefined) return '';
  return typeof c === 'string' ? c.trim() : typeof c === 'number' || typeof c === 'bigint' || typeof c === 'boolean' ? String(c) : '';
}

function num(c: Cell): number | null {
  const n = typeof c === 'number' ? c : typeof c === 'string' && c.trim() ? Number(c) : NaN;
  return Number.isFinite(n) ? n : null;
}
