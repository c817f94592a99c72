// Whether a group that shares a template is related by content: poisoned images are otherwise unrelated images that
// carry one added pattern, so the images that look most like a carrier (in coarse luma, with the group's pattern
// taken out of every look) do not carry it; images of one kind (a style, a pose, an outline a class
// shares) look alike and share their template score along with their look. The content share is the part of the
// group's template score that its members' look-alikes outside the group carry, over a random member's baseline.
import type { ImageFeatures } from '../../model/image-features.js';
import { spaced } from '../../util/stats.js';
import { lumaOnGrid } from './luma.js';

/** Side of the coarse luma grid look-alikes are found on. */
export const COARSE_SIDE = 8;
/** Look-alikes per group member. */
const NEIGHBOURS = 5;
/** Group members and candidate look-alikes examined at most (evenly spaced), bounding the cost on large classes. */
const MAX_GROUP = 256;
const MAX_POOL = 8192;

/** n x 8*8 luma, area-averaged from the working grid, centred and scaled to unit length per image. */
export function coarseLuma(f: ImageFeatures): Float32Array {
  const g = f.grid;
  const s = COARSE_SIDE;
  const n = f.pixels.length / (g * g * 3);
  const d = s * s;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    lumaOnGrid(f, i, s, out, i * d);
    // A look is the layout of light and dark, whatever the exposure: centred, unit length.
    let m = 0;
    for (let p = 0; p < d; p++) m += out[i * d + p]! / d;
    let e = 0;
    for (let p = 0; p < d; p++) e += (out[i * d + p]! - m) ** 2;
    const k = 1 / (Math.sqrt(e) || 1);
    for (let p = 0; p < d; p++) out[i * d + p] = (out[i * d + p]! - m) * k;
  }
  return out;
}

/** A side x side pattern as a look: area-averaged to 8x8, centred, unit length. */
export function coarsePattern(pattern: Float64Array, side: number): Float64Array {
  const s = COARSE_SIDE;
  const cell = side / s;
  const out = new Float64Array(s * s);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[Math.floor(y / cell) * s + Math.floor(x / cell)] += pattern[y * side + x]!;
  const m = out.reduce((a, v) => a + v, 0) / out.length;
  const e = Math.sqrt(out.reduce((a, v) => a + (v - m) ** 2, 0)) || 1;
  return out.map((v) => (v - m) / e);
}

export interface ContentLink {
  /** (look-alikes' mean score - the rest's mean) / (the group's mean score - the rest's mean): 0 for a pattern. */
  share: number;
  /**
   * How much more often a member's nearest looks (among the group and the rest) are other members than the
   * group's share of them gives: about 1 for a pattern on unrelated images, far above for one kind of image.
   */
  cohesion: number;
  groupScore: number;
  lookAlikeScore: number;
  restScore: number;
}

/**
 * `members` are sample indices of one class, `z` their template scores (same order), `inGroup` marks the group.
 * Look-alikes are the nearest non-group members in coarse luma, with the group's pattern (`pattern`, a unit look
 * from coarsePattern) taken out of every look: a strong pattern shows at 8x8 too, and must not make its carriers
 * look alike.
 */
export function contentLink(
  coarse: Float32Array, members: number[], z: Float32Array, inGroup: Uint8Array, pattern?: Float64Array, outside: number[] = [], maxShare = Infinity,
  unitRemainders = false,
): ContentLink {
  const d = COARSE_SIDE * COARSE_SIDE;
  // Each image's look along the pattern.
  const alongOf = (i: number) => {
    let v = 0;
    if (pattern) for (let p = 0; p < d; p++) v += coarse[i * d + p]! * pattern[p]!;
    return v;
  };
  const along = Float64Array.from(members, alongOf);
  // With unitRemainders, what is left of each look once the pattern is taken out is compared at its own scale: a
  // strong pattern takes most of its carriers' (unit) looks, and what is left of them would otherwise be short, and
  // so near one another.
  const leftOf = (a: number) => 1 / Math.sqrt(Math.max(1e-6, 1 - a * a));
  const left = Float64Array.from(along, leftOf);
  const between = (dd: number, a: number, la: number, b: number, lb: number) => (unitRemainders ? rescaled(dd, a, la, b, lb) : dd - (a - b) ** 2);
  const apart = (t: number, u: number) => between(distance(coarse, members[t]! * d, members[u]! * d, d), along[t]!, left[t]!, along[u]!, left[u]!);
  const group: number[] = [];
  const rest: number[] = [];
  members.forEach((_, t) => (inGroup[t] ? group : rest).push(t));
  const restScore = mean(rest.map((t) => z[t]!));
  const groupScore = mean(group.map((t) => z[t]!));
  const gs = spaced(group, MAX_GROUP);
  const pool = spaced(rest, MAX_POOL);
  if (pool.length === 0 || gs.length < 2) return { share: 0, cohesion: 1, groupScore, lookAlikeScore: restScore, restScore };
  const kk = Math.min(NEIGHBOURS, pool.length);
  const bestD = new Float64Array(kk);
  const bestZ = new Float64Array(kk);
  // Each sampled member's nearest looks so far (distances, and whether each is a member), kept for the second pass.
  const nearD = new Float64Array(gs.length * kk).fill(Infinity);
  const nearInGroup = new Uint8Array(gs.length * kk);
  let sum = 0;
  gs.forEach((t, g) => {
    bestD.fill(Infinity);
    const nd = nearD.subarray(g * kk, (g + 1) * kk), ng = nearInGroup.subarray(g * kk, (g + 1) * kk);
    // The nearest looks among the other group members, then among the rest (which also yields the look-alikes).
    for (const u of gs) {
      if (u === t) continue;
      insert(nd, ng, apart(t, u), 1);
    }
    for (const u of pool) {
      const dd = apart(t, u);
      insert(bestD, bestZ, dd, z[u]!);
      insert(nd, ng, dd, 0);
    }
    for (let q = 0; q < kk; q++) sum += bestZ[q]! / kk;
  });
  const lookAlikeScore = sum / gs.length;
  const lift = groupScore - restScore;
  const share = lift > 0 ? (lookAlikeScore - restScore) / lift : 0;
  // Images outside the class count among the nearest looks too (not as look-alikes: they have no score): images
  // brought in from other classes look like their own kind there, not like one another. Skipped when the share
  // already settles the question.
  const far = share < maxShare ? spaced(outside, MAX_POOL) : [];
  if (far.length > 0) {
    const farAlong = Float64Array.from(far, alongOf);
    const farLeft = Float64Array.from(farAlong, leftOf);
    gs.forEach((t, g) => {
      const nd = nearD.subarray(g * kk, (g + 1) * kk), ng = nearInGroup.subarray(g * kk, (g + 1) * kk);
      const o = members[t]! * d;
      for (let q = 0; q < far.length; q++) insert(nd, ng, between(distance(coarse, o, far[q]! * d, d), along[t]!, left[t]!, farAlong[q]!, farLeft[q]!), 0);
    });
  }
  let inGroupNear = 0;
  for (let q = 0; q < nearInGroup.length; q++) inGroupNear += nearInGroup[q]! / kk;
  // Expected share of group members among a member's nearest looks if look and group were unrelated.
  const expected = (gs.length - 1) / (gs.length - 1 + pool.length + far.length);
  return { share, cohesion: inGroupNear / gs.length / expected, groupScore, lookAlikeScore, restScore };
}

/**
 * Squared distance between two unit looks once the pattern is taken out of both and each remainder is brought back
 * to unit length: from their squared distance dd, their components along the pattern (a, b) and 1 / the
 * remainders' lengths (la, lb).
 */
function rescaled(dd: number, a: number, la: number, b: number, lb: number): number {
  return 2 - 2 * (1 - dd / 2 - a * b) * la * lb;
}

function distance(coarse: Float32Array, a: number, b: number, d: number): number {
  let dd = 0;
  for (let p = 0; p < d; p++) {
    const v = coarse[a + p]! - coarse[b + p]!;
    dd += v * v;
  }
  return dd;
}

/** Insertion of (dist, value) into the k best so far, sorted by distance. */
function insert(bestD: Float64Array, value: Float64Array | Uint8Array, dd: number, v: number): void {
  const kk = bestD.length;
  if (dd >= bestD[kk - 1]!) return;
  let q = kk - 1;
  while (q > 0 && bestD[q - 1]! > dd) {
    bestD[q] = bestD[q - 1]!;
    value[q] = value[q - 1]!;
    q--;
  }
  bestD[q] = dd;
  value[q] = v;
}

function mean(v: number[]): number {
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0;
}
