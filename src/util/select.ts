// The k-th smallest of an array without sorting it: Hoare's selection with median-of-three pivots. The value is
// the one a numeric sort would put at index k (for arrays without NaN); the array is reordered. Inputs that defeat
// median-of-three (the range shrinking slowly, round after round) fall back to sorting what is left of the range
// once the rounds exceed four times the bits of the length (random data needs under two), so the worst case is
// O(n log n), not quadratic.

export function selectKth(a: Float32Array | Float64Array, k: number, maxRounds = 4 * (32 - Math.clz32(a.length))): number {
  let lo = 0, hi = a.length - 1;
  let rounds = maxRounds;
  while (hi > lo) {
    if (rounds-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return a[k]!;
    }
    const x = a[lo]!, y = a[(lo + hi) >> 1]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
