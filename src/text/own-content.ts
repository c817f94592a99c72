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
  // The document's own pairs, sorted, built on the first pair whose count needs its local count.
  let pairs: Float64Array | null = null;
  let base = 0;
  let built = false;
  for (let t = 0; t + 1 < d.length; t++) {
    if (mask[t] || mask[t + 1]) continue;
    const c = bigrams.count(d[t]!, d[t + 1]!);
    if (c === 1) return true;
    if (c > d.length + twins) continue;
    if (!built) {
      [pairs, base] = sortedPairs(d);
      built = true;
    }
    const local = pairs ? occurrences(pairs, d[t]! * base + d[t + 1]!) : occurrencesByScan(d, t);
    if (c === local || (c - local === twins && !twin!.has(bigrams.key(d[t]!, d[t + 1]!)))) return true;
  }
  return false;
}

/**
 * hasOwnContent for documents asked about again and again under other masks (the prompts of many phrases): each
 * document's pairs that would count are found once, and a question reads only those.
 */
export class OwnContent {
  private readonly places = new WeakMap<Int32Array, { own: Int32Array; twinAt: Int32Array; twinKey: Float64Array }>();
  constructor(private readonly bigrams: BigramCounts) {}

  /** hasOwnContent(d, mask, bigrams, twin). */
  has(d: Int32Array, mask: Uint8Array, twin?: ReadonlySet<number>): boolean {
    let p = this.places.get(d);
    if (!p) this.places.set(d, (p = this.placesOf(d)));
    const free = (t: number) => !mask[t] && !mask[t + 1];
    for (let k = 0; k < p.own.length; k++) if (free(p.own[k]!)) return true;
    if (!twin) return false;
    for (let k = 0; k < p.twinAt.length; k++) if (free(p.twinAt[k]!) && !twin.has(p.twinKey[k]!)) return true;
    return false;
  }

  /**
   * The places of pairs that only this document holds (the corpus's count is its own: own content under any mask),
   * and of pairs that one other document holds too (own content beside a twin that lacks the phrase), with keys.
   */
  private placesOf(d: Int32Array): { own: Int32Array; twinAt: Int32Array; twinKey: Float64Array } {
    const own: number[] = [];
    const twinAt: number[] = [];
    const twinKey: number[] = [];
    const bigrams = this.bigrams;
    let pairs: Float64Array | null = null;
    let base = 0;
    let built = false;
    for (let t = 0; t + 1 < d.length; t++) {
      const c = bigrams.count(d[t]!, d[t + 1]!);
      // The local count is at least 1 and below the document's length.
      if (c > d.length) continue;
      if (!built) {
        [pairs, base] = sortedPairs(d);
        built = true;
      }
      const local = pairs ? occurrences(pairs, d[t]! * base + d[t + 1]!) : occurrencesByScan(d, t);
      if (c === local) own.push(t);
      else if (c - local === 1) {
        twinAt.push(t);
        twinKey.push(bigrams.key(d[t]!, d[t + 1]!));
      }
    }
    return { own: Int32Array.from(own), twinAt: Int32Array.from(twinAt), twinKey: Float64Array.from(twinKey) };
  }
}

/** Reused buffer for sortedPairs. */
let buffer = new Float64Array(1024);
/** Token ids below this make pair keys (a * base + b) exact. */
const MAX_KEYED = 1 << 26;

/** The document's adjacent pairs as keys a * base + b, sorted (null when ids are too large to key exactly). */
function sortedPairs(d: Int32Array): [Float64Array | null, number] {
  let max = 0;
  for (let t = 0; t < d.length; t++) if (d[t]! > max || d[t]! < 0) max = d[t]! < 0 ? MAX_KEYED : d[t]!;
  if (max >= MAX_KEYED) return [null, 0];
  const base = max + 1;
  if (buffer.length < d.length) buffer = new Float64Array(d.length * 2);
  const m = d.length - 1;
  for (let u = 0; u < m; u++) buffer[u] = d[u]! * base + d[u + 1]!;
  const sorted = buffer.subarray(0, m).sort();
  return [sorted, base];
}

/** How many times `key` is in the sorted keys. */
function occurrences(sorted: Float64Array, key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  let k = 0;
  while (lo + k < sorted.length && sorted[lo + k] === key) k++;
  return k;
}

/** How many times the pair at t is in the document, counted by a scan. */
function occurrencesByScan(d: Int32Array, t: number): number {
  let local = 0;
  for (let u = 0; u + 1 < d.length; u++) if (d[u] === d[t] && d[u + 1] === d[t + 1]) local++;
  return local;
}
