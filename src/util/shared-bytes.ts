// Pixel columns live in shared memory from the start: trigger-cluster's worker threads read them without a copy
// (posting a plain array copies it per worker, and a second full copy of a million images' pixels is 3 GB).
import { UsageError } from '../types.js';

/** The largest typed array V8 (Node 20, 64-bit) can hold. */
export const MAX_BYTES = 2 ** 32 - 1;

/** A zeroed byte array over a SharedArrayBuffer; `what` names it in the error when it is too large. */
export function sharedBytes(length: number, what = 'pixel columns'): Uint8Array {
  if (length > MAX_BYTES) {
    const gib = (length / 2 ** 30).toFixed(1);
    throw new UsageError(`the ${what} need ${gib} GiB, more than the 4 GiB one array can hold: use a smaller --grid (e.g. --grid 32)`);
  }
  return new Uint8Array(new SharedArrayBuffer(length));
}

export function isShared(a: Uint8Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}
