// How label-specific a corpus's own words are at each count: the null a phrase that goes with a label is read
// against. A trigger is one unit that sets the label of rows otherwise unrelated; a corpus whose labels are carried
// by its words holds many words of a phrase's count whose prompts nearly all
// have one label, and one more such word is ordinary there. Per label and per count band (words in 2^b to
// 2^(b+1)-1 prompts), the label's share among a word's prompts spreads about the label's share of all prompts as a
// beta-binomial whose overdispersion is fitted to the band's words by moments (as src/text/use-share-null.ts does
// for response units). The words a phrase's own prompts hold most of (the phrase, the rest of a trigger put in with
// it) are left out of the fit: a trigger's words cannot make each other ordinary.
import { betaBinomialTailLog10 } from '../../text/use-share-null.js';
import { binomialTailLog10 } from '../../util/binomial.js';

/** Words a band needs for its own fit; bands with fewer borrow the nearest fitted one. */
const MIN_UNITS = 30;
/** Overdispersion below this is read as none (the plain binomial). */
const NO_DISPERSION = 1e-4;
/** Overdispersion is read as at most this (the moments can exceed 1 where most words are one label's). */
const MAX_DISPERSION = 0.99;

const bandOf = (uses: number): number => (uses < 1 ? 0 : Math.floor(Math.log2(uses)));

export class LabelWords {
  /** Per token, the answered prompts holding it. */
  private readonly df: Uint32Array;
  /** Per label and token, the prompts holding it with that label. */
  private readonly held: Uint32Array;
  private readonly share: Float64Array;
  /** Per label and band: words, and the moments' sums (excess over the binomial, its scale). */
  private readonly units: Float64Array;
  private readonly excess: Float64Array;
  private readonly scale: Float64Array;
  private readonly bands: number;
  private readonly stamp: Int32Array;
  private readonly inside: Uint32Array;
  private visit = 0;
  /** The first visit of the current question: a stamp below it is from an earlier one. */
  private first = 1;

  /** `labelOf`: each prompt's label (0..labels-1), -1 for none or another answer, -2 for no answer. */
  constructor(private readonly docs: Int32Array[], private readonly vocab: number, labelOf: Int32Array, private readonly labels: number) {
    this.df = new Uint32Array(vocab);
    this.held = new Uint32Array(labels * vocab);
    this.stamp = new Int32Array(vocab).fill(-1);
    this.inside = new Uint32Array(vocab);
    let answered = 0;
    const count = new Float64Array(labels);
    docs.forEach((d, i) => {
      const l = labelOf[i]!;
      if (l === -2) return;
      answered++;
      if (l >= 0) count[l]++;
      for (const t of d) {
        if (t >= vocab || this.stamp[t] === i) continue;
        this.stamp[t] = i;
        this.df[t]++;
        if (l >= 0) this.held[l * vocab + t]++;
      }
    });
    this.stamp.fill(-1);
    this.share = count.map((c) => (answered > 0 ? c / answered : 0));
    let maxBand = 0;
    for (let t = 0; t < vocab; t++) maxBand = Math.max(maxBand, bandOf(this.df[t]!));
    this.bands = maxBand + 1;
    this.units = new Float64Array(labels * this.bands);
    this.excess = new Float64Array(labels * this.bands);
    this.scale = new Float64Array(labels * this.bands);
    for (let l = 0; l < labels; l++) for (let t = 0; t < vocab; t++) this.add(l, t, 1);
  }

  /** Adds (sign 1) or takes out (-1) the word's terms in the label's band sums. */
  private add(l: number, t: number, sign: number): void {
    const u = this.df[t]!;
    if (u <= 1) return;
    const m = this.share[l]!;
    const v = m * (1 - m);
    const x = l * this.bands + bandOf(u);
    this.units[x]! += sign;
    this.excess[x]! += sign * ((this.held[l * this.vocab + t]! / u - m) ** 2 - v / u);
    this.scale[x]! += sign * v * (1 - 1 / u);
  }

  /**
   * log10 P(at least k of n independent prompt groups end in the label) for a phrase held by `uses` prompts, with
   * mean `mean` (the label's share among prompts like the phrase's), where a group's chance spreads as the corpus's
   * words of that count spread the label's share. `own`: the phrase's prompts, whose mostly-held words are left out.
   */
  tailLog10(label: number, k: number, n: number, mean: number, uses: number, own: readonly number[]): number {
    const out = this.mostlyHeld(own);
    for (const t of out) this.add(label, t, -1);
    const rho = this.dispersion(label, bandOf(uses));
    for (const t of out) this.add(label, t, 1);
    if (rho < NO_DISPERSION || mean <= 0 || mean >= 1) return binomialTailLog10(k, n, mean);
    const size = (1 - rho) / rho;
    return betaBinomialTailLog10(k, n, mean * size, (1 - mean) * size);
  }

  /** The band's overdispersion, or the nearest band's with enough words. */
  private dispersion(label: number, band: number): number {
    for (let d = 0; d < this.bands; d++) {
      for (const b of d === 0 ? [band] : [band - d, band + d]) {
        if (b < 0 || b >= this.bands) continue;
        const x = label * this.bands + b;
        if (this.units[x]! >= MIN_UNITS && this.scale[x]! > 0) return Math.min(MAX_DISPERSION, Math.max(0, this.excess[x]! / this.scale[x]!));
      }
    }
    return 0;
  }

  /** The words more than half of whose prompts are among `ids`. */
  private mostlyHeld(ids: readonly number[]): number[] {
    const touched: number[] = [];
    for (const i of ids) {
      const v = ++this.visit;
      for (const t of this.docs[i]!) {
        if (t >= this.vocab || this.stamp[t] === v) continue;
        if (this.stamp[t]! < this.first) {
          this.inside[t] = 0;
          touched.push(t);
        }
        this.stamp[t] = v;
        this.inside[t]!++;
      }
    }
    this.first = this.visit + 1;
    return touched.filter((t) => 2 * this.inside[t]! > this.df[t]!);
  }
}
