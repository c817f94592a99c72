// Whether a prompt holds content of its own beside a phrase: one question asked under several templates, or one
// concept list under several wordings, is one item however different its wrappers make the prompts look; the
// phrase is then all the content they have, not a trigger put into unrelated prompts.
import type { BigramCounts } from './insertion-fit.js';

/**
 * Whether the document holds, outside the masked tokens, a token pair that no other document of the corpus has
 * (its corpus count equals its count in this document): text written for this prompt alone, not template text
 * or the item's own words that its other wrappings repeat.
 */
export function hasOwnContent(d: Int32Array, mask: Uint8Array, bigrams: BigramCounts): boolean {
  for (let t = 0; t + 1 < d.length; t++) {
    if (mask[t] || mask[t + 1]) continue;
    const c = bigrams.count(d[t]!, d[t + 1]!);
    if (c === 1) return true;
    if (c > d.length) continue;
    let local = 0;
    for (let u = 0; u + 1 < d.length; u++) if (d[u] === d[t] && d[u + 1] === d[t + 1]) local++;
    if (local === c) return true;
  }
  return false;
}
