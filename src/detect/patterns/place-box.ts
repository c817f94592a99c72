// The box at which a group found at one place is best isolated.
//
// Why: the per-position pass proposes its candidates from windows of one size on a stride, so a window lies
// wholly inside a pattern only for some offsets, and a window smaller than the pattern sees only part of what its
// copies share. Natural windows at a place match a small window more often than a larger one (fewer pixels to
// agree on), while copies of a pasted pattern agree on every pixel of it. So once a candidate's images are known,
// the boxes around it are searched for the one where its copies sit closest together relative to the nearest
// other image there: the pattern's own extent, whatever its content.
//
// How: every box of a few sides that holds the middle of the candidate's window is compared on a fixed sample
// of the images plus the candidate's own (few pixels read per box); the best few are then measured exactly
// against every image, on luma (level and contrast kept, distances relative to the centre's contrast), with the
// same cut as the pass. A group is replaced only when that exact score is higher.
import { cutScore, hash32, type IsolationScratch } from './isolation.js';
import type { SizeGroup } from './size-analysis.js';

export interface BoxSearch {
  /** Groups scoring at least this at the pass's window are searched. */
  from: number;
  /** Sides of the boxes searched. */
  minSide: number;
  maxSide: number;
  /** Images the boxes are compared on during the search (plus the group's own). */
  sample: number;
  /** Boxes measured exactly: the best of the search on the sample. */
  measured: number;
}

export interface BoxContext {
  pixels: Uint8Array;
  grid: number;
  n: number;
  /** Distances are measured out to this (relative to the centre's contrast). */
  radius: number;
  noiseFloor: number;
  /** Contrast below which a box is flat (per pixel of its side). */
  minStd: number;
  scratch: IsolationScratch;
  /** Images compared during the search: a fixed sample (all images when there are few). */
  sample: Int32Array;
  /** Window ids for the cut: image i is "window" i. */
  identity: Int32Array;
  /** Luma of one box for every image read (scratch: the centre window, maxSide^2 floats). */
  buf: Float32Array;
}

/** A box context for the images of one pass: the sample is drawn by a hash of each image's index and the seed. */
export function boxContext(pixels: Uint8Array, grid: number, n: number, radius: number, noiseFloor: number, minStd: number, scratch: IsolationScratch, search: BoxSearch, seed: number): BoxContext {
  const drawn: number[] = [];
  if (n <= 2 * search.sample) for (let i = 0; i < n; i++) drawn.push(i);
  else {
    const cutoff = Math.floor((search.sample / n) * 2 ** 32);
    const salt = Math.imul(seed, 0x9e3779b1);
    for (let i = 0; i < n; i++) if (hash32(i ^ salt) < cutoff) drawn.push(i);
  }
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  return { pixels, grid, n, radius, noiseFloor, minStd, scratch, sample: Int32Array.from(drawn), identity, buf: new Float32Array(search.maxSide * search.maxSide) };
}

interface Box { x: number; y: number; s: number }

interface Measured { score: number; members: number[]; dist: number[]; next: number }

/**
 * The group re-measured at the box (within the search's sides) where it is best isolated, or null when no box
 * scores higher than the group did at its window.
 */
export function bestBox(ctx: BoxContext, g: SizeGroup, search: BoxSearch): SizeGroup | null {
  const members = Array.from(g.images);
  // Every box of the searched sides that holds the middle of the group's window, compared on the sample; the
  // few best measured exactly (a sample of natural windows ranks boxes, it does not score them).
  const boxes: { b: Box; score: number }[] = [];
  const cx = g.x[0]! + (g.size >> 1), cy = g.y[0]! + (g.size >> 1);
  for (let s = search.minSide; s <= search.maxSide; s++) {
    for (let y = Math.max(0, cy - s + 1); y <= cy - 1 && y + s <= ctx.grid; y++) {
      for (let x = Math.max(0, cx - s + 1); x <= cx - 1 && x + s <= ctx.grid; x++) {
        if (s === g.size && x === g.x[0]! && y === g.y[0]!) continue;
        const m = measure(ctx, { x, y, s }, members, ctx.sample.length !== ctx.n);
        if (m) boxes.push({ b: { x, y, s }, score: m.score });
      }
    }
  }
  boxes.sort((a, b) => b.score - a.score);
  let best: Measured | null = null, bestBox: Box | null = null;
  for (const { b } of boxes.slice(0, search.measured)) {
    const m = measure(ctx, b, members, false);
    if (m && m.score > (best?.score ?? g.score[0]!)) {
      best = m;
      bestBox = b;
    }
  }
  if (!best || !bestBox) return null;
  const m = best, k = m.members.length;
  const order = m.members.map((_, j) => j).sort((a, b) => m.members[a]! - m.members[b]!);
  return {
    size: bestBox.s,
    atPlace: true,
    images: Int32Array.from(order, (j) => m.members[j]!),
    x: new Uint16Array(k).fill(bestBox.x),
    y: new Uint16Array(k).fill(bestBox.y),
    score: new Float32Array(k).fill(m.score),
    reach: Float32Array.from(order, (j) => m.dist[j]!),
    next: new Float32Array(k).fill(m.next),
  };
}

/**
 * The best cut around the members' centre at a box: over the sample and the members (sampled), or over every
 * image. Null when the centre is flat.
 */
function measure(ctx: BoxContext, b: Box, members: number[], sampled: boolean): Measured | null {
  const { pixels, grid: g, buf } = ctx;
  const s = b.s, dim = s * s;
  const centre = buf;
  centre.fill(0, 0, dim);
  const read = (i: number, out: Float32Array | null, c: Float32Array, r2: number): number => {
    // Luma of the box in image i: added to out (the centre's sum), or its squared distance to c (stopping past r2).
    let d2 = 0, k = 0;
    for (let y = 0; y < s; y++) {
      let o = ((i * g + b.y + y) * g + b.x) * 3;
      for (let x = 0; x < s; x++, k++, o += 3) {
        const v = 0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]!;
        if (out) out[k] = out[k]! + v;
        else {
          const e = v - c[k]!;
          d2 += e * e;
        }
      }
      if (!out && d2 >= r2) return d2;
    }
    return d2;
  };
  for (const i of members) read(i, centre, centre, 0);
  let sum = 0, sq = 0;
  for (let k = 0; k < dim; k++) {
    const v = (centre[k] = centre[k]! / members.length);
    sum += v;
    sq += v * v;
  }
  const unit = Math.sqrt(Math.max(0, sq - (sum * sum) / dim));
  if (unit < ctx.minStd * s) return null;
  const r2 = (ctx.radius * unit) ** 2;
  const nearW: number[] = [], nearD: number[] = [];
  const visit = (i: number) => {
    const d2 = read(i, null, centre, r2);
    if (d2 < r2) {
      nearW.push(i);
      nearD.push(Math.fround(Math.sqrt(d2) / unit));
    }
  };
  if (sampled) {
    const gen = ++ctx.scratch.gen, mark = ctx.scratch.mark;
    for (const i of ctx.sample) {
      mark[i] = gen;
      visit(i);
    }
    for (const i of members) if (mark[i] !== gen) visit(i);
  } else for (let i = 0; i < ctx.n; i++) visit(i);
  const cut = cutScore({ image: ctx.identity } as never, nearW, nearD, ctx.radius, ctx.noiseFloor, ctx.scratch);
  if (cut.k < 2) return null;
  return { score: cut.score, members: cut.kept.slice(0, cut.k), dist: cut.keptD.slice(0, cut.k), next: cut.k < cut.kept.length ? cut.keptD[cut.k]! : ctx.radius };
}

