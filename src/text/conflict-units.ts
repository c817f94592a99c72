// Units whose documents of one label mostly read as another label, whatever the unit's label purity: a
// dirty-label trigger drawn from the corpus's long tail already sits in a row or two of the other label, so its
// seven poisons make up only 7 of 9 rows, under any purity cut that keeps the candidate count small. The search is
// cheap because it starts from the few documents a cross-fitted model already reads as another label than the one
// they carry (a tenth of a corpus or less): n-grams frequent among those, then counted once over every document.

import { frequentNgramsCounted, type Ngram } from './ngrams.js';
import { KeyIndex } from './key-index.js';

export interface ConflictUnit extends Ngram {
  /** Documents of other labels holding it, and how many of those read as another label than their own. */
  others: number;
  otherConflicts: number;
}

export interface ConflictUnitOptions {
  maxN: number;
  /** Fewest conflicting documents of one label a unit needs. */
  minDocs: number;
  /** Units in more documents than this are not returned. */
  maxDocs: number;
  /** Least share of the unit's documents of its label that conflict. */
  share: number;
}

const EMPTY = new Int32Array(0);

/**
 * conflicting[i] is 1 where document i reads as another label than its own. Returns every n-gram (1..maxN tokens)
 * held by at least minDocs conflicting documents of one label L, where those are at least `share` of the n-gram's
 * documents labelled L and L is the label of at least half of its labelled documents: its documents (all labels,
 * ascending), L, the count of documents labelled L and how many of the others conflict. Also how many distinct
 * sets of conflicting documents the n-grams frequent among them have (every unit that could have shown that many
 * conflicts: the family a test of their conflicts runs over, since the search already chose by them).
 */
export function conflictUnits(docs: Int32Array[], labels: Int32Array, conflicting: Uint8Array, V: number, o: ConflictUnitOptions): { units: ConflictUnit[]; examined: number } {
  const sub = docs.map((d, i) => (conflicting[i] ? d : EMPTY));
  const { grams, distinctSets: examined } = frequentNgramsCounted(sub, labels, {
    maxN: o.maxN,
    minDocs: o.minDocs,
    maxDocs: o.maxDocs,
    keep: (_df, major) => major >= o.minDocs,
    distinctSets: true,
  });
  if (grams.length === 0) return { units: [], examined };
  // Each unit's key: two 32-bit hashes of its tokens and its length in 53 bits, looked up at every position.
  const index = new KeyIndex(grams.length);
  for (const g of grams) {
    let a = SEED_A;
    let b = SEED_B;
    for (const t of g.tokens) {
      a = hashA(a, t);
      b = hashB(b, t);
    }
    index.getOrAdd(pack(a, b, g.tokens.length));
  }
  const G = grams.length;
  const carriers = new Int32Array(G);
  const labelled = new Int32Array(G);
  const otherConflicts = new Int32Array(G);
  const last = new Int32Array(G).fill(-1);
  const dead = new Uint8Array(G);
  const found: number[][] = Array.from({ length: G }, () => []);
  // The most documents of its label a unit may hold and still have `share` of them conflict, and of all labels.
  const limit = Int32Array.from(grams, (g) => Math.floor(g.majorityCount / o.share));
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    for (let s = 0; s < d.length; s++) {
      let a = SEED_A;
      let b = SEED_B;
      for (let n = 1; n <= o.maxN && s + n <= d.length; n++) {
        a = hashA(a, d[s + n - 1]!);
        b = hashB(b, d[s + n - 1]!);
        const id = index.get(pack(a, b, n));
        if (id < 0 || dead[id] || last[id] === i) continue;
        last[id] = i;
        const g = grams[id]!;
        if (labels[i]! >= 0) labelled[id]!++;
        if (labels[i] === g.majority) carriers[id]!++;
        else if (labels[i]! >= 0 && conflicting[i]) otherConflicts[id]!++;
        found[id]!.push(i);
        if (carriers[id]! > limit[id]! || labelled[id]! > 2 * limit[id]! || found[id]!.length > o.maxDocs) {
          dead[id] = 1;
          found[id] = [];
        }
      }
    }
  }
  const units: ConflictUnit[] = [];
  for (let id = 0; id < G; id++) {
    if (dead[id] || 2 * carriers[id]! < labelled[id]!) continue;
    units.push({ tokens: grams[id]!.tokens, docs: found[id]!, majority: grams[id]!.majority, majorityCount: carriers[id]!, others: labelled[id]! - carriers[id]!, otherConflicts: otherConflicts[id]! });
  }
  return { units, examined };
}

const SEED_A = 0x811c9dc5;
const SEED_B = 0x01000193;

function hashA(a: number, t: number): number {
  const h = Math.imul(a ^ t, 0x9e3779b1);
  return h ^ (h >>> 16);
}

function hashB(b: number, t: number): number {
  const h = Math.imul(b ^ Math.imul(t + 1, 0x27d4eb2f), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** 53 bits: 32 of one hash, 18 of the other, and the length (1..7). */
function pack(a: number, b: number, n: number): number {
  return (a >>> 0) * 2097152 + (((b >>> 14) << 3) | (n & 7));
}
