// Seeded pseudo-random numbers (mulberry32): every random choice in poisonscan goes through one.

export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Standard normal via Box-Muller. */
export function randNormal(rng: Rng): number {
  let u = rng();
  while (u <= 1e-12) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** k distinct indices from [0,n), in increasing order. */
export function sampleIndices(rng: Rng, n: number, k: number): number[] {
  if (k > n) throw new RangeError(`cannot pick ${k} of ${n}`);
  const chosen = new Set<number>();
  // Floyd's algorithm: k draws, no rejection loop over n.
  for (let j = n - k; j < n; j++) {
    const t = randInt(rng, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}
