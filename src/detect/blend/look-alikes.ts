// Whether a group that shares a template is related by content: poisoned images are otherwise unrelated images that
// carry one added pattern, so the images that look most like a carrier (in coarse luma, which the fine residual
// the template lives in hardly sees) do not carry it; images of one kind (a style, a pose, an outline a class
// shares) look alike and share their template score along with their look. The content share is the part of the
// group's template score that its members' look-alikes outside the group carry, over a random member's baseline.
import type { ImageFeatures } from '../../model/image-features.js';
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

export interface ContentLink {
  /** (look-alikes' mean score - the rest's mean) / (the group's mean score - the rest's mean): 0 for a pattern. */
  share: number;
  groupScore: number;
  lookAlikeScore: number;
  restScore: number;
}

/**
 * `members` are sample indices of one class, `z` their template scores (same order), `inGroup` marks the group.
 * Look-alikes are the nearest non-group members in coarse luma.
 */
export function contentLink(coarse: Float32Array, members: number[], z: Float32Array, inGroup: Uint8Array): ContentLink {
  const d = COARSE_SIDE * COARSE_SIDE;
  const group: number[] = [];
  const rest: number[] = [];
  members.forEach((_, t) => (inGroup[t] ? group : rest).push(t));
  const restScore = mean(rest.map((t) => z[t]!));
  const groupScore = mean(group.map((t) => z[t]!));
  const gs = spaced(group, MAX_GROUP);
  const pool = spaced(rest, MAX_POOL);
  if (pool.length === 0 || gs.length === 0) return { share: 0, groupScore, lookAlikeScore: restScore, restScore };
  const kk = Math.min(NEIGHBOURS, pool.length);
  const bestD = new Float64Array(kk);
  const bestZ = new Float64Array(kk);
  let sum = 0;
  for (const t of gs) {
    const a = members[t]! * d;
    bestD.fill(Infinity);
    for (const u of pool) {
      const b = members[u]! * d;
      let dd = 0;
      for (let p = 0; p < d; p++) {
        const v = coarse[a + p]! - coarse[b + p]!;
        dd += v * v;
      }
      if (dd >= bestD[kk - 1]!) continue;
      // Insertion into the sorted k best.
      let q = kk - 1;
      while (q > 0 && bestD[q - 1]! > dd) {
        bestD[q] = bestD[q - 1]!;
        bestZ[q] = bestZ[q - 1]!;
        q--;
      }
      bestD[q] = dd;
      bestZ[q] = z[u]!;
    }
    for (let q = 0; q < kk; q++) sum += bestZ[q]! / kk;
  }
  const lookAlikeScore = sum / gs.length;
  const lift = groupScore - restScore;
  return { share: lift > 0 ? (lookAlikeScore - restScore) / lift : 0, groupScore, lookAlikeScore, restScore };
}

function mean(v: number[]): number {
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0;
}

/** At most `max` entries of `v`, evenly spaced. */
function spaced(v: number[], max: number): number[] {
  if (v.length <= max) return v;
  return Array.from({ length: max }, (_, q) => v[Math.floor((q * v.length) / max)]!);
}
