// One class's search for a shared pattern, cross-fitted: a template is refined on one half of the class and scores
// the other half, so a template that merely describes its own top samples (which any heavy-tailed class has) does
// not carry over, while a pattern shared across the class does.
import type { Spectra } from './spectra.js';
import { leadingDirection, robustProjection, searchTemplate } from './template.js';

export interface ClassTail {
  /** Each member's robust z on the template fitted on the other half (members' order). */
  z: Float32Array;
  /** The mean of the two halves' templates. */
  template: Float64Array;
}

export function classTail(s: Spectra, members: number[]): ClassTail {
  const { d } = s;
  const m = members.length;
  // The spread's leading direction is taken over the whole class: a pattern's carriers in either half draw it.
  const lead = leadingDirection(s, members);
  const halves: number[][] = [[], []];
  members.forEach((_, t) => halves[t & 1]!.push(t));
  const z = new Float32Array(m);
  const template = new Float64Array(d);
  for (let h = 0; h < 2; h++) {
    const fit = halves[h]!.map((t) => members[t]!);
    const other = halves[1 - h]!;
    const tpl = searchTemplate(s, fit, lead).template;
    const zo = robustProjection(s, other.map((t) => members[t]!), tpl);
    other.forEach((t, q) => (z[t] = zo[q]!));
    for (let p = 0; p < d; p++) template[p] += tpl[p]! / 2;
  }
  return { z, template };
}
