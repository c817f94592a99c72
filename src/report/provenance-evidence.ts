// File-level provenance as evidence beside every image finding: how the finding's images were encoded,
// compared with the dataset. A trigger group whose images all came from another encoder than the rest of the
// data is more suspect; one encoded like everything else is not cleared by it (attackers re-encode).
import type { ImageFeatures } from '../model/image-features.js';
import { encodingOf, sizeOf } from '../detect/provenance.js';
import type { Finding, Json } from '../types.js';

export function addProvenanceEvidence(findings: Finding[], ids: string[], f: ImageFeatures): void {
  if (!findings.some((x) => x.detector !== 'provenance')) return;
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const datasetCounts = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const v = encodingOf(f, i);
    datasetCounts.set(v, (datasetCounts.get(v) ?? 0) + 1);
  }
  const major = [...datasetCounts.entries()].sort((a, b) => b[1] - a[1])[0];
  for (const fd of findings) {
    if (fd.detector === 'provenance') continue;
    const enc = new Map<string, number>();
    const sizes = new Map<string, number>();
    let rows = 0;
    for (const id of fd.samples) {
      const i = indexOf.get(id);
      if (i === undefined) continue;
      rows++;
      const e = encodingOf(f, i), s = sizeOf(f, i);
      enc.set(e, (enc.get(e) ?? 0) + 1);
      sizes.set(s, (sizes.get(s) ?? 0) + 1);
    }
    if (rows === 0) continue;
    const top = (m: Map<string, number>): { [k: string]: Json } => Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5));
    // Share of the finding's images whose encoding is rare (under 1%) in the whole dataset.
    let rare = 0;
    for (const [v, c] of enc) if ((datasetCounts.get(v) ?? 0) < 0.01 * ids.length) rare += c;
    fd.evidence.fileProvenance = {
      encodings: top(enc),
      sizes: top(sizes),
      datasetMajorityEncoding: major ? major[0] : null,
      rareEncodingShare: Math.round((rare / rows) * 1000) / 1000,
    };
  }
}
