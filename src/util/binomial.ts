// Binomial tail probabilities in log space (counts of conflicting samples are tested against a base rate).

const LANCZOS = Float64Array.of(0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7);
/** logGamma of the integers from 1, as far as asked for so far (counts recur: each is computed once). */
let integerLogGamma = new Float64Array(0);
/** Largest integer argument kept in the table (8 bytes each). */
const INTEGER_TABLE = 1 << 20;

/** log of Gamma(x) for x > 0 (Lanczos, g = 7): exact enough for tail probabilities. */
export function logGamma(x: number): number {
  if (x >= 1 && x <= INTEGER_TABLE && Number.isInteger(x)) {
    if (x > integerLogGamma.length) growIntegerTable(x);
    return integerLogGamma[x - 1]!;
  }
  return lanczosLogGamma(x);
}

function growIntegerTable(x: number): void {
  const old = integerLogGamma;
  const table = new Float64Array(Math.min(INTEGER_TABLE, Math.max(x, 2 * old.length, 1024)));
  table.set(old);
  for (let m = old.length; m < table.length; m++) table[m] = lanczosLogGamma(m + 1);
  integerLogGamma = table;
}

function lanczosLogGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lanczosLogGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The terms of a tail sum, reused between calls. */
let terms = new Float64Array(1024);

/** log10 P(X >= k) for X ~ Binomial(n, p). */
export function binomialTailLog10(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (p <= 0) return -Infinity;
  if (p >= 1) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnN = logGamma(n + 1);
  let max = -Infinity;
  let m = 0;
  for (let j = k; j <= n; j++) {
    const t = lnN - logGamma(j + 1) - logGamma(n - j + 1) + j * lp + (n - j) * lq;
    if (m === terms.length) {
      const grown = new Float64Array(2 * m);
      grown.set(terms);
      terms = grown;
    }
    terms[m++] = t;
    if (t > max) max = t;
  }
  let s = 0;
  for (let x = 0; x < m; x++) s += Math.exp(terms[x]! - max);
  return Math.min(0, (max + Math.log(s)) / Math.LN10);
}

/** log10 P(X <= k) for X ~ Binomial(n, p). */
export function binomialLowerTailLog10(k: number, n: number, p: number): number {
  return binomialTailLog10(n - k, n, 1 - p);
}

/** log10 P(X >= k) for X ~ Poisson(lambda). */
export function poissonTailLog10(k: number, lambda: number): number {
  if (k <= 0) return 0;
  if (lambda <= 0) return -Infinity;
  const terms: number[] = [];
  let max = -Infinity;
  for (let j = k; j < k + 1000; j++) {
    const t = j * Math.log(lambda) - lambda - logGamma(j + 1);
    terms.push(t);
    if (t > max) max = t;
    if (j > lambda && t < max - 40) break;
  }
  let s = 0;
  for (const t of terms) s += Math.exp(t - max);
  return Math.min(0, (max + Math.log(s)) / Math.LN10);
}

/**
 * log10 of P(chi-square with 2m degrees of freedom >= x2): Fisher's combination of m p-values. For even degrees
 * of freedom the tail is e^{-x} sum_{k<m} x^k / k! with x = x2 / 2, summed in log space.
 */
export function fisherTailLog10(x2: number, m: number): number {
  const x = x2 / 2;
  if (m <= 0) return 0;
  if (x <= 0) return 0;
  let logTerm = 0; // log of x^k / k! for k = 0
  let logSum = 0;
  for (let k = 1; k < m; k++) {
    logTerm += Math.log(x) - Math.log(k);
    logSum = logSum > logTerm ? logSum + Math.log1p(Math.exp(logTerm - logSum)) : logTerm + Math.log1p(Math.exp(logSum - logTerm));
  }
  return Math.min(0, (logSum - x) / Math.LN10);
}
