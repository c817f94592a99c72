// A detector whose work splits into parts that read only the scan's columns, not each other's results: the detect
// stage may run the parts at once (each on a thread of its own) and join their results, which give the output the
// detector's own run gives. A run one after another calls the detector as it is.
import type { AnyDetectorOutput, ScanContext } from './detector.js';

export interface DetectorParts<R = unknown> {
  /** How many parts this scan's work splits into; below 2, the detector runs whole. */
  count(ctx: Omit<ScanContext, 'progress'>): number;
  /** Part `k` (0..count-1); its result crosses threads (structured clone). */
  run(ctx: ScanContext, k: number): R;
  /** The detector's output from every part's result, in the parts' order. */
  join(ctx: Omit<ScanContext, 'progress'>, results: readonly R[]): AnyDetectorOutput;
}
