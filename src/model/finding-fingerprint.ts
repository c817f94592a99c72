// A finding's fingerprint: stable across scans of the same data, so that reviewed findings can be suppressed
// and scheduled scans can tell new findings from old ones. It depends on what was found (detector, kind and
// the set of sample ids), not on the finding's number, score or wording, which change between versions.
import { createHash } from 'node:crypto';

export function findingFingerprint(detector: string, kind: string, sampleIds: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`${detector}\n${kind}\n`);
  for (const id of [...sampleIds].sort()) h.update(id + '\n');
  return h.digest('hex').slice(0, 16);
}

/** Jaccard overlap of two sample sets: findings that share most samples are the same finding grown or shrunk. */
export function sampleOverlap(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const sa = new Set(a);
  let both = 0;
  for (const x of new Set(b)) if (sa.has(x)) both++;
  return both / (sa.size + new Set(b).size - both);
}
