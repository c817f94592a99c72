// One class's search for a shared pattern, cross-fitted: a template is refined on one half of the class and scores
// the other half, so a template that merely describes its own top samples (which any heavy-tailed class has) does
// not carry over, while a pattern shared across the class does. Every start (the class's mean shift, each of its
// leading directions of spread, either sign) gives one candidate tail: a class's own kinds may spread it more than a
// pattern does, so the pattern's tail need not be the most significant, and the caller tests each.
import type { Spectra } from './spectra.js';
import { spaced } from '../../util/stats.js';
import { contrastTails, type SharedWhitening } from './contrast.js';
import { spheredTails } from './sphere.js';
import { classMeanShift, leadingDirections, oneSidedTail, refineTemplates, robustProjections } from './template.js';

/** Leading directions of a class's spread the search starts from, besides its mean shift. */
export const LEADS = 4;
/** Members the leading directions are estimated from at most (evenly spaced): a pattern's share is the same in a sample. */
const MAX_LEAD_SAMPLE = 1024;

export interface ClassTail {
  /** Each member's robust z on the template fitted on the other half (members' order). */
  z: Float32Array;
  /**
   * The mean of the two halves' templates; absent for the contrast directions, whose template in the spectra is
   * made only for a tail that is tested (tailTemplate).
   */
  template?: Float64Array;
  /** Cross-fitted one-sided tail surplus, (tail - opposite) / sqrt(tail + opposite + 1). */
  significance: number;
  /** Found where the class varies beyond the other classes at low frequencies (blend/contrast.ts). */
  contrast?: true;
  /** Found among the class's sphered leading directions of luma spread (blend/sphere.ts). */
  sphered?: true;
}

/** Every start's cross-fitted tail, most significant first (ties in start order), the sphered starts' after the others. */
export function classTails(s: Spectra, members: number[], shared?: SharedWhitening): ClassTail[] {
  const { d } = s;
  const m = members.length;
  // The spread's leading directions are taken over the whole class: a pattern's carriers in either half draw them.
  const leads = leadingDirections(s, spaced(members, MAX_LEAD_SAMPLE), LEADS);
  const halves: number[][] = [[], []];
  members.forEach((_, t) => halves[t & 1]!.push(t));
  const fits = halves.map((h) => h.map((t) => members[t]!));
  const starts: ((h: number) => Float64Array)[] = [(h) => classMeanShift(s, fits[h]!)];
  for (const lead of leads) starts.push(() => lead, () => lead.map((v) => -v));
  // Every start refined on one half and projected on the other, the starts in step (one pass over a half's rows
  // serves them all).
  const z = starts.map(() => new Float32Array(m));
  const template = starts.map(() => new Float64Array(d));
  for (let h = 0; h < 2; h++) {
    const other = halves[1 - h]!;
    const tpls = refineTemplates(s, fits[h]!, starts.map((start) => start(h))).map((r) => r.template);
    const zo = robustProjections(s, other.map((t) => members[t]!), tpls);
    starts.forEach((_, j) => {
      other.forEach((t, q) => (z[j]![t] = zo[j]![q]!));
      const tj = template[j]!, tpl = tpls[j]!;
      for (let p = 0; p < d; p++) tj[p] += tpl[p]! / 2;
    });
  }
  const out: ClassTail[] = starts.map((_, j) => ({ z: z[j]!, template: template[j]!, significance: oneSidedTail(z[j]!).significance }));
  // Where the class varies beyond what the classes share, at low frequencies (blend/contrast.ts).
  if (shared) out.push(...contrastTails(s, members, shared));
  // A stable sort: equal tails keep the order of their starts.
  out.sort((a, b) => b.significance - a.significance);
  // Where a pattern with a natural spectrum hides among the class's first few dozen directions of spread
  // (blend/sphere.ts): after the other starts' tails, so a group they find is reported as they find it, and a class
  // the sphered starts add nothing to is scored as before.
  return out.concat(spheredTails(s, members).sort((a, b) => b.significance - a.significance));
}
