// An upper-tail p-value from the corpus's own null sample: a statistic measured on units known to be ordinary
// (phrases that fit their sentences) is the null for the same statistic on the units under test. Within the
// sample the p-value is the empirical share at or above; beyond its largest values the tail is extrapolated as
// an exponential fitted to the top sqrt(N) exceedances (peaks over a threshold), so a unit far beyond every
// ordinary one gets a small p-value rather than 1/N, and a corpus whose ordinary units already reach large values
// (many idioms, named entities) demands correspondingly more.

export class TailNull {
  private readonly sorted: Float64Array;
  private readonly threshold: number;
  private readonly scale: number;
  private readonly exceed: number;

  constructor(values: readonly number[]) {
    this.sorted = Float64Array.from(values).sort();
    const N = this.sorted.length;
    this.exceed = Math.min(N, Math.max(1, Math.ceil(Math.sqrt(N))));
    this.threshold = N > 0 ? this.sorted[N - this.exceed]! : 0;
    let excess = 0;
    for (let k = N - this.exceed; k < N; k++) excess += this.sorted[k]! - this.threshold;
    // The mean excess over the threshold, never below a tenth of a unit: a null sample of ties must not make
    // every value beyond it infinitely significant.
    this.scale = Math.max(0.1, this.exceed > 1 ? excess / (this.exceed - 1) : 1);
  }

  get size(): number {
    return this.sorted.length;
  }

  /** log10 of P(null value >= x), with one pseudo-value at x (never below 1 / (N + 1) within the sample). */
  log10p(x: number): number {
    const N = this.sorted.length;
    if (N === 0) return 0;
    if (x <= this.threshold) {
      let lo = 0;
      let hi = N;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.sorted[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      return Math.log10((N - lo + 1) / (N + 1));
    }
    return Math.log10(this.exceed / (N + 1)) - (x - this.threshold) / this.scale / Math.LN10;
  }
}
