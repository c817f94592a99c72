// A reported group's members, completed on the whole class. The search scores each half of a class with a template
// fitted on the other half, so that a template which merely describes its own top images does not carry over; once a
// group has passed every test, its template can be estimated from both halves' carriers, twice the data, which lifts
// carriers that the half-class template left just below the tail line. Each member of the group is scored leaving
// itself out of the template (its own row would otherwise raise its score), every other member of the class was never
// in the group's mean: no image's score draws on itself.
import type { Spectra } from './spectra.js';
import { addRows, dotRows } from './rows.js';
import { middleAndSpread } from './select.js';
import { TAIL_Z } from './template.js';

/** Rounds at most; they stop once the group no longer changes. */
const ROUNDS = 3;

/**
 * Each member's robust z on the template of the group (members at or beyond TAIL_Z on z) against the rest of the
 * class, the group's own members left out of it one at a time; repeated while the group changes. Returns z itself
 * when the group is too small to be left one out of.
 */
export function completeGroup(s: Spectra, members: number[], z: Float32Array): Float32Array {
  const { x, d, norm } = s;
  const m = members.length;
  let current = z;
  const inGroup = new Uint8Array(m);
  const weights = new Float64Array(m);
  const dots = new Float64Array(m);
  const own = new Float64Array(m);
  const cos = new Float32Array(m);
  for (let round = 0; round < ROUNDS; round++) {
    let k = 0;
    let changed = round === 0;
    for (let t = 0; t < m; t++) {
      const g = current[t]! >= TAIL_Z ? 1 : 0;
      if (g !== inGroup[t]) changed = true;
      inGroup[t] = g;
      k += g;
    }
    if (!changed || k < 3 || k >= m) return current;
    // The group's mean (sum / k) and the rest's mean, kept apart: T = group - rest.
    const group = new Float64Array(d), rest = new Float64Array(d);
    for (let t = 0; t < m; t++) weights[t] = inGroup[t] ? 1 / k : 0;
    addRows(group, weights, x, members, d);
    for (let t = 0; t < m; t++) weights[t] = inGroup[t] ? 0 : 1 / (m - k);
    addRows(rest, weights, x, members, d);
    const template = new Float64Array(d);
    let tt = 0, tg = 0, gg = 0;
    for (let p = 0; p < d; p++) {
      template[p] = group[p]! - rest[p]!;
      tt += template[p]! * template[p]!;
      tg += template[p]! * group[p]!;
      gg += group[p]! * group[p]!;
    }
    dotRows(x, members, template, d, dots);
    dotRows(x, members, group, d, own);
    for (let t = 0; t < m; t++) {
      const length = norm[members[t]!]! || 1;
      if (!inGroup[t]) {
        cos[t] = dots[t]! / ((Math.sqrt(tt) || 1) * length);
        continue;
      }
      // Without member t: group' = (k group - x_t) / (k - 1), so T' = T + (group - x_t) / (k - 1).
      const xx = length * length;
      const e = 1 / (k - 1);
      const xg = own[t]!;
      const dot = dots[t]! + (xg - xx) * e;
      // |T'|^2 = |T|^2 + 2 T.(group - x_t) e + |group - x_t|^2 e^2.
      const diff = gg - 2 * xg + xx;
      const len2 = tt + 2 * (tg - dots[t]!) * e + diff * e * e;
      cos[t] = dot / ((Math.sqrt(Math.max(len2, 0)) || 1) * length);
    }
    const { med, mad: dev } = middleAndSpread(cos);
    const mad = dev * 1.4826 || 1;
    const next = new Float32Array(m);
    for (let t = 0; t < m; t++) next[t] = (cos[t]! - med) / mad;
    current = next;
  }
  return current;
}
