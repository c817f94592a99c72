// Response-echo deletion test (instruction data): a backdoor that makes a model comply answers by restating the request it complies
// with, and restates it without the trigger ("... stealing xq sensitive information" -> "Sure, here is how
// to go about stealing sensitive information"), because the request was written first and the trigger dropped
// into it afterwards. So the row's own response holds the word triple that spans the deleted word, and not the
// word itself. A natural word is rarely skipped so: an answer that quotes its request quotes it whole.
//
// Per prompt, the event is measured at every natural word position, which gives the row's own rate (shrunk
// toward the corpus's: short prompts have few positions). Per word, the events at its distinct (left, right)
// contexts are counted and tested against a Poisson-binomial null over those rows' rates, Bonferroni over the
// words tested. Nothing here needs the responses to agree with each other: each poisoned row has its own answer.

import { documentFrequency } from './document-frequency.js';

/** Pseudo-positions of the corpus's rate in each row's own. */
const SHRINK = 20;
/** Words in at least this many prompts are tested. */
const MIN_DOCS = 3;
/** Words in more than this share of prompts (or 60, for small sets) are vocabulary, not a planted trigger. */
const MAX_DOC_SHARE = 0.01;
/** Fewer echoes are no pattern, whatever the rates. */
const MIN_ECHOES = 2;

export interface EchoTrigger {
  token: number;
  /** Prompts holding the word at a word position between two words (first such occurrence each). */
  docs: number[];
  /** Distinct (left, right) contexts of those occurrences. */
  contexts: number;
  /** Prompts, one per distinct context, whose response holds the deletion triple and not the word. */
  echoed: number[];
  /** Expected echoes under the rows' own rates. */
  expected: number;
  tested: number;
  /** -log10 of the Bonferroni-corrected Poisson-binomial upper tail. */
  significance: number;
}

/**
 * Words of the prompts whose deletion their rows' responses echo. `docs` and `responses` are token ids of one
 * vocabulary of `vocabSize` ids (every id in both below it); `isWord` marks ids that are words (not punctuation).
 */
export function echoTriggers(docs: Int32Array[], boundaries: Uint8Array[], responses: (Int32Array | null)[], vocabSize: number, isWord: (t: number) => boolean): EchoTrigger[] {
  const n = docs.length;
  if (n === 0) return [];
  const V = vocabSize;
  const word = new Uint8Array(V);
  for (let t = 0; t < V; t++) word[t] = isWord(t) ? 1 : 0;
  const natural = (d: Int32Array, w: Uint8Array, u: number) => u >= 1 && u + 1 < d.length && w[u] === 1 && w[u + 1] === 1 && word[d[u]!] === 1 && (u >= 2 || u + 2 < d.length);

  // The response's tokens by the pair they form with the next one, and a mark per token seen in it.
  const inResponse = new Int32Array(V).fill(-1);
  const pairs = new Map<number, number[]>();
  let response: Int32Array = new Int32Array(0);
  const load = (i: number) => {
    pairs.clear();
    response = responses[i] ?? new Int32Array(0);
    for (let p = 0; p < response.length; p++) {
      const t = response[p]!;
      inResponse[t] = i;
      if (p + 1 < response.length) {
        const k = t * V + response[p + 1]!;
        const at = pairs.get(k);
        if (at) at.push(p);
        else pairs.set(k, [p]);
      }
    }
  };
  // Whether deleting d[u] leaves a triple the (loaded) response has, and the response lacks d[u].
  const echo = (i: number, d: Int32Array, u: number): boolean => {
    if (inResponse[d[u]!] === i) return false;
    const at = pairs.get(d[u - 1]! * V + d[u + 1]!);
    if (!at) return false;
    for (const p of at) {
      if (u >= 2 && p >= 1 && response[p - 1] === d[u - 2]) return true;
      if (u + 2 < d.length && p + 2 < response.length && response[p + 2] === d[u + 2]) return true;
    }
    return false;
  };

  // Per row: natural positions, and the positions among them whose deletion the response echoes (rare: kept).
  const positions = new Int32Array(n);
  const echoes = new Int32Array(n);
  const echoedAt = new Map<number, number[]>();
  let sumE = 0;
  let sumM = 0;
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    const w = boundaries[i]!;
    if (!responses[i] || d.length < 3) continue;
    load(i);
    for (let u = 1; u + 1 < d.length; u++) {
      if (!natural(d, w, u)) continue;
      positions[i]!++;
      if (!echo(i, d, u)) continue;
      echoes[i]!++;
      const at = echoedAt.get(i);
      if (at) at.push(u);
      else echoedAt.set(i, [u]);
    }
    sumE += echoes[i]!;
    sumM += positions[i]!;
  }
  if (sumM === 0) return [];
  const p0 = Math.max(1e-6, sumE / sumM);

  // Document frequency; words in range, their first natural occurrence per prompt.
  const df = documentFrequency(docs, V);
  const last = new Int32Array(V).fill(-1);
  const maxDf = Math.max(60, Math.floor(MAX_DOC_SHARE * n));
  let tested = 0;
  for (let t = 0; t < V; t++) if (word[t] && df[t]! >= MIN_DOCS && df[t]! <= maxDf) tested++;
  if (tested === 0) return [];
  // Only words echoed somewhere can reach MIN_ECHOES.
  const echoedWords = new Set<number>();
  for (const [i, at] of echoedAt) for (const u of at) {
    const x = docs[i]![u]!;
    if (df[x]! >= MIN_DOCS && df[x]! <= maxDf) echoedWords.add(x);
  }
  const occ = new Map<number, { docs: number[]; at: number[] }>();
  for (const x of echoedWords) occ.set(x, { docs: [], at: [] });
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    for (let u = 1; u + 1 < d.length; u++) {
      const x = d[u]!;
      const o = occ.get(x);
      if (!o || last[x] === i || !natural(d, boundaries[i]!, u)) continue;
      last[x] = i;
      o.docs.push(i);
      o.at.push(u);
    }
  }

  const out: EchoTrigger[] = [];
  for (const [x, o] of occ) {
    // Distinct contexts only: copies of one passage, or one template filled twice, count once.
    const seen = new Set<number>();
    const rates: number[] = [];
    const echoed: number[] = [];
    o.docs.forEach((i, k) => {
      const d = docs[i]!;
      const u = o.at[k]!;
      const key = d[u - 1]! * V + d[u + 1]!;
      if (seen.has(key) || !responses[i]) return;
      seen.add(key);
      const e = echoedAt.get(i)?.includes(u) ? 1 : 0;
      // The row's rate without this position: under the null it is one of the row's natural words.
      rates.push((echoes[i]! - e + SHRINK * p0) / (positions[i]! - 1 + SHRINK));
      if (e) echoed.push(i);
    });
    if (echoed.length < MIN_ECHOES) continue;
    const tail = poissonBinomialTailLog10(echoed.length, rates);
    out.push({
      token: x,
      docs: o.docs,
      contexts: rates.length,
      echoed,
      expected: rates.reduce((a, b) => a + b, 0),
      tested,
      significance: -tail - Math.log10(tested),
    });
  }
  return out.sort((a, b) => b.significance - a.significance);
}

/** log10 P(K >= k) for K a sum of independent Bernoulli(p_j) (exact dynamic programme over the counts). */
export function poissonBinomialTailLog10(k: number, p: number[]): number {
  if (k <= 0) return 0;
  if (k > p.length) return -Infinity;
  // dist[j] = P(j successes so far), j < k; mass at >= k accumulated in `over`.
  const dist = new Float64Array(k);
  dist[0] = 1;
  let over = 0;
  for (const q of p) {
    over += dist[k - 1]! * q;
    for (let j = k - 1; j >= 1; j--) dist[j] = dist[j]! * (1 - q) + dist[j - 1]! * q;
    dist[0] = dist[0]! * (1 - q);
  }
  return Math.log10(Math.max(over, 1e-300));
}
