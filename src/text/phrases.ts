// Helpers shared by the phrase detectors (trigger-token, its document form, response-cluster).

/** 1 at every token of every occurrence of phrase g in document d. */
export function maskOccurrences(d: Int32Array, g: number[]): Uint8Array {
  const mask = new Uint8Array(d.length);
  for (let s = 0; s + g.length <= d.length; s++) {
    let hit = true;
    for (let t = 0; t < g.length && hit; t++) hit = d[s + t] === g[t];
    if (hit) for (let t = 0; t < g.length; t++) mask[s + t] = 1;
  }
  return mask;
}

export interface PhraseCandidate {
  tokens: number[];
  significance: number;
  natural?: boolean;
}

/**
 * A trigger shows up as all of its sub-phrases too ("dated", "dated note", "dated note : 1999"): one
 * finding per set of samples (80% shared), the most significant phrase, replaced by a longer one that explains
 * as many samples (90%) nearly as significantly. Phrases judged natural come last and never replace another:
 * "i watch this 3d" is natural only because "movie" always follows it.
 */
export function dropSubsumed<T extends PhraseCandidate>(cands: T[], samplesOf: (c: T) => number[]): T[] {
  cands.sort((a, b) => Number(Boolean(a.natural)) - Number(Boolean(b.natural)) || b.significance - a.significance || b.tokens.length - a.tokens.length);
  const out: T[] = [];
  for (const c of cands) {
    const mine = samplesOf(c);
    const set = new Set(mine);
    const dup = out.find((o) => {
      const theirs = samplesOf(o);
      let shared = 0;
      for (const i of theirs) if (set.has(i)) shared++;
      return shared >= 0.8 * Math.min(set.size, theirs.length);
    });
    if (dup) {
      if (!c.natural && c.tokens.length > dup.tokens.length && mine.length >= 0.9 * samplesOf(dup).length && c.significance >= dup.significance - 1) out[out.indexOf(dup)] = c;
      continue;
    }
    out.push(c);
  }
  return out;
}
