// Documents as sequences of adjacent word pairs, for the shared-content test (text/shared-content.ts) on texts
// whose own content may be random words. Texts of one source share their phrasing: word pairs that are rare in the
// corpus ("nicely played", "shuddery score"). Random words share pairs only as often as their frequencies make
// them adjacent by chance, and random text drawn from a vocabulary shares single rare words all the time (it holds
// hundreds of words that are rare in the corpus), so the unit is the pair. A pair's least chance to be in a text is
// that of its two words side by side at random: from the corpus's word shares, or from the set's own where its
// words repeat within its texts more (word-by-word random text repeats its frequent words; a source's words shared
// across its texts, the evidence under test, are not read from that sharing: only a word's repeats inside each text
// count).
import type { UnitChance } from './shared-content.js';

export interface WordPairs {
  /** Per document, its pair ids in order (one fewer than its words). */
  units: Int32Array[];
  /** Per pair id, its first and second word. */
  first: Int32Array;
  second: Int32Array;
}

/**
 * The adjacent word pairs of `docs` (word ids below `vocabSize`), numbered by first word, then by where the pair
 * first appears among that word's pairs. Pairs are bucketed by their first word (a counting sort), and each bucket's
 * second words are numbered through one array stamped with the bucket's word: no keys, no map.
 */
export function wordPairs(docs: Int32Array[], vocabSize: number): WordPairs {
  let total = 0;
  for (const d of docs) total += Math.max(0, d.length - 1);
  const start = new Int32Array(vocabSize + 1);
  for (const d of docs) for (let t = 1; t < d.length; t++) start[d[t - 1]! + 1]!++;
  for (let w = 0; w < vocabSize; w++) start[w + 1]! += start[w]!;
  // Per bucket place: the second word and the pair's place in the corpus (documents one after another).
  const secondAt = new Int32Array(total);
  const placeAt = new Int32Array(total);
  const fill = start.slice(0, vocabSize);
  let place = 0;
  for (const d of docs) {
    for (let t = 1; t < d.length; t++) {
      const k = fill[d[t - 1]!]!++;
      secondAt[k] = d[t]!;
      placeAt[k] = place++;
    }
  }
  const ids = new Int32Array(total);
  const stamp = new Int32Array(vocabSize).fill(-1);
  const idOf = new Int32Array(vocabSize);
  const first: number[] = [];
  const second: number[] = [];
  for (let a = 0; a < vocabSize; a++) {
    for (let k = start[a]!; k < start[a + 1]!; k++) {
      const b = secondAt[k]!;
      if (stamp[b] !== a) {
        stamp[b] = a;
        idOf[b] = first.length;
        first.push(a);
        second.push(b);
      }
      ids[placeAt[k]!] = idOf[b]!;
    }
  }
  const units: Int32Array[] = [];
  let at = 0;
  for (const d of docs) {
    const len = Math.max(0, d.length - 1);
    units.push(ids.subarray(at, at + len));
    at += len;
  }
  return { units, first: Int32Array.from(first), second: Int32Array.from(second) };
}

/** A pair's chance to be in a text of `length` pairs when its words fall at random (see the head of this file). */
export class RandomPairChance implements UnitChance {
  /** Per word, its share of the corpus's words, and of the set's words by its repeats inside each text. */
  private readonly share: Float64Array;
  private readonly repeats: Float64Array;
  private readonly count: Int32Array;
  private touched: Int32Array;
  private touchedCount = 0;

  constructor(private readonly docs: Int32Array[], private readonly pairs: WordPairs, vocabSize: number) {
    this.share = new Float64Array(vocabSize);
    let total = 0;
    for (const d of docs) for (let t = 0; t < d.length; t++) {
      this.share[d[t]!]!++;
      total++;
    }
    for (let w = 0; w < vocabSize; w++) this.share[w]! /= Math.max(1, total);
    this.repeats = new Float64Array(vocabSize);
    this.count = new Int32Array(vocabSize);
    this.touched = new Int32Array(1024);
  }

  prepare(ids: ArrayLike<number>): void {
    for (let j = 0; j < this.touchedCount; j++) this.repeats[this.touched[j]!] = 0;
    this.touchedCount = 0;
    let total = 0;
    for (let k = 0; k < ids.length; k++) {
      const d = this.docs[ids[k]!]!;
      total += d.length;
      for (let t = 0; t < d.length; t++) {
        const w = d[t]!;
        // A word's second and later occurrences in this text.
        if (this.count[w]!++ > 0) {
          if (this.repeats[w] === 0) this.touch(w);
          this.repeats[w]!++;
        }
      }
      for (let t = 0; t < d.length; t++) this.count[d[t]!] = 0;
    }
    for (let j = 0; j < this.touchedCount; j++) this.repeats[this.touched[j]!]! /= Math.max(1, total);
  }

  of(unit: number, length: number): number {
    const a = this.pairs.first[unit]!;
    const b = this.pairs.second[unit]!;
    const rate = Math.max(this.share[a]!, this.repeats[a]!) * Math.max(this.share[b]!, this.repeats[b]!);
    return -Math.expm1(-rate * length);
  }

  private touch(w: number): void {
    if (this.touchedCount === this.touched.length) {
      const grown = new Int32Array(2 * this.touchedCount);
      grown.set(this.touched);
      this.touched = grown;
    }
    this.touched[this.touchedCount++] = w;
  }
}
