// NumPy .npy files of embeddings (one row per sample): version 1-3 headers, little-endian float32/float64,
// C order, two dimensions. Read whole: embeddings of a million samples at 512 floats are 2 GB, which is what the
// detectors hold anyway.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../types.js';
import type { Embeddings } from './embeddings.js';

export async function readNpy(path: string): Promise<Embeddings & { rows: number }> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new UsageError(`cannot read embeddings ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new UsageError(`${path} is not a .npy file`);
  const major = buf[6]!;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]?.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!shape || shape.length !== 2 || shape.some((x) => !Number.isInteger(x))) throw new UsageError(`${path}: embeddings must be a 2-D array (rows x dimensions), found shape (${shape?.join(', ') ?? '?'})`);
  if (fortran) throw new UsageError(`${path}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`);
  const [rows, dim] = shape as [number, number];
  const width = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (!width) throw new UsageError(`${path}: dtype ${descr ?? '?'} is not supported (float32 or float64, little-endian)`);
  if (buf.length - start < rows * dim * width) throw new UsageError(`${path} is truncated: ${rows} x ${dim} values announced`);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < rows * dim; i++) {
    const x = width === 4 ? buf.readFloatLE(start + 4 * i) : buf.readDoubleLE(start + 8 * i);
    if (!Number.isFinite(x)) throw new UsageError(`${path}: row ${Math.floor(i / dim)} holds ${x} at position ${i % dim}`);
    data[i] = x;
  }
  return { rows, dim, data };
}

/** Writes embeddings as a float32 .npy (version 1 header, padded to 64 bytes as NumPy does). */
export function npyBytes(e: Embeddings): Buffer {
  const rows = e.dim ? e.data.length / e.dim : 0;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${e.dim}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)]);
}
