// The null of a response unit's uses: of the times the corpus writes the unit (prompts holding it, responses holding
// it that their own prompt does not), the share that are such responses. One share for all units assumes every unit
// is written in prompts and responses alike; a corpus whose answers are long prose and whose requests short
// questions writes its connectives ("other", ", which") nearly only in answers, and a fifth of its units used 16-31
// times never in a prompt. So the share's spread is read per unit count (units used 2^b to 2^(b+1)-1 times), as the
// corpus's own units spread it about their mean: a beta-binomial around the corpus's share whose overdispersion is
// fitted to those units by moments. A unit that answers alone hold is then unusual only where the corpus's other
// units of its count are not.
import { binomialTailLog10, logGamma } from '../util/binomial.js';

/** Units a count class needs for its own fit; classes with fewer borrow the nearest fitted one. */
const MIN_UNITS = 30;
/** Overdispersion below this is read as none (the plain binomial). */
const NO_DISPERSION = 1e-4;

interface ShareFit {
  /** Intra-unit correlation: 0 for a binomial, towards 1 when units are all one way or the other. */
  rho: number;
}

export class UseShareNull {
  private readonly fits: (ShareFit | null)[];

  /**
   * `uses` and `unexplained` per unit: every use, and the uses that are responses their prompt does not explain;
   * `share`: the corpus's share of unexplained uses over all units (their pooled count).
   */
  constructor(uses: ArrayLike<number>, unexplained: ArrayLike<number>, private readonly share: number) {
    const classes: { n: number; k: number; units: number }[] = [];
    for (let u = 0; u < uses.length; u++) {
      const b = countClass(uses[u]!);
      while (classes.length <= b) classes.push({ n: 0, k: 0, units: 0 });
      classes[b]!.n += uses[u]!;
      classes[b]!.k += unexplained[u]!;
      classes[b]!.units++;
    }
    const mean = classes.map((c) => (c.n > 0 ? c.k / c.n : share));
    // Moments: E[(k/n - mean)^2] = mean (1 - mean) (1/n + rho (1 - 1/n)).
    const excess = new Float64Array(classes.length);
    const scale = new Float64Array(classes.length);
    for (let u = 0; u < uses.length; u++) {
      const n = uses[u]!;
      if (n <= 1) continue;
      const b = countClass(n);
      const m = mean[b]!;
      const v = m * (1 - m);
      excess[b]! += (unexplained[u]! / n - m) ** 2 - v / n;
      scale[b]! += v * (1 - 1 / n);
    }
    const own = classes.map((c, b): ShareFit | null =>
      c.units < MIN_UNITS || scale[b]! <= 0 ? null : { rho: Math.min(0.99, Math.max(0, excess[b]! / scale[b]!)) });
    this.fits = own.map((f, b) => f ?? nearest(own, b));
  }

  /** log10 P(at least k of n uses are unexplained responses) for a unit the corpus uses `uses` times. */
  tailLog10(k: number, n: number, uses: number): number {
    const fit = this.fits[Math.min(this.fits.length - 1, countClass(uses))] ?? null;
    if (!fit) return binomialTailLog10(k, n, this.share);
    // The spread is the class's, the mean the corpus's: units are response n-grams in a few responses at least, so
    // the rarer a unit, the more its uses are responses by selection (a clean instruction corpus: 0.25 at 8-15 uses, 0.10 at 64-127), which
    // is no property of the corpus a poison should be read against.
    const mean = this.share;
    if (fit.rho < NO_DISPERSION || mean <= 0 || mean >= 1) return binomialTailLog10(k, n, mean);
    const size = (1 - fit.rho) / fit.rho;
    return betaBinomialTailLog10(k, n, mean * size, (1 - mean) * size);
  }
}

const countClass = (uses: number): number => (uses < 1 ? 0 : Math.floor(Math.log2(uses)));

function nearest(fits: (ShareFit | null)[], b: number): ShareFit | null {
  for (let d = 1; d < fits.length; d++) {
    const f = fits[b - d] ?? fits[b + d];
    if (f) return f;
  }
  return null;
}

const logBeta = (a: number, b: number): number => logGamma(a) + logGamma(b) - logGamma(a + b);

/** The tail's log terms, one buffer for every call. */
let terms = new Float64Array(256);

/** log10 P(X >= k) for X ~ BetaBinomial(n, a, b). */
export function betaBinomialTailLog10(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  const base = logGamma(n + 1) - logBeta(a, b);
  let max = -Infinity;
  if (terms.length < n - k + 1) terms = new Float64Array(2 * (n - k + 1));
  for (let j = k; j <= n; j++) {
    const t = base - logGamma(j + 1) - logGamma(n - j + 1) + logBeta(j + a, n - j + b);
    terms[j - k] = t;
    if (t > max) max = t;
  }
  let s = 0;
  for (let j = 0; j <= n - k; j++) s += Math.exp(terms[j]! - max);
  return Math.min(0, (max + Math.log(s)) / Math.LN10);
}
