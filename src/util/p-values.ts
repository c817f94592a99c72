// p-values in log10 space: the normal tail (z statistics) and Fisher's combination of independent tests.

/** log10 of the upper normal tail at z (Abramowitz-Stegun 26.2.17 below 8, the asymptotic form above). */
export function normalUpperTailLog10(z: number): number {
  if (z < 0) return Math.log10(1 - 10 ** normalUpperTailLog10(-z));
  if (z > 8) return (-z * z / 2 - Math.log(z * Math.sqrt(2 * Math.PI))) / Math.LN10;
  const t = 1 / (1 + 0.2316419 * z);
  const p = (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return Math.log10(p);
}

/** z whose upper tail is p, for p <= 0.5 (bisection). */
export function normalQuantile(p: number): number {
  let lo = 0;
  let hi = 40;
  const target = Math.log10(p);
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (normalUpperTailLog10(mid) > target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Fisher's combination of two independent p-values, given and returned as log10: -2 ln(p1 p2) is chi-square
 * with 4 degrees of freedom under the null, whose tail at 2L is exactly e^-L (1 + L).
 */
export function fisherLog10(log10P1: number, log10P2: number): number {
  const L = -(Math.min(0, log10P1) + Math.min(0, log10P2)) * Math.LN10;
  return Math.min(0, (-L + Math.log1p(L)) / Math.LN10);
}
