// Whether a prompt holds content of its own beside a phrase: one question asked under several templates, or one
// concept list under several wordings, is one item however different its wrappers make the prompts look; the
// phrase is then all the content they have, not a trigger put into unrelated prompts.
import type { BigramCounts } from './insertion-fit.js';

/**
 * Whether the document holds, outside the masked tokens, a token pair that no other document of the corpus has:
 * text written for this prompt alone, not template text or the item's own words that its other wrappings repeat.
 * With `twin`, a pair that one other document has counts too when `twin` does not hold it in another prompt
 * that shares the phrase (BigramCounts keys): text written for the prompt and its copy without the phrase, as a
 * backdoor is trained beside its clean twin.
 */
export function hasOwnContent(d: Int32Array, mask: Uint8Array, bigrams: BigramCounts, twin?: ReadonlySet<number>): boolean {
  const twins = twin ? 1 : 0;
  for (let t = 0; t + 1 < d.length; t++) {
    if (mask[t] || mask[t + 1]) continue;
    const c = bigrams.count(d[t]!, d[t + 1]!);
    if (c === 1) return true;
    if (c > d.length + twins) continue;
    let local = 0;
    for (let u = 0; u + 1 < d.length; u++) if (d[u] === d[t] && d[u + 1] === d[t + 1]) local++;
    if (c === local || (c - local === twins && !twin!.has(bigrams.key(d[t]!, d[t + 1]!)))) return true;
  }
  return false;
}
