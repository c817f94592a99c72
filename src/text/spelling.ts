// How much a token looks like a word of the corpus's own language: the mean log-probability per character
// transition under a character-bigram model of the corpus's vocabulary (each distinct token counted once, the
// token itself left out). Rare-token triggers are often chosen because they are no words: they
// sit at the bottom of this scale. Spelling says nothing about labels, so it can weigh candidates without
// biasing their label tests.

const START = '\u0002';
const END = '\u0003';

/** Per vocabulary id, the word-likeness (higher = more word-like); NaN for tokens without letters or digits. */
export function wordLikeness(words: readonly string[]): Float64Array {
  const out = new Float64Array(words.length).fill(NaN);
  const ok = (w: string) => /^[\p{L}\p{N}]/u.test(w);
  const uni = new Map<string, number>();
  const big = new Map<string, number>();
  const alphabet = new Set<string>();
  const add = (w: string, s: number) => {
    const c = [START, ...w, END];
    for (let i = 0; i + 1 < c.length; i++) {
      uni.set(c[i]!, (uni.get(c[i]!) ?? 0) + s);
      const k = c[i]! + c[i + 1]!;
      big.set(k, (big.get(k) ?? 0) + s);
    }
  };
  for (const w of words) {
    if (!ok(w)) continue;
    add(w, 1);
    for (const ch of w) alphabet.add(ch);
  }
  const A = alphabet.size + 1;
  // Additive smoothing small enough that an unseen transition costs more than any seen one.
  const k = 0.1;
  words.forEach((w, id) => {
    if (!ok(w)) return;
    const c = [START, ...w, END];
    let s = 0;
    for (let i = 0; i + 1 < c.length; i++) {
      // Leave-one-out: the token's own transitions do not vouch for it.
      const b = (big.get(c[i]! + c[i + 1]!) ?? 0) - 1;
      const u = (uni.get(c[i]!) ?? 0) - 1;
      s += Math.log((Math.max(0, b) + k) / (Math.max(0, u) + k * A));
    }
    out[id] = s / (c.length - 1);
  });
  return out;
}
