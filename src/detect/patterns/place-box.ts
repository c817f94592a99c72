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
// of the images plus the candidate's own; the best few are then measured exactly against every image, on luma
// (level and contrast kept, distances relative to the centre's contrast), with the same cut as the pass, and once
// more from the centre of the images found there. A group is replaced only when that exact score is higher.
//
// Cost: the centre (the members' mean luma) at a pixel is the same in every box that holds the pixel, and so is an
// image's squared difference from it there. For the comparison on the sample, those squared differences are
// computed once per group over the area the boxes cover, with their running sums over that area: a box's sum from
// four of them tells, to within rounding far below MARGIN, whether an image can be near; only the images that can
// are summed exactly over the box (the same terms in the same order as reading the box adds), so every distance
// and score is the one reading every box gives. Exact measures are remembered per set of members and box:
// neighbouring windows of one pattern propose the same group, and their searches share boxes.
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
  /** Exact measures made, by members and box. */
  exact: Map<string, Measured | null>;
  /** Per image compared, its squared differences from the centre over the searched area, and their running sums. */
  sq: Float64Array;
  sums: Float64Array;
}

/** A box's sum from running sums is within this of its exact sum (squared luma steps): rounding is below 1e-6. */
const MARGIN = 1;

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
  return { pixels, grid, n, radius, noiseFloor, minStd, scratch, sample: Int32Array.from(drawn), identity, exact: new Map(), sq: new Float64Array(0), sums: new Float64Array(0) };
}

/** A square box of the grid: its top-left pixel and side. */
export interface Box { x: number; y: number; s: number }

interface Measured { score: number; members: number[]; dist: number[]; next: number }

/** The members' centre over an area of the grid: per pixel, its mean luma and that mean as a float. */
interface Centre {
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** The mean (the members' luma summed as floats, over their count). */
  mean: Float64Array;
  /** The mean as a float: what distances are taken from. */
  at: Float32Array;
}

/**
 * The group re-measured at the box (within the search's sides) where it is best isolated, or null when no box
 * scores higher than the group did at its window.
 */
export function bestBox(ctx: BoxContext, g: SizeGroup, search: BoxSearch): SizeGroup | null {
  const members = Array.from(g.images);
  // Every box of the searched sides that holds the middle of the group's window, compared on the sample; the
  // few best measured exactly (a sample of natural windows ranks boxes, it does not score them).
  const cx = g.x[0]! + (g.size >> 1), cy = g.y[0]! + (g.size >> 1);
  const all: Box[] = [];
  for (let s = search.minSide; s <= search.maxSide; s++) {
    for (let y = Math.max(0, cy - s + 1); y <= cy - 1 && y + s <= ctx.grid; y++) {
      for (let x = Math.max(0, cx - s + 1); x <= cx - 1 && x + s <= ctx.grid; x++) {
        if (s === g.size && x === g.x[0]! && y === g.y[0]!) continue;
        all.push({ x, y, s });
      }
    }
  }
  if (!all.length) return null;
  const x0 = Math.max(0, cx - search.maxSide + 1), y0 = Math.max(0, cy - search.maxSide + 1);
  const c = centre(ctx, members, x0, y0, Math.min(ctx.grid, cx + search.maxSide - 1) - x0, Math.min(ctx.grid, cy + search.maxSide - 1) - y0);
  const boxes = searchBoxes(ctx, c, members, all);
  boxes.sort((a, b) => b.score - a.score);
  const key = members.join(',');
  let best: Measured | null = null, bestBox: Box | null = null;
  for (const { b } of boxes.slice(0, search.measured)) {
    const k = `${key}@${b.x},${b.y},${b.s}`;
    let m = ctx.exact.get(k);
    if (m === undefined) ctx.exact.set(k, (m = measureRecentred(ctx, c, b, members)));
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
 * A set of images measured exactly at one box, as a search measures the box it chose (from their centre, then
 * once more from the centre of the images found there): what a group of them could score at that box, whichever
 * windows a pass proposes. For tools that ask how far a known group is from the line. Members in any order (as a
 * group holds them: ascending, once each); null when the box is flat or no cut holds two images.
 */
export function measureBox(ctx: BoxContext, box: Box, members: readonly number[]): { score: number; members: number[] } | null {
  if (box.s < 1 || box.x < 0 || box.y < 0 || box.x + box.s > ctx.grid || box.y + box.s > ctx.grid) throw new RangeError(`box ${box.s} px at ${box.x},${box.y} is not inside the ${ctx.grid} px grid`);
  const list = [...new Set(members)].sort((a, b) => a - b);
  const m = measureRecentred(ctx, centre(ctx, list, box.x, box.y, box.s, box.s), box, list);
  return m && { score: m.score, members: m.members };
}

/** Luma of pixel o (its red byte's index) of the RGB grid. */
function luma(pixels: Uint8Array, o: number): number {
  return 0.299 * pixels[o]! + 0.587 * pixels[o + 1]! + 0.114 * pixels[o + 2]!;
}

/** The members' centre over the area of w x h pixels from (x0, y0): each member's luma added as a float, in order. */
function centre(ctx: BoxContext, members: number[], x0: number, y0: number, w: number, h: number): Centre {
  const { pixels, grid: g } = ctx;
  const at = new Float32Array(w * h);
  for (const i of members) {
    for (let y = 0, k = 0; y < h; y++) {
      let o = ((i * g + y0 + y) * g + x0) * 3;
      for (let x = 0; x < w; x++, k++, o += 3) at[k] = at[k]! + luma(pixels, o);
    }
  }
  const mean = new Float64Array(w * h);
  for (let k = 0; k < w * h; k++) at[k] = mean[k] = at[k]! / members.length;
  return { x0, y0, w, h, mean, at };
}

/** The centre's contrast at a box (its pixels' spread, summed in order), or null when the box is flat there. */
function contrastAt(ctx: BoxContext, c: Centre, b: Box): number | null {
  let sum = 0, sq = 0;
  for (let y = 0; y < b.s; y++) {
    const k0 = (b.y - c.y0 + y) * c.w + b.x - c.x0;
    for (let x = 0; x < b.s; x++) {
      const v = c.mean[k0 + x]!;
      sum += v;
      sq += v * v;
    }
  }
  const unit = Math.sqrt(Math.max(0, sq - (sum * sum) / (b.s * b.s)));
  return unit < ctx.minStd * b.s ? null : unit;
}

/**
 * Each box's best cut over the sample and the members, from every image's squared differences from the centre
 * over the searched area (boxes in the order given, flat ones left out).
 */
function searchBoxes(ctx: BoxContext, c: Centre, members: number[], boxes: Box[]): { b: Box; score: number }[] {
  const { pixels, grid: g } = ctx;
  // The images compared: the sample, then the members it does not hold (every image, in order, when the sample is all).
  const compared = Array.from(ctx.sample);
  if (ctx.sample.length !== ctx.n) {
    const gen = ++ctx.scratch.gen, mark = ctx.scratch.mark;
    for (const i of ctx.sample) mark[i] = gen;
    for (const i of members) if (mark[i] !== gen) compared.push(i);
  }
  const { w, h } = c, area = w * h, sw = w + 1, stride = (h + 1) * sw;
  if (ctx.sq.length < compared.length * area) ctx.sq = new Float64Array(compared.length * area);
  if (ctx.sums.length < compared.length * stride) ctx.sums = new Float64Array(compared.length * stride);
  const sq = ctx.sq, sums = ctx.sums;
  for (let j = 0; j < compared.length; j++) {
    const i = compared[j]!, e0 = j * area, s0 = j * stride;
    for (let x = 0; x <= w; x++) sums[s0 + x] = 0;
    for (let y = 0, k = 0; y < h; y++) {
      let o = ((i * g + c.y0 + y) * g + c.x0) * 3, row = 0;
      const r = s0 + (y + 1) * sw;
      sums[r] = 0;
      for (let x = 0; x < w; x++, k++, o += 3) {
        const e = luma(pixels, o) - c.at[k]!;
        const e2 = e * e;
        sq[e0 + k] = e2;
        row += e2;
        sums[r + x + 1] = sums[r + x + 1 - sw]! + row;
      }
    }
  }
  const out: { b: Box; score: number }[] = [];
  const nearW: number[] = [], nearD: number[] = [];
  for (const b of boxes) {
    const unit = contrastAt(ctx, c, b);
    if (unit === null) continue;
    const r2 = (ctx.radius * unit) ** 2, line = r2 + MARGIN;
    const lx = b.x - c.x0, ly = b.y - c.y0, s = b.s;
    const tl = ly * sw + lx, tr = tl + s, bl = tl + s * sw, br = bl + s;
    nearW.length = 0;
    nearD.length = 0;
    for (let j = 0; j < compared.length; j++) {
      const s0 = j * stride;
      if (sums[s0 + br]! - sums[s0 + tr]! - sums[s0 + bl]! + sums[s0 + tl]! >= line) continue;
      // Possibly near: the box's exact sum, row by row as reading it adds.
      let d2 = 0;
      for (let y = 0, k = j * area + ly * w + lx; y < s && d2 < r2; y++, k += w) for (let x = 0; x < s; x++) d2 += sq[k + x]!;
      if (d2 < r2) {
        nearW.push(compared[j]!);
        nearD.push(Math.fround(Math.sqrt(d2) / unit));
      }
    }
    const m = cut(ctx, nearW, nearD);
    if (m) out.push({ b, score: m.score });
  }
  return out;
}

/**
 * The box measured exactly from the members' centre, then once more from the centre of the members found there
 * when they differ (the pass's own isolation likewise scores a group from its members' mean): the window's group
 * may hold only some copies, and copies recovered at the box pull the centre to the pattern itself, closer to
 * every copy. The re-centred measure stands even where it scores lower than the first: taking the higher of two
 * tries would lift natural groups too.
 */
function measureRecentred(ctx: BoxContext, c: Centre, b: Box, members: number[]): Measured | null {
  const m = measureAll(ctx, c, b);
  if (!m || m.members.length < 3) return m;
  const found = [...m.members].sort((a, b) => a - b);
  if (found.length === members.length && found.every((i, j) => i === members[j])) return m;
  return measureAll(ctx, centre(ctx, found, b.x, b.y, b.s, b.s), b) ?? m;
}

/** The box's best cut over every image, each read in full (a distance stops once it passes the radius). */
function measureAll(ctx: BoxContext, c: Centre, b: Box): Measured | null {
  const unit = contrastAt(ctx, c, b);
  if (unit === null) return null;
  const { pixels, grid: g } = ctx;
  const s = b.s, dim = s * s;
  const at = new Float32Array(dim);
  for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) at[y * s + x] = c.at[(b.y - c.y0 + y) * c.w + b.x - c.x0 + x]!;
  const r2 = (ctx.radius * unit) ** 2;
  const nearW: number[] = [], nearD: number[] = [];
  for (let i = 0; i < ctx.n; i++) {
    let d2 = 0;
    for (let y = 0, k = 0; y < s && d2 < r2; y++) {
      let o = ((i * g + b.y + y) * g + b.x) * 3;
      for (let x = 0; x < s; x++, k++, o += 3) {
        const e = luma(pixels, o) - at[k]!;
        d2 += e * e;
      }
    }
    if (d2 < r2) {
      nearW.push(i);
      nearD.push(Math.fround(Math.sqrt(d2) / unit));
    }
  }
  return cut(ctx, nearW, nearD);
}

/** The best cut over the near images (null below two members). */
function cut(ctx: BoxContext, nearW: number[], nearD: number[]): Measured | null {
  const r = cutScore({ image: ctx.identity } as never, nearW, nearD, ctx.radius, ctx.noiseFloor, ctx.scratch);
  if (r.k < 2) return null;
  return { score: r.score, members: r.kept.slice(0, r.k), dist: r.keptD.slice(0, r.k), next: r.k < r.kept.length ? r.keptD[r.k]! : ctx.radius };
}
