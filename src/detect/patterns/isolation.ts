// Exact isolation of candidate groups of windows: the distance of every window of a set to a candidate's centre,
// then the cut that best separates a few close windows (distinct images) from the rest,
// ln(next / reach) * log2(members). Used by the per-position pass (the windows of one place) and by the
// dataset-wide pass (the selected windows of one size, from every place), where an index only proposes
// candidates: no natural neighbour is missed and a copy the index missed is recovered.
import type { Matches } from './matches.js';
import { nearDuplicateSet, type NearDuplicateSet } from './near-duplicate-hashes.js';
import type { SizeGroup } from './size-analysis.js';
import type { WindowSet } from './windows.js';
import { selectKth } from '../../util/select.js';
import { unionFind } from '../../util/union-find.js';

/**
 * The sampled screen before the exact isolation: in a set of more than 2 x sample windows, a candidate is first
 * measured against `sample` windows drawn at random plus its own seed, and measured in full only when that score
 * reaches `minScore`.
 */
export interface Screen { sample: number; minScore: number }

/** Windows joined by tight pairs (union-find), as lists of window indices, when they span 2+ images. */
export function tightComponents(ws: WindowSet, mt: Matches): number[][] {
  const m = ws.count;
  const uf = unionFind(m);
  const find = uf.find;
  const touched: number[] = [];
  for (let w = 0; w < m; w++) {
    if (mt.off[w + 1]! === mt.off[w]!) continue;
    touched.push(w);
    for (let q = mt.off[w]!; q < mt.off[w + 1]!; q++) {
      const a = find(w), b = find(mt.nbr[q]!);
      uf.join(a, b);
    }
  }
  const byRoot = new Map<number, number[]>();
  for (const w of touched) {
    const r = find(w);
    let l = byRoot.get(r);
    if (!l) byRoot.set(r, (l = []));
    l.push(w);
  }
  return [...byRoot.values()];
}

export function distinctImages(ws: WindowSet, c: number[]): number {
  const seen = new Set<number>();
  for (const w of c) seen.add(ws.image[w]!);
  return seen.size;
}

export interface Isolation { group: SizeGroup; windows: number[] }

export interface IsolationScratch {
  /** Distance to the centre, by window, for the windows kept by the last cut. */
  dist: Float32Array;
  /** Generation marks by window (membership tests without allocating). */
  mark: Int32Array;
  gen: number;
  /** The images kept by the cut being made, to leave out their near-duplicates. */
  dups: NearDuplicateSet;
}

/** Scratch for sets of up to `windows` windows (default: one per image). */
export function isolationScratch(phash: BigUint64Array, windows = phash.length): IsolationScratch {
  return { dist: new Float32Array(windows), mark: new Int32Array(windows), gen: 0, dups: nearDuplicateSet(phash) };
}

/**
 * Exact isolation of each candidate group in a window set (the windows of one place, or the selected windows of
 * one size from every place): the distance of every window of the set to the group's centre, then the cut that best separates a few close windows (distinct images) from the rest:
 * ln(next / reach) * log2(members). No index is involved, so no natural neighbour is missed.
 *
 * All of a place's candidates are measured in one pass over its windows per round (a window's vector is read
 * once and compared with every centre, which stay in cache), not one pass per candidate. The results are those
 * of measuring each candidate on its own.
 *
 * That work is candidates x windows, and both grow with the dataset, so at a place with many windows the
 * candidates are screened first: each is measured against a fixed-size random sample of the set's windows
 * plus its own seed windows. A subset has fewer windows inside any gap, so an isolated group keeps its gap and
 * its seed; a natural candidate, whose neighbours come at a continuum of distances, still shows that continuum
 * in the sample. Only candidates whose screened score reaches the screen's line are measured in full, so every
 * group found is measured exactly; a screened-out candidate leaves no group and no per-image score. Simulated on
 * 100,000 augmented CIFAR-10 images, a screen at 1.5 dropped 78-97% of the candidates, none of which scored above
 * 1.8 in full (the group line is 2.6); BENCHMARKS.md has the measured time and groups at 200,000 and 400,000.
 */
export function isolateAll(
  ws: WindowSet, seeds: number[][], radius: number, noiseFloor: number, scratch: IsolationScratch,
  screen: Screen | null, seed: number, atPlace = true, absolute = false,
): (Isolation | null)[] {
  // atPlace: the groups' windows all sit at one place (the per-position pass), else across places.
  // absolute: the vectors hold the windows' luma itself, not normalised (see PositionParams.absolute); distances
  // are then taken relative to each centre's contrast.
  const dim = ws.dim, v = ws.vectors;
  const out: (Isolation | null)[] = seeds.map(() => null);
  if (!seeds.length) return out;
  // Twice. The first centre is the seed's median (each coordinate's), which one window chained into a tight
  // component by a single link cannot move far; the second is the mean of the members that cut found (of the
  // seed, when it found fewer than 3), from which the group is scored (the first cut stands when the second
  // finds none). A seed of 1-2 windows (whose median is its mean) is measured again only from 3+ members found.
  let members: (number[] | null)[] = seeds.slice();
  const low = lowFrequencyCoefficients(ws, absolute);
  for (let round = 0; round < 2; round++) {
    let active: number[] = [];
    for (let c = 0; c < members.length; c++) if (members[c]) active.push(c);
    if (!active.length) break;
    const centresOf = round === 0 ? medianCentres : meanCentres;
    let centres = centresOf(v, dim, active.map((c) => members[c]!));
    if (round === 0 && screen && ws.count > 2 * screen.sample) {
      const kept = screenCandidates(ws, low, centres, active.map((c) => members[c]!), radius, noiseFloor, scratch, screen, seed, absolute);
      active = kept.map((a) => active[a]!);
      centres = pickRows(centres, dim, kept);
      if (!active.length) break;
    }
    const near = nearWindows(ws, low, centres, active.length, radius, null, absolute);
    const next: (number[] | null)[] = members.map(() => null);
    active.forEach((c, a) => {
      const cut = bestCut(ws, near.w[a]!, near.d[a]!, radius, noiseFloor, scratch, atPlace);
      if (cut) out[c] = cut;
      if (round > 0) return;
      if (cut && cut.windows.length >= 3) next[c] = cut.windows;
      else if (members[c]!.length >= 3) next[c] = members[c]!;
    });
    members = next;
  }
  return out;
}

/** The mean vector of each member list, rows of dim floats. */
function meanCentres(v: Float32Array, dim: number, lists: number[][]): Float32Array {
  const centres = new Float32Array(lists.length * dim);
  lists.forEach((mem, a) => {
    const centre = centres.subarray(a * dim, (a + 1) * dim);
    for (const w of mem) for (let d = 0; d < dim; d++) centre[d] += v[w * dim + d]! / mem.length;
  });
  return centres;
}

/**
 * The coordinate-wise median of each member list (the mean of the middle two for an even count), rows of dim
 * floats; by selection, since a seed can hold many windows.
 */
function medianCentres(v: Float32Array, dim: number, lists: number[][]): Float32Array {
  const centres = new Float32Array(lists.length * dim);
  let values = new Float32Array(0);
  lists.forEach((mem, a) => {
    const n = mem.length, o = a * dim, h = n >> 1;
    if (values.length < n) values = new Float32Array(n);
    const col = values.subarray(0, n);
    for (let d = 0; d < dim; d++) {
      for (let i = 0; i < n; i++) col[i] = v[mem[i]! * dim + d]!;
      const upper = selectKth(col, h);
      centres[o + d] = n % 2 ? upper : (selectKth(col, h - 1) + upper) / 2;
    }
  });
  return centres;
}

/** The listed rows of a matrix of dim columns, in list order. */
function pickRows(rows: Float32Array, dim: number, list: number[]): Float32Array {
  const out = new Float32Array(list.length * dim);
  list.forEach((r, i) => out.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/**
 * The candidates (indices into centres) whose isolation, measured against a random sample of the place's
 * windows plus their own seed windows, reaches screen.minScore.
 */
function screenCandidates(
  ws: WindowSet, low: LowFrequency, centres: Float32Array, seeds: number[][], radius: number, noiseFloor: number,
  scratch: IsolationScratch, screen: Screen, seed: number, absolute: boolean,
): number[] {
  const m = ws.count, dim = ws.dim, v = ws.vectors;
  // Each window is drawn on its own with probability sample / m, by a hash of its index and the place.
  const cutoff = Math.floor((screen.sample / m) * 2 ** 32);
  const drawn: number[] = [];
  const salt = Math.imul(seed, 0x9e3779b1);
  for (let w = 0; w < m; w++) if (hash32(w ^ salt) < cutoff) drawn.push(w);
  const sample = Int32Array.from(drawn);
  const near = nearWindows(ws, low, centres, seeds.length, radius, sample, absolute);
  const unit = centreUnits(centres, seeds.length, dim, absolute, channelsOf(ws));
  const gen = ++scratch.gen;
  for (const w of sample) scratch.mark[w] = gen;
  const kept: number[] = [];
  seeds.forEach((mem, a) => {
    const nw = near.w[a]!, nd = near.d[a]!;
    const r2 = (radius * unit[a]!) ** 2;
    // The seed's own windows, where the sample missed them.
    for (const w of mem) {
      if (scratch.mark[w] === gen) continue;
      let d2 = 0;
      for (let d = 0; d < dim; d++) {
        const x = v[w * dim + d]! - centres[a * dim + d]!;
        d2 += x * x;
      }
      if (d2 < r2) {
        nw.push(w);
        nd.push(Math.fround(Math.sqrt(d2) / unit[a]!));
      }
    }
    if (cutScore(ws, nw, nd, radius, noiseFloor, scratch).score >= screen.minScore) kept.push(a);
  });
  return kept;
}

/** A 32-bit integer hash (lowbias32): well mixed, so consecutive windows are drawn independently. */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** How many low-frequency coefficients bound a distance before it is computed exactly. */
const BOUND_COEFFS = 8;

/**
 * An orthonormal basis of the lowest spatial frequencies of a size x size window (2-D DCT-II, no DC: the
 * window vectors have zero mean), over vectors of `dim` floats whose first size x size are the window's luma.
 * Window differences of natural images put most of their energy there, so the squared distance over these
 * coefficients, a lower bound of the full one, passes the radius after a few terms for most far windows.
 * With `withMean`, the constant term of the luma and, for each further channel, its mean are included.
 */
function lowFrequencyBasis(size: number, count: number, withMean: boolean, dim: number, channels: number[]): Float32Array {
  const freqs: [number, number][] = [];
  for (let u = 0; u < size; u++) for (let v = 0; v < size; v++) if (withMean || u + v > 0) freqs.push([u, v]);
  freqs.sort((a, b) => a[0] + a[1] - (b[0] + b[1]) || a[0] - b[0]);
  const k = Math.min(count, freqs.length), extra = withMean ? channels.length - 1 : 0;
  const basis = new Float32Array((k + extra) * dim);
  const alpha = (f: number): number => Math.sqrt((f === 0 ? 1 : 2) / size);
  for (let j = 0; j < k; j++) {
    const [u, v] = freqs[j]!;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      basis[j * dim + y * size + x] = alpha(u) * alpha(v) * Math.cos((Math.PI * (2 * x + 1) * u) / (2 * size)) * Math.cos((Math.PI * (2 * y + 1) * v) / (2 * size));
    }
  }
  // A colour channel's mean: the window's mean colour, the first thing two windows of a place differ in.
  for (let c = 1, at = channels[0]!; c <= extra; at += channels[c]!, c++) {
    const len = channels[c]!;
    basis.fill(1 / Math.sqrt(len), (k + c - 1) * dim + at, (k + c - 1) * dim + at + len);
  }
  return basis;
}

/**
 * The basis, and every window's coefficients over it once a measurement needed them all (the same for both
 * rounds at a place).
 */
interface LowFrequency { basis: Float32Array; k: number; windows: Float32Array | null }

function lowFrequencyCoefficients(ws: WindowSet, absolute: boolean): LowFrequency {
  // Normalised vectors have zero mean: their constant coefficient is 0 and is left out.
  const basis = lowFrequencyBasis(ws.size, BOUND_COEFFS, absolute, ws.dim, channelsOf(ws));
  return { basis, k: basis.length / ws.dim, windows: null };
}

/** The coefficients of the listed vectors, in list order. */
function projectSome(vectors: Float32Array, list: Int32Array, dim: number, basis: Float32Array): Float32Array {
  return projectRows(vectors, list.length, (i) => list[i]!, dim, basis);
}

/** Each vector's coefficients over the basis (rows of k floats). */
function project(vectors: Float32Array, count: number, dim: number, basis: Float32Array): Float32Array {
  return projectRows(vectors, count, (i) => i, dim, basis);
}

/** The coefficients over the basis of `count` vectors, the i-th being row `row(i)` of `vectors`. */
function projectRows(vectors: Float32Array, count: number, row: (i: number) => number, dim: number, basis: Float32Array): Float32Array {
  const k = basis.length / dim;
  const out = new Float32Array(count * k);
  for (let i = 0; i < count; i++) {
    const o = row(i) * dim;
    for (let j = 0; j < k; j++) {
      let acc = 0;
      for (let d = 0; d < dim; d++) acc += vectors[o + d]! * basis[j * dim + d]!;
      out[i * k + j] = acc;
    }
  }
  return out;
}

/**
 * For each centre, the windows closer than radius (among `only`, or all) and their distances, in window order. A window is only
 * measured in full when its low-frequency distance (a lower bound, with a margin for rounding) is inside the
 * radius, so the windows found and their distances are exactly those of measuring every window in full.
 */
function nearWindows(
  ws: WindowSet, low: LowFrequency, centres: Float32Array, count: number, radius: number, only: Int32Array | null, absolute: boolean,
): { w: number[][]; d: number[][] } {
  const dim = ws.dim, v = ws.vectors;
  const m = only ? only.length : ws.count;
  const unit = centreUnits(centres, count, dim, absolute, channelsOf(ws));
  const r2s = Float64Array.from(unit, (u) => (radius * u) ** 2);
  // The bound costs k x dim per window to project it, and saves up to dim - k per window and centre: it pays with
  // many centres (many candidates, long vectors), not with a few short ones. Either way the result is exact.
  const k = low.k;
  const bounded = count * (dim - k) > k * dim;
  if (bounded && !only && !low.windows) low.windows = project(v, ws.count, dim, low.basis);
  const pw = !bounded ? null : only ? projectSome(v, only, dim, low.basis) : low.windows!;
  const pc = bounded ? project(centres, count, dim, low.basis) : null;
  const nw: number[][] = Array.from({ length: count }, () => []);
  const nd: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < m; i++) {
    const w = only ? only[i]! : i, o = w * dim;
    for (let a = 0, co = 0; a < count; a++, co += dim) {
      const r2 = r2s[a]!;
      if (pw) {
        const bound = r2 * (1 + 1e-4) + 1e-4;
        let lb = 0;
        for (let j = 0, po = (only ? i : w) * k, qo = a * k; j < k && lb < bound; j++) {
          const x = pw[po + j]! - pc![qo + j]!;
          lb += x * x;
        }
        if (lb >= bound) continue;
      }
      // Most windows are far from a centre: stop summing once past the radius (beyond it only "far" matters).
      let d2 = 0;
      for (let d = 0; d < dim && d2 < r2; d++) {
        const x = v[o + d]! - centres[co + d]!;
        d2 += x * x;
      }
      if (d2 >= r2) continue;
      nw[a]!.push(w);
      nd[a]!.push(Math.fround(Math.sqrt(d2) / unit[a]!));
    }
  }
  return { w: nw, d: nd };
}

/**
 * The unit of distance around each centre: 1 for normalised vectors (distances are already relative to
 * contrast); for absolute ones, the centre's own contrast (root of its summed squared deviations from its
 * mean, each channel from its own), so that radius, noise floor and scores keep their meaning.
 */
function centreUnits(centres: Float32Array, count: number, dim: number, absolute: boolean, channels: number[]): Float64Array {
  const unit = new Float64Array(count).fill(1);
  if (!absolute) return unit;
  for (let a = 0; a < count; a++) {
    let dev = 0;
    for (let c = 0, at = a * dim; c < channels.length; at += channels[c]!, c++) {
      const len = channels[c]!;
      let sum = 0, sq = 0;
      for (let d = at; d < at + len; d++) {
        const x = centres[d]!;
        sum += x;
        sq += x * x;
      }
      dev += Math.max(0, sq - (sum * sum) / len);
    }
    unit[a] = Math.max(1e-6, Math.sqrt(dev));
  }
  return unit;
}

/** The dimensions of each channel of a window set's vectors (one channel unless it says otherwise). */
function channelsOf(ws: WindowSet): number[] {
  return ws.channels ?? [ws.dim];
}

/** The near windows in distance order, one per image (near-duplicates of a kept one left out), and the best cut. */
export function cutScore(ws: WindowSet, nearW: number[], nearD: number[], radius: number, noiseFloor: number, scratch: IsolationScratch): { kept: number[]; keptD: number[]; score: number; k: number } {
  const order = nearW.map((_, j) => j).sort((a, b) => nearD[a]! - nearD[b]!);
  // One window per image; near-duplicates of a member are not extra members (nor the next neighbour).
  const kept: number[] = [], keptD: number[] = [];
  const dups = scratch.dups;
  dups.clear();
  for (const j of order) {
    const im = ws.image[nearW[j]!]!;
    if (dups.has(im)) continue;
    dups.add(im);
    kept.push(nearW[j]!);
    keptD.push(nearD[j]!);
  }
  let bestS = 0, bestK = 0;
  for (let k = 2; k <= kept.length; k++) {
    const reach = Math.max(keptD[k - 1]!, noiseFloor);
    const next = k < kept.length ? keptD[k]! : radius;
    const s = Math.log(next / reach) * Math.log2(k);
    if (s > bestS) {
      bestS = s;
      bestK = k;
    }
  }
  return { kept, keptD, score: bestS, k: bestK };
}

/** The isolation cut over one centre's near windows; null when no cut of 2+ members scores above 0. */
function bestCut(ws: WindowSet, nearW: number[], nearD: number[], radius: number, noiseFloor: number, scratch: IsolationScratch, atPlace: boolean): Isolation | null {
  const { kept, keptD, score: bestS, k: bestK } = cutScore(ws, nearW, nearD, radius, noiseFloor, scratch);
  if (bestK < 2) return null;
  const chosen = kept.slice(0, bestK);
  for (let k = 0; k < bestK; k++) scratch.dist[chosen[k]!] = keptD[k]!;
  const next = bestK < kept.length ? keptD[bestK]! : radius;
  const byImage = [...chosen].sort((a, b) => ws.image[a]! - ws.image[b]!);
  return { windows: chosen, group: {
    size: ws.size,
    atPlace,
    images: Int32Array.from(byImage, (w) => ws.image[w]!),
    x: Uint16Array.from(byImage, (w) => ws.x[w]!),
    y: Uint16Array.from(byImage, (w) => ws.y[w]!),
    score: new Float32Array(bestK).fill(bestS),
    reach: Float32Array.from(byImage, (w) => scratch.dist[w]!),
    next: new Float32Array(bestK).fill(next),
  } };
}
