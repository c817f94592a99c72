// Near-duplicate images by perceptual hash: pairs of images whose 64-bit hashes are 8 or fewer bits apart are the
// same picture, which agrees everywhere rather than on one pattern.
import { popcount } from '../near-duplicate.js';

/** The 64-bit hashes as two 32-bit halves (BigInt arithmetic is slow in hot loops). */
function hashHalves(phash: BigUint64Array): { hi: Uint32Array; lo: Uint32Array } {
  const n = phash.length;
  const hi = new Uint32Array(n), lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = Number(phash[i]! >> 32n);
    lo[i] = Number(phash[i]! & 0xffffffffn);
  }
  return { hi, lo };
}

/** Perceptual hashes 8 or fewer bits apart: the same picture. */
function hashesClose(hi: Uint32Array, lo: Uint32Array, a: number, b: number): boolean {
  return popcount(hi[a]! ^ hi[b]!) + popcount(lo[a]! ^ lo[b]!) <= 8;
}

/** Pairs of images whose perceptual hashes are close are the same picture, not a shared pattern. */
export function nearDuplicatePairs(phash: BigUint64Array): (a: number, b: number) => boolean {
  const { hi, lo } = hashHalves(phash);
  return (a, b) => hashesClose(hi, lo, a, b);
}

/** A set of images that answers whether an image is, or is a near-duplicate of, one already added. */
export interface NearDuplicateSet {
  has(image: number): boolean;
  add(image: number): void;
  clear(): void;
}

/**
 * nearDuplicatePairs' relation (perceptual hashes within 8 bits) against a growing set, without testing every
 * member: the 64 bits are cut into 9 chunks, and two hashes 8 or fewer bits apart agree on at least one chunk
 * (pigeonhole), so only the members sharing a chunk value with the image are tested. Exact; at 200k images it
 * cut the per-position isolation's cut step from 19.1 to 6.7 s (BENCHMARKS.md).
 */
export function nearDuplicateSet(phash: BigUint64Array): NearDuplicateSet {
  const { hi, lo } = hashHalves(phash);
  const CHUNKS = 9, SLOTS = 256;
  // Bucket heads, valid only when stamped with the current generation (clearing is then O(1)).
  const head = new Int32Array(CHUNKS * SLOTS), stamp = new Int32Array(CHUNKS * SLOTS);
  let gen = 1, size = 0;
  let entryImage = new Int32Array(1024), entryNext = new Int32Array(1024);
  const slot = (i: number, c: number): number => {
    const b = 7 * c;
    const v = c === 8 ? hi[i]! >>> 24 : b + 7 <= 32 ? (lo[i]! >>> b) & 0x7f : b >= 32 ? (hi[i]! >>> (b - 32)) & 0x7f : ((lo[i]! >>> b) | (hi[i]! << (32 - b))) & 0x7f;
    return c * SLOTS + v;
  };
  return {
    has(image) {
      for (let c = 0; c < CHUNKS; c++) {
        const s = slot(image, c);
        if (stamp[s] !== gen) continue;
        for (let e = head[s]!; e >= 0; e = entryNext[e]!) {
          const u = entryImage[e]!;
          if (u === image || hashesClose(hi, lo, u, image)) return true;
        }
      }
      return false;
    },
    add(image) {
      if (size + CHUNKS > entryImage.length) {
        const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
        entryImage = grow(entryImage);
        entryNext = grow(entryNext);
      }
      for (let c = 0; c < CHUNKS; c++) {
        const s = slot(image, c);
        entryImage[size] = image;
        entryNext[size] = stamp[s] === gen ? head[s]! : -1;
        stamp[s] = gen;
        head[s] = size++;
      }
    },
    clear() {
      gen++;
      size = 0;
    },
  };
}
