// The keyed-centroid pass of the colour pass: for a small pattern pasted at one fixed place whose parts are near
// equal in luma, find its copies by their mean colour and measure them against their CENTRE.
//
// Why: after a re-encode, the copies of such a pattern differ from one another by JPEG's error twice over, about
// as much as a copy differs from the nearest natural window at that place, so pairs of copies join nothing. But
// each copy is close to the copies' mean (the error averages out), and natural windows are not: a centre found
// from the copies is isolated where no single copy is (measured: docs/detectors/trigger-cluster.md).
//
// How, at a bounded cost: windows of `cells` x `cells` colour cells (2x2 pixels each, JPEG's chroma grid) at every
// cell position, each as its cells' luma, Cb and Cr. A window with colour structure gets exact keys: its mean
// luma, Cb and Cr, quantised in shifted grids. A key held by a few windows at the place (a rare colour there) is
// opened: its densest window and that window's nearest in the key give a centre. A centre is screened by reading
// the place's windows until a few that are not its members fall within a small multiple of the members' reach
// (a natural centre has look-alikes all around and is dropped early; an isolated one is read to the end); a centre
// that passes is measured exactly against every window of the place, re-centred once on the members found.
import { sharesColour } from './colour-cells.js';
import type { IsolationScratch } from './isolation.js';
import { UNDER_SHARE, type SizeGroup } from './size-analysis.js';

export interface KeyedParams {
  /** Window side in colour cells (2x2 pixels each). */
  cells: number;
  /** Cell positions between the places compared (1: every cell position). */
  stride: number;
  /** Per-cell RMS colour deviation (Cb, Cr) from which a window is keyed: flat colour is no pattern. */
  minSpread: number;
  /** Quantisation steps of the key's mean Cb and Cr, and of its mean luma. */
  colourStep: number;
  lumaStep: number;
  /** Shifted key grids: copies that one grid splits meet in another. */
  tables: number;
  /** A key is opened when minImages..maxKey windows hold it at the place. */
  maxKey: number;
  /** Windows a centre is first taken from: the key's densest window and its nearest in the key. */
  members: number;
  /**
   * The screen: a centre with `screenHits` or more windows (not its members) within `screenReach` times its
   * members' reach is among look-alikes and is dropped.
   */
  screenReach: number;
  screenHits: number;
  /** The gap after a group is measured up to this distance from its centre (luma, Cb, Cr of the cells). */
  radius: number;
  /** Distances below this count as this value (JPEG's error). */
  noiseFloor: number;
  /** Distinct images a group needs. */
  minImages: number;
  /**
   * The finding line on this pass's scale: `line` up to `lineImages` images, then `linePerDoubling` more for each
   * doubling of the dataset (more places' candidates from more windows: the best natural group grows with n).
   */
  line: number;
  lineImages: number;
  linePerDoubling: number;
}

/**
 * Measured settings (docs/detectors/trigger-cluster.md): 4 px windows (2x2 cells) at every cell position, keyed
 * when their cells' colour deviates by 5 or more (RMS, Cb/Cr units) from their mean; keys at steps of 12 (Cb, Cr)
 * and 24 (luma) in 2 shifted grids, opened when 3-16 windows hold one at the place; a centre from 5 windows,
 * dropped when 4 others sit within 3x its members' reach; radius 60, noise floor 4. The line, from clean data:
 * 2.2 up to 10,000 images, 0.35 more per doubling.
 */
export const KEYED_PARAMS: KeyedParams = {
  cells: 2, stride: 1, minSpread: 5, colourStep: 12, lumaStep: 24, tables: 2, maxKey: 16, members: 5, screenReach: 3, screenHits: 4,
  radius: 60, noiseFloor: 4, minImages: 3, line: 2.2, lineImages: 10_000, linePerDoubling: 0.35,
};

/** The pass's finding line at n images. */
export function keyedLine(kp: KeyedParams, n: number): number {
  return kp.line + kp.linePerDoubling * Math.max(0, Math.log2(n / kp.lineImages));
}

/** Members a group may have: the cut is sought among the nearest this many distinct images and one. */
const MAX_MEMBERS = 64;

/**
 * Runs the pass over every cell position. `chroma` (Cb, Cr interleaved) and `luma` are colourCells' output;
 * `G` cells per side. Each group's raw score goes into `best` (per image) after `scale`; groups whose raw score
 * reaches `line` are appended to `groups`, the others of 2+ images from UNDER_SHARE of it to `under`, their scores
 * scaled. Returns the number of windows keyed.
 */
export function analyseKeyed(
  chroma: Int8Array, luma: Uint8Array, G: number, n: number, kp: KeyedParams, scratch: IsolationScratch,
  skipPair: (a: number, b: number) => boolean, line: number, scale: number, best: Float32Array, groups: SizeGroup[], under: SizeGroup[],
): number {
  const C = kp.cells, nc = C * C, D = 3 * nc, T = kp.tables, K = kp.members;
  if (G < C || n < kp.minImages) return 0;
  // Grey images hold no colour: no window can be keyed.
  let coloured = false;
  for (let j = 0; j < chroma.length && !coloured; j++) coloured = chroma[j] !== 0;
  if (!coloured) return 0;
  const places = G - C + 1, cellsPer = G * G;
  const qc = Math.ceil(256 / kp.colourStep) + 2, ql = Math.ceil(256 / kp.lumaStep) + 2, nk = qc * qc * ql;
  const counts = new Int32Array(nk * T);
  const mean = new Float32Array(3 * n), devn = new Float32Array(n), key = new Int32Array(T * n);
  const packed = new Float64Array(T * n);
  // Per opened key: its windows, their pairwise squared distances, each one's nearest.
  const bm = new Int32Array(kp.maxKey), pd = new Float64Array(kp.maxKey * kp.maxKey), row = new Float64Array(kp.maxKey);
  const mem = new Int32Array(K), cand = new Int32Array(K);
  const centre = new Float64Array(D), cm = new Float64Array(3);
  const nearW = new Int32Array(n), nearD = new Float32Array(n);
  const order = new Float64Array(n);
  const keptW = new Int32Array(MAX_MEMBERS + 1), keptD = new Float32Array(MAX_MEMBERS + 1);
  const chosen = new Int32Array(MAX_MEMBERS);
  // The place's windows ordered by mean luma (one bucket per luma level): a scan reads only the levels where a
  // window can be within its distance (the distance is at least the means' times sqrt(cells)).
  const byLuma = new Int32Array(n), lumaStart = new Int32Array(258);
  const minSpread2 = kp.minSpread * kp.minSpread * nc, r2 = kp.radius * kp.radius;
  let keyed = 0;
  let cx = 0, cy = 0;

  /** Squared distance of window i (at cx, cy) to the centre, stopping once it reaches stop. */
  const dist2 = (i: number, stop: number): number => {
    let d2 = 0;
    for (let y = 0, c = 0; y < C && d2 < stop; y++) {
      for (let x = 0, o = i * cellsPer + (cy + y) * G + cx; x < C; x++, o++, c += 3) {
        const a = luma[o]! - centre[c]!, b = chroma[2 * o]! - centre[c + 1]!, r = chroma[2 * o + 1]! - centre[c + 2]!;
        d2 += a * a + b * b + r * r;
      }
    }
    return d2;
  };
  /** The centre of `count` windows of `list`; returns the centre's deviation norm (its distance to its own mean). */
  const centreOn = (list: Int32Array, count: number): number => {
    centre.fill(0);
    for (let q = 0; q < count; q++) {
      const i = list[q]!;
      for (let y = 0, c = 0; y < C; y++) {
        for (let x = 0, o = i * cellsPer + (cy + y) * G + cx; x < C; x++, o++, c += 3) {
          centre[c] += luma[o]! / count;
          centre[c + 1] += chroma[2 * o]! / count;
          centre[c + 2] += chroma[2 * o + 1]! / count;
        }
      }
    }
    cm.fill(0);
    for (let c = 0; c < D; c++) cm[c % 3] += centre[c]! / nc;
    let dv = 0;
    for (let c = 0; c < D; c++) dv += (centre[c]! - cm[c % 3]!) ** 2;
    return Math.sqrt(dv);
  };
  /**
   * A lower bound on a window's squared distance to the centre: a window's cells are its mean plus deviations,
   * orthogonal parts, so the distance is at least that of the means (times the cells) and of the deviation norms.
   */
  const bound = (i: number, cdv: number): number => {
    const a = mean[3 * i]! - cm[0]!, b = mean[3 * i + 1]! - cm[1]!, r = mean[3 * i + 2]! - cm[2]!, e = devn[i]! - cdv;
    return nc * (a * a + b * b + r * r) + e * e;
  };
  const isMember = (i: number, list: Int32Array, count: number): boolean => {
    for (let q = 0; q < count; q++) if (list[q] === i) return true;
    return false;
  };
  /** The range of byLuma holding every window whose mean luma is within sqrt(d2 / cells) of the centre's. */
  const lumaRange = (d2: number): [number, number] => {
    const w = Math.sqrt(d2 / nc);
    const lo = Math.max(0, Math.floor(cm[0]! - w)), hi = Math.min(256, Math.floor(cm[0]! + w) + 1);
    return lo >= hi ? [0, 0] : [lumaStart[lo]!, lumaStart[hi]!];
  };
  /** The screen: false as soon as screenHits non-members sit within screenReach x the members' reach. */
  const screen = (count: number): boolean => {
    const cdv = centreOn(mem, count);
    let reach = 0;
    for (let q = 0; q < count; q++) reach = Math.max(reach, dist2(mem[q]!, Infinity));
    const x2 = Math.max(reach, kp.noiseFloor * kp.noiseFloor) * kp.screenReach * kp.screenReach;
    let hits = 0;
    const [from, to] = lumaRange(x2);
    for (let z = from; z < to; z++) {
      const i = byLuma[z]!;
      if (bound(i, cdv) >= x2 || dist2(i, x2) >= x2 || isMember(i, mem, count)) continue;
      if (++hits >= kp.screenHits) return false;
    }
    return true;
  };
  /** Every window of the place within the radius of the centre of `count` members, in distance order, one per image (near-duplicates as one); the best cut. */
  const measure = (list: Int32Array, count: number): { k: number; kept: number; score: number } => {
    const cdv = centreOn(list, count);
    let m = 0;
    const [from, to] = lumaRange(r2);
    for (let z = from; z < to; z++) {
      const i = byLuma[z]!;
      if (bound(i, cdv) >= r2) continue;
      const d2 = dist2(i, r2);
      if (d2 >= r2) continue;
      nearW[m] = i;
      nearD[m++] = Math.fround(Math.sqrt(d2));
    }
    for (let j = 0; j < m; j++) order[j] = Math.round(nearD[j]! * 4096) * n + j;
    const o = order.subarray(0, m).sort();
    const dups = scratch.dups;
    dups.clear();
    let kept = 0;
    for (let q = 0; q < m && kept <= MAX_MEMBERS; q++) {
      const j = o[q]! % n, im = nearW[j]!;
      if (dups.has(im)) continue;
      dups.add(im);
      keptW[kept] = im;
      keptD[kept++] = nearD[j]!;
    }
    let score = 0, k = 0;
    for (let j = 2; j <= Math.min(kept, MAX_MEMBERS); j++) {
      const next = j < kept ? keptD[j]! : kp.radius;
      const s = Math.log(next / Math.max(keptD[j - 1]!, kp.noiseFloor)) * Math.log2(j);
      if (s > score) {
        score = s;
        k = j;
      }
    }
    return { k, kept, score };
  };

  for (cy = 0; cy < places; cy += kp.stride) {
    for (cx = 0; cx < places; cx += kp.stride) {
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        let sy = 0, sb = 0, sr = 0, qy = 0, qcr = 0;
        for (let y = 0; y < C; y++) {
          for (let x = 0, o = i * cellsPer + (cy + y) * G + cx; x < C; x++, o++) {
            const l = luma[o]!, b = chroma[2 * o]!, r = chroma[2 * o + 1]!;
            sy += l;
            sb += b;
            sr += r;
            qy += l * l;
            qcr += b * b + r * r;
          }
        }
        const my = sy / nc, mb = sb / nc, mr = sr / nc;
        mean[3 * i] = my;
        mean[3 * i + 1] = mb;
        mean[3 * i + 2] = mr;
        const spread = qcr - (sb * sb + sr * sr) / nc;
        devn[i] = Math.sqrt(Math.max(0, spread + qy - sy * my));
        if (spread < minSpread2) {
          for (let t = 0; t < T; t++) key[t * n + i] = -1;
          continue;
        }
        keyed++;
        for (let t = 0; t < T; t++) {
          const sh = t / T;
          const k = t * nk + (Math.floor((mb + 128) / kp.colourStep + sh) * qc + Math.floor((mr + 128) / kp.colourStep + sh)) * ql + Math.floor(my / kp.lumaStep + sh);
          key[t * n + i] = k;
          counts[k]++;
        }
      }
      lumaStart.fill(0);
      for (let i = 0; i < n; i++) lumaStart[Math.floor(mean[3 * i]!) + 2]++;
      for (let l = 2; l < 258; l++) lumaStart[l] += lumaStart[l - 1]!;
      for (let i = 0; i < n; i++) byLuma[lumaStart[Math.floor(mean[3 * i]!) + 1]++] = i;
      // Opened keys: (key, image) packed and sorted, so that a key's windows are consecutive.
      let np = 0;
      for (let w = 0; w < T * n; w++) {
        const k = key[w]!;
        if (k >= 0 && counts[k]! >= kp.minImages && counts[k]! <= kp.maxKey) packed[np++] = k * n + (w % n);
      }
      if (!np) continue;
      const sorted = packed.subarray(0, np).sort();
      for (let a = 0; a < np; ) {
        const k = Math.floor(sorted[a]! / n);
        let b = a + 1;
        while (b < np && Math.floor(sorted[b]! / n) === k) b++;
        const c = b - a;
        for (let p = 0; p < c; p++) bm[p] = sorted[a + p]! - k * n;
        a = b;
        // The key's densest window: the least summed distance to its nearest (members - 1) in the key.
        for (let p = 0; p < c; p++) {
          for (let q = p + 1; q < c; q++) {
            let d2 = Infinity;
            if (!skipPair(bm[p]!, bm[q]!)) {
              d2 = 0;
              const ip = bm[p]! * cellsPer, iq = bm[q]! * cellsPer;
              for (let y = 0; y < C; y++) {
                for (let x = 0, o = (cy + y) * G + cx; x < C; x++, o++) {
                  const e = luma[ip + o]! - luma[iq + o]!, f = chroma[2 * (ip + o)]! - chroma[2 * (iq + o)]!, g = chroma[2 * (ip + o) + 1]! - chroma[2 * (iq + o) + 1]!;
                  d2 += e * e + f * f + g * g;
                }
              }
            }
            pd[p * c + q] = pd[q * c + p] = d2;
          }
        }
        const take = Math.min(K, c);
        let bestSum = Infinity, count = 0;
        for (let p = 0; p < c; p++) {
          for (let q = 0; q < c; q++) row[q] = q === p ? Infinity : pd[p * c + q]!;
          let sum = 0, got = 1;
          cand[0] = bm[p]!;
          for (; got < take; got++) {
            let at = -1, lo = Infinity;
            for (let q = 0; q < c; q++) if (row[q]! < lo) {
              lo = row[q]!;
              at = q;
            }
            if (at < 0) break;
            sum += Math.sqrt(lo);
            row[at] = Infinity;
            cand[got] = bm[at]!;
          }
          if (got >= kp.minImages && sum / (got - 1) < bestSum) {
            bestSum = sum / (got - 1);
            count = got;
            mem.set(cand.subarray(0, got));
          }
        }
        if (count < kp.minImages || !screen(count)) continue;
        // Exact isolation, re-centred once on the members found.
        let cut = measure(mem, count);
        if (cut.k >= kp.minImages) {
          chosen.set(keptW.subarray(0, cut.k));
          const again = measure(chosen, cut.k);
          // The kept lists are the last measure's: measure the first members again when the re-centred cut is empty.
          cut = again.k >= 2 ? again : measure(mem, count);
        }
        if (cut.k < 2 || !sharesColour(keptW, cut.k, chroma, G, C, cx, cy, kp.minSpread)) continue;
        for (let j = 0; j < cut.k; j++) if (scale * cut.score > best[keptW[j]!]!) best[keptW[j]!] = scale * cut.score;
        const finding = cut.k >= kp.minImages && cut.score >= line;
        if (!finding && cut.score < UNDER_SHARE * line) continue;
        const ord = Array.from({ length: cut.k }, (_, j) => j).sort((p, q) => keptW[p]! - keptW[q]!);
        const next = cut.k < cut.kept ? keptD[cut.k]! : kp.radius;
        (finding ? groups : under).push({
          size: 2 * C, atPlace: true, colour: true,
          images: Int32Array.from(ord, (j) => keptW[j]!),
          x: new Uint16Array(cut.k).fill(2 * cx), y: new Uint16Array(cut.k).fill(2 * cy),
          score: new Float32Array(cut.k).fill(scale * cut.score),
          reach: Float32Array.from(ord, (j) => keptD[j]!),
          next: new Float32Array(cut.k).fill(next),
        });
      }
    }
  }
  return keyed;
}
