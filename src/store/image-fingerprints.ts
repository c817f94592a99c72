// Image fingerprints as an Arrow table (fingerprints.arrow in --out): one row per sample read.
import {
  Float32, Float64, Field, FixedSizeList, makeData, makeVector, Table, Uint8, Uint32, Uint64, Utf8, vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { IMAGE_STAT_NAMES, type ImageFeatures, type ImageStatName } from '../model/image-features.js';
import { sharedBytes } from '../util/shared-bytes.js';
import { readTableFile } from './read-table.js';
import { writeTablesToFile } from './write-tables.js';

export function imageFingerprintTable(ids: string[], labels: (string | null)[], f: ImageFeatures): Table {
  const n = ids.length;
  const per = f.grid * f.grid * 3;
  const pixelType = new FixedSizeList(per, new Field('px', new Uint8()));
  const pixelData = makeData({ type: pixelType, length: n, nullCount: 0, child: makeData({ type: new Uint8(), length: n * per, data: f.pixels }) });
  const cols: Record<string, Vector> = {
    id: vectorFromArray(ids, new Utf8()),
    label: vectorFromArray(labels, new Utf8()),
    format: vectorFromArray(f.file.format, new Utf8()),
    bytes: makeVector(makeData({ type: new Float64(), length: n, data: f.file.bytes })),
    width: makeVector(makeData({ type: new Uint32(), length: n, data: f.file.width })),
    height: makeVector(makeData({ type: new Uint32(), length: n, data: f.file.height })),
    jpegQuality: makeVector(makeData({ type: new Float32(), length: n, data: f.file.jpegQuality })),
    chroma: vectorFromArray(f.file.chroma, new Utf8()),
    encoder: vectorFromArray(f.file.encoder, new Utf8()),
    created: vectorFromArray(f.file.created, new Utf8()),
    sha256: vectorFromArray(f.file.sha256, new Utf8()),
    md5: vectorFromArray(f.file.md5, new Utf8()),
    phash: makeVector(makeData({ type: new Uint64(), length: n, data: f.phash })),
    pixels: makeVector(pixelData),
  };
  for (const k of IMAGE_STAT_NAMES) cols[k] = makeVector(makeData({ type: new Float32(), length: n, data: f.stats[k] }));
  const t = new Table(cols);
  t.schema.metadata.set('poisonscan.grid', String(f.grid));
  t.schema.metadata.set('poisonscan.schema', 'poisonscan/image-fingerprints@1');
  return t;
}

/** Rows per record batch of fingerprints.arrow: the file is written batch by batch, never as one buffer. */
export const FINGERPRINT_BATCH_ROWS = 50_000;

/**
 * fingerprints.arrow, one record batch of FINGERPRINT_BATCH_ROWS at a time (a million images' table as one IPC
 * buffer would be a second 3 GB copy of the pixels). Readers see one table either way.
 */
export async function writeImageFingerprints(path: string, ids: string[], labels: (string | null)[], f: ImageFeatures, batchRows = FINGERPRINT_BATCH_ROWS): Promise<void> {
  const n = ids.length;
  const tables = function* () {
    // At least one batch, so that an empty table still has its schema.
    for (let a = 0; a === 0 || a < n; a += batchRows) {
      const b = Math.min(n, a + batchRows);
      yield imageFingerprintTable(ids.slice(a, b), labels.slice(a, b), sliceImageFeatures(f, a, b));
    }
  };
  await writeTablesToFile(path, tables());
}

/** Rows a..b of the columns: views for the typed arrays (no pixel copy). */
export function sliceImageFeatures(f: ImageFeatures, a: number, b: number): ImageFeatures {
  const per = f.grid * f.grid * 3;
  return {
    grid: f.grid,
    pixels: f.pixels.subarray(a * per, b * per),
    stats: Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, f.stats[k].subarray(a, b)])) as Record<ImageStatName, Float32Array>,
    phash: f.phash.subarray(a, b),
    file: {
      format: f.file.format.slice(a, b),
      bytes: f.file.bytes.subarray(a, b),
      width: f.file.width.subarray(a, b),
      height: f.file.height.subarray(a, b),
      jpegQuality: f.file.jpegQuality.subarray(a, b),
      chroma: f.file.chroma.slice(a, b),
      encoder: f.file.encoder.slice(a, b),
      created: f.file.created.slice(a, b),
      sha256: f.file.sha256.slice(a, b),
      md5: f.file.md5.slice(a, b),
    },
  };
}

export interface StoredImageFingerprints {
  ids: string[];
  labels: (string | null)[];
  features: ImageFeatures;
}

export async function readImageFingerprints(path: string): Promise<StoredImageFingerprints> {
  return imageFingerprintsFromTable(await readTableFile(path), path);
}

/** The columns of a fingerprint table (read from a file, a checkpoint part or a shard). */
export function imageFingerprintsFromTable(t: Table, path: string): StoredImageFingerprints {
  const grid = Number(t.schema.metadata.get('poisonscan.grid'));
  const col = <T>(name: string): T => {
    const c = t.getChild(name);
    if (!c) throw new Error(`${path} has no column ${name}`);
    return c.toArray() as T;
  };
  const pixelsVec = t.getChild('pixels')!;
  const pixels = sharedBytes(t.numRows * grid * grid * 3);
  let off = 0;
  for (const d of pixelsVec.data) {
    const child = d.children[0]!;
    const vals = (child.values as Uint8Array).subarray(child.offset + d.offset * grid * grid * 3, child.offset + (d.offset + d.length) * grid * grid * 3);
    pixels.set(vals, off);
    off += vals.length;
  }
  const strings = (name: string) => Array.from(t.getChild(name)!, (v) => (v === null ? null : String(v)));
  const stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, Float32Array.from(col<Float32Array>(k))])) as Record<ImageStatName, Float32Array>;
  return {
    ids: strings('id') as string[],
    labels: strings('label'),
    features: {
      grid,
      pixels,
      stats,
      phash: BigUint64Array.from(col<BigUint64Array>('phash')),
      file: {
        format: strings('format') as string[],
        bytes: Float64Array.from(col<Float64Array>('bytes')),
        width: Uint32Array.from(col<Uint32Array>('width')),
        height: Uint32Array.from(col<Uint32Array>('height')),
        jpegQuality: Float32Array.from(col<Float32Array>('jpegQuality')),
        chroma: strings('chroma') as string[],
        // Tables written before hashes were stored read as unknown hashes (never equal to a real digest).
        created: t.getChild('created') ? (strings('created') as string[]) : new Array<string>(t.numRows).fill(''),
        encoder: t.getChild('encoder') ? (strings('encoder') as string[]) : new Array<string>(t.numRows).fill(''),
        sha256: t.getChild('sha256') ? (strings('sha256') as string[]) : new Array<string>(t.numRows).fill(''),
        md5: t.getChild('md5') ? (strings('md5') as string[]) : new Array<string>(t.numRows).fill(''),
      },
    },
  };
}
