// A finding's fingerprint: stable across scans of the same data, so that reviewed findings can be suppressed
// and scheduled scans can tell new findings from old ones. It depends on what was found (detector, kind and
// the set of samples), not on the finding's number, score or wording, which change between versions. Samples are
// named by their content (contentKeys) so that the same data in another container (a folder, tar shards,
// Parquet) gives the same fingerprint.
import { createHash } from 'node:crypto';
import type { ImageFeatures } from './image-features.js';
import type { TextColumns } from './text-columns.js';

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

/**
 * A key per sample id that does not depend on the container: the sha256 of an image's bytes, or of a row's text
 * fields. Samples without content to hash keep their id.
 */
export function contentKeys(ids: readonly string[], images?: ImageFeatures, texts?: TextColumns): Map<string, string> {
  const keys = new Map<string, string>();
  const cols = texts ? (Object.values(texts) as ((string | null)[] | undefined)[]).filter((c): c is (string | null)[] => Array.isArray(c)) : [];
  for (let i = 0; i < ids.length; i++) {
    const sha = images?.file.sha256[i];
    if (sha) keys.set(ids[i]!, `sha256:${sha}`);
    else if (cols.length) {
      const h = createHash('sha256');
      for (const c of cols) h.update((c[i] ?? '\u0000') + '\u0001');
      keys.set(ids[i]!, `text:${h.digest('hex')}`);
    }
  }
  return keys;
}
