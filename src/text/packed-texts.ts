// Tokenised texts held in two flat buffers, one view per text: a million short texts cost one array object each
// rather than an array, its buffer and its store each (the token ids and word boundaries of
// Vocabulary.encodeWithBoundaries, unchanged).
import type { Vocabulary } from './tokenize.js';

export interface PackedTexts {
  /** Per text, its token ids (a view of one shared buffer). */
  ids: Int32Array[];
  /** Per text, whether a word boundary precedes each token (and one after the last), likewise. */
  boundaries: Uint8Array[];
}

/** The texts (null as empty) encoded in order by `vocab`, which gains their words. */
export function encodePacked(texts: readonly (string | null)[], vocab: Vocabulary): PackedTexts {
  const n = texts.length;
  const idStart = new Float64Array(n + 1);
  let ids = new Int32Array(1 << 16);
  let bounds = new Uint8Array(1 << 16);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const e = vocab.encodeWithBoundaries(texts[i] ?? '');
    const m = e.ids.length;
    // Boundaries hold one more than the ids (after the last token): text i's boundaries start at used + i.
    if (used + m > ids.length) ids = grown(ids, used + m);
    if (used + i + m + 1 > bounds.length) bounds = grown(bounds, used + i + m + 1);
    ids.set(e.ids, used);
    bounds.set(e.boundary, used + i);
    used += m;
    idStart[i + 1] = used;
  }
  const idView: Int32Array[] = new Array(n);
  const boundView: Uint8Array[] = new Array(n);
  // Trimmed to size: the views keep the whole buffer alive.
  const idBuf = ids.slice(0, used);
  const boundBuf = bounds.slice(0, used + n);
  for (let i = 0; i < n; i++) {
    const from = idStart[i]!;
    const to = idStart[i + 1]!;
    idView[i] = idBuf.subarray(from, to);
    boundView[i] = boundBuf.subarray(from + i, to + i + 1);
  }
  return { ids: idView, boundaries: boundView };
}

function grown<T extends Int32Array | Uint8Array>(a: T, need: number): T {
  const out = new (a.constructor as { new (n: number): T })(Math.max(need, 2 * a.length));
  out.set(a);
  return out;
}
