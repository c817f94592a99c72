// A phrase's fixed text in its prompts, for the phrase test: the run of neighbours its prompts share around it, and
// the prompts with it removed.

/**
 * Extends the phrase's first occurrence in each prompt over neighbours that most prompts share ("book . would"
 * is the start of "would you say this review depicts the product in a flattering or unflattering light ?"),
 * so that the fixed text's true end is known: by up to maxSpan tokens, each one the next token of at least
 * fixedNeighbour of the prompts. Returns the end (exclusive) per prompt.
 */
export function extendSpan(ids: number[], masks: Uint8Array[], docs: Int32Array[], fixedNeighbour: number, maxSpan: number): { ends: Int32Array; length: number } {
  const ends = new Int32Array(ids.length);
  ids.forEach((i, k) => {
    const m = masks[k]!;
    let e = m.indexOf(1);
    while (e < m.length && m[e]) e++;
    ends[k] = e;
  });
  let length = 0;
  for (let step = 0; step < maxSpan; step++) {
    const tally = new Map<number, number>();
    ids.forEach((i, k) => {
      const d = docs[i]!;
      if (ends[k]! < d.length) tally.set(d[ends[k]!]!, (tally.get(d[ends[k]!]!) ?? 0) + 1);
    });
    let best = -1;
    let bestCount = 0;
    for (const [t, c] of tally) if (c > bestCount) [best, bestCount] = [t, c];
    if (bestCount < fixedNeighbour * ids.length) break;
    ids.forEach((i, k) => {
      if (docs[i]![ends[k]!] === best) ends[k]!++;
    });
    length++;
  }
  return { ends, length };
}

/**
 * Each prompt's phrase with its fixed text: the tokens up to the span's end (extendSpan), and the neighbours before
 * it that `fixedNeighbour` of the prompts share, as many as `maxSpan`.
 */
export function spanMasks(ids: number[], masks: Uint8Array[], docs: Int32Array[], ends: Int32Array, fixedNeighbour: number, maxSpan: number): Uint8Array[] {
  const out = masks.map((m, k) => {
    const o = m.slice();
    const at = m.indexOf(1);
    if (at >= 0) o.fill(1, at, ends[k]!);
    return o;
  });
  const starts = Int32Array.from(out, (m) => m.indexOf(1));
  for (let step = 0; step < maxSpan; step++) {
    const tally = new Map<number, number>();
    ids.forEach((i, k) => {
      if (starts[k]! > 0) tally.set(docs[i]![starts[k]! - 1]!, (tally.get(docs[i]![starts[k]! - 1]!) ?? 0) + 1);
    });
    let best = -1;
    let bestCount = 0;
    for (const [t, c] of tally) if (c > bestCount) [best, bestCount] = [t, c];
    if (bestCount < fixedNeighbour * ids.length) break;
    ids.forEach((i, k) => {
      if (starts[k]! > 0 && docs[i]![starts[k]! - 1] === best) out[k]![--starts[k]!] = 1;
    });
  }
  return out;
}

/** The prompt with the phrase's tokens removed; the junction where they were is a word boundary. */
export function withoutPhrase(d: Int32Array, boundary: Uint8Array, mask: Uint8Array): { ids: Int32Array; boundary: Uint8Array } {
  const ids: number[] = [];
  const b: number[] = [];
  let junction = false;
  for (let t = 0; t < d.length; t++) {
    if (mask[t]) {
      junction = true;
      continue;
    }
    ids.push(d[t]!);
    b.push(junction || boundary[t] ? 1 : 0);
    junction = false;
  }
  b.push(1);
  return { ids: Int32Array.from(ids), boundary: Uint8Array.from(b) };
}
