// Whether a prompt holds content of its own beside a phrase: one question asked under several templates, or one
// concept list under several wordings, is one item however different its wrappers make the prompts look; the
// phrase is then all the content they have, not a trigger put into unrelated prompts.
import type { BigramCounts } from './insertion-fit.js';

/**
 * Whether the document holds, outside the masked tokens, a token pair that at most `twins` occurrences outside it
 * have: text written for this prompt alone (twins 0), not template text or the item's own words that its other
 * wrappings repeat; with twins 1, text written for it and one copy (a request next to its copy without the phrase,
 * as a backdoor is trained beside its clean twin).
 */
export function hasOwnContent(d: Int32Array, mask: Uint8Array, bigrams: BigramCounts, twins = 0): boolean {
  for (let t = 0; t + 1 < d.length; t++) {
    if (mask[t] || mask[t + 1]) continue;
    const c = bigrams.count(d[t]!, d[t + 1]!);
    if (c <= 1 + twins) return true;
    if (c > d.length + twins) continue;
    let local = 0;
    for (let u = 0; u + 1 < d.length; u++) if (d[u] === d[t] && d[u + 1] === d[t + 1]) local++;
    if (c - local <= twins) return true;
  }
  return false;
}
