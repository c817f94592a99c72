// Image files fingerprinted on the calling thread: the fingerprint stage's way for samples read through a function,
// and the file pool's when its threads cannot start. sharp runs one libvips thread per image, so a few images are
// in flight per core to keep every core busy.
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import type { ImageSample } from '../model/image-sample.js';
import { fingerprintSample, type NumericColumns, type TextColumns } from './sample.js';

/** Fingerprints samples[i] for every i in rows into cols and text; tick(1) as each finishes. */
export type HereRunner = (rows: readonly number[], tick: (k: number) => void) => Promise<void>;

export function hereRunner(samples: ImageSample[], cols: NumericColumns, text: TextColumns, concurrency: number): HereRunner {
  const luma = new Float64Array(cols.grid * cols.grid);
  const limit = pLimit(Math.max(1, concurrency * 2));
  return async (rows, tick) => {
    await Promise.all(rows.map((i) => limit(async () => {
      const s = samples[i]!;
      // Small files: a synchronous read is several times faster than the promise machinery around it.
      await fingerprintSample(() => (s.path !== undefined ? readFileSync(s.path) : s.read()), i, cols, text, i, luma);
      tick(1);
    })));
  };
}
