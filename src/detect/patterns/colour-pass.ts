// The colour pass of trigger-cluster: for a pattern pasted at one fixed place whose cells differ in colour more
// than in brightness, compare each image's colour at a place only with the other images' colour at that place.
//
// Why: the luma passes see such a pattern as flat or as JPEG noise (its parts are near-equal in luma, and a
// re-encode's luma error is a large share of a mid-contrast pattern's luma structure). Its colour, mean included,
// survives: averaged over JPEG's 2x2 chroma cells, the copies at their place sit 2-4x closer to each other than to
// any other image's colour cells there (measured: docs/detectors/trigger-cluster.md).
//
// How, at a cost the scan affords: each image's Cb and Cr averaged over 2x2 pixel cells, once. At each place
// (every cell position of a window of `cells` x `cells` cells), a window with some colour structure gets an exact
// key: its mean colour and mean luma, quantised (in `tables` shifted grids, so that copies on either side of a
// step still meet in one). A pattern's copies share a key; only keys held by few windows at that place (a rare
// colour there) are opened, and their windows compared pair by pair on the cells' absolute colour. Windows joined
// by tight pairs (3+ images) are candidates, whose isolation is measured exactly against every window of the
// place (no gate, no index; screened on a sample first) on the cells' absolute Cb, Cr and weighted luma.
import { colourCells, sharesColour } from './colour-cells.js';
import { hash32, isolationScratch, type IsolationScratch, type Screen } from './isolation.js';
import { analyseKeyed, keyedLine, type KeyedParams } from './keyed-centroid.js';
import { nearDuplicatePairs } from './near-duplicate-hashes.js';
import { UNDER_SHARE, type SizeGroup, type SizeResult } from './size-analysis.js';

export interface ColourParams {
  /** Window side in colour cells (2x2 pixels each). */
  cells: number;
  /** Per-cell RMS colour deviation (Cb, Cr) from which a window is keyed: flat colour is no pattern. */
  minSpread: number;
  /** Quantisation step of the key's mean Cb and Cr, and of its mean luma. */
  colourStep: number;
  lumaStep: number;
  /** Shifted key grids: copies that one grid splits meet in another. */
  tables: number;
  /** A key held by more windows than this at a place is a common colour there and is not opened. */
  maxKey: number;
  /**
   * Pairs of windows closer than this (absolute colour, over the window's cells) join a candidate.
   */
  tight: number;
  /** The gap after a group is measured up to this distance from its centre (Cb, Cr and weighted luma of the cells). */
  radius: number;
  /** Distances below this count as this value (JPEG's error). */
  noiseFloor: number;
  /**
   * Weight of the cells' luma in the isolation's distance (0: colour alone). A pasted pattern repeats its
   * brightness as well as its colour, and a re-encode keeps luma more exactly than colour; natural windows of the
   * same colours come at every brightness.
   */
  lumaWeight: number;
  screen: Screen | null;
  /** Distinct images a candidate needs. */
  minImages: number;
  /**
   * The keyed-centroid pass over smaller windows of the same cells (keyed-centroid.ts): its groups are scored on
   * this pass's scale (its own line mapped to this pass's finding line). null: off.
   */
  keyed: KeyedParams | null;
}

export interface ColourInput {
  kind: 'colour';
  pixels: Uint8Array;
  grid: number;
  phash: BigUint64Array;
  params: ColourParams;
  /** Cell rows (y positions of a window, in cells) this job covers. */
  rows: number[];
  /** Groups scoring from here are returned (every score still counts toward each image's best). */
  minScore: number;
  seed: number;
}

export function analyseColour(inp: ColourInput): SizeResult {
  const { grid, pixels, params: cp } = inp;
  const n = inp.phash.length;
  const G = grid >> 1, C = cp.cells, per = G * G * 2, nc = C * C, dim = 2 * nc;
  const best = new Float32Array(n);
  const groups: SizeGroup[] = [], under: SizeGroup[] = [];
  if (G < C) return { size: 2 * C, windows: 0, best, groups, under };
  const { chroma: cells, luma } = colourCells(pixels, grid, n);
  const skipPair = nearDuplicatePairs(inp.phash);
  const scratch = isolationScratch(inp.phash);
  const places = G - C + 1;
  const qc = Math.ceil(256 / cp.colourStep) + 2, ql = Math.ceil(256 / cp.lumaStep) + 2, keys = qc * qc * ql;
  const counts = new Int32Array(keys * cp.tables);
  // Per place of the row being read, per image: each table's key (-1: not keyed), the window's mean colour.
  const key = new Int32Array(places * cp.tables * n);
  const meanColour = new Float32Array(places * 2 * n);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const centre = new Float32Array(dim + (cp.lumaWeight ? nc : 0));
  // One window per image at a place: window index = image index.
  const everyImage = Int32Array.from({ length: n }, (_, i) => i);
  const near = { w: new Int32Array(n), d: new Float32Array(n) };
  // The screen's sample: the same images at every place, drawn by a hash of their index.
  const sample: number[] = [];
  const inSample = new Uint8Array(n);
  if (cp.screen) {
    const cutoff = Math.floor((cp.screen.sample / n) * 2 ** 32), salt = Math.imul(inp.seed + 7919, 0x9e3779b1);
    for (let i = 0; i < n; i++) if (hash32(i ^ salt) < cutoff) {
      sample.push(i);
      inSample[i] = 1;
    }
  }
  const minSpread2 = cp.minSpread * cp.minSpread * nc;
  const tight2 = cp.tight * cp.tight;
  const colB = new Float64Array(G), colR = new Float64Array(G), colQ = new Float64Array(G), colL = new Float64Array(G);
  let windows = 0;
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (const cy of inp.rows) {
    // Image by image (its cells in cache), every place of the row: sums over C cell rows per column, then windows.
    for (let i = 0; i < n; i++) {
      for (let x = 0; x < G; x++) {
        let b = 0, r = 0, q = 0, l = 0;
        for (let y = cy, o = i * per + (cy * G + x) * 2, ol = i * G * G + cy * G + x; y < cy + C; y++, o += 2 * G, ol += G) {
          const cb = cells[o]!, cr = cells[o + 1]!;
          b += cb;
          r += cr;
          q += cb * cb + cr * cr;
          l += luma[ol]!;
        }
        colB[x] = b;
        colR[x] = r;
        colQ[x] = q;
        colL[x] = l;
      }
      for (let cx = 0; cx < places; cx++) {
        let sb = 0, sr = 0, sq = 0, sl = 0;
        for (let x = cx; x < cx + C; x++) {
          sb += colB[x]!;
          sr += colR[x]!;
          sq += colQ[x]!;
          sl += colL[x]!;
        }
        const mb = sb / nc + 128, mr = sr / nc + 128;
        meanColour[(cx * n + i) * 2] = mb;
        meanColour[(cx * n + i) * 2 + 1] = mr;
        const at = cx * cp.tables * n + i;
        if (sq - (sb * sb + sr * sr) / nc < minSpread2) {
          for (let t = 0; t < cp.tables; t++) key[at + t * n] = -1;
          continue;
        }
        const lum = sl / nc;
        for (let t = 0; t < cp.tables; t++) {
          const shift = t / cp.tables;
          key[at + t * n] = t * keys + (Math.floor(mb / cp.colourStep + shift) * qc + Math.floor(mr / cp.colourStep + shift)) * ql + Math.floor(lum / cp.lumaStep + shift);
        }
      }
    }
    for (let cx = 0; cx < places; cx++) {
      const kp = key.subarray(cx * cp.tables * n, (cx + 1) * cp.tables * n);
      const mc = meanColour.subarray(cx * 2 * n, (cx + 1) * 2 * n);
      counts.fill(0);
      for (let w = 0; w < kp.length; w++) if (kp[w]! >= 0) counts[kp[w]!]!++;
      // Rare keys: (key, image) of the windows whose key minImages..maxKey windows share, sorted by key.
      let nr = 0;
      for (let w = 0; w < kp.length; w++) {
        const k = kp[w]!;
        if (k >= 0 && counts[k]! >= cp.minImages && counts[k]! <= cp.maxKey) nr++;
      }
      windows += nr;
      if (!nr) continue;
      const sorted = new Float64Array(nr);
      for (let w = 0, j = 0; w < kp.length; w++) {
        const k = kp[w]!;
        if (k >= 0 && counts[k]! >= cp.minImages && counts[k]! <= cp.maxKey) sorted[j++] = k * n + (w % n);
      }
      sorted.sort();
      const touched: number[] = [];
      for (let a = 0; a < nr; ) {
        const k = Math.floor(sorted[a]! / n);
        let b = a + 1;
        while (b < nr && Math.floor(sorted[b]! / n) === k) b++;
        for (let p = a; p < b; p++) {
          const i = sorted[p]! - k * n;
          for (let q = p + 1; q < b; q++) {
            const j = sorted[q]! - k * n;
            let d2 = 0;
            for (let y = 0; y < C && d2 < tight2; y++) {
              let oi = i * per + ((cy + y) * G + cx) * 2, oj = j * per + ((cy + y) * G + cx) * 2;
              for (let x = 0; x < 2 * C; x++, oi++, oj++) {
                const d = cells[oi]! - cells[oj]!;
                d2 += d * d;
              }
            }
            if (d2 >= tight2 || skipPair(i, j)) continue;
            const ri = find(i), rj = find(j);
            if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
            touched.push(i, j);
          }
        }
        a = b;
      }
      if (!touched.length) continue;
      const byRoot = new Map<number, Set<number>>();
      for (const i of touched) {
        const r = find(i);
        let s = byRoot.get(r);
        if (!s) byRoot.set(r, (s = new Set()));
        s.add(i);
      }
      for (const i of touched) parent[i] = i;
      const seeds = [...byRoot.values()].filter((s) => s.size >= cp.minImages).map((s) => [...s].sort((a, b) => a - b));
      for (const sd of seeds) {
        const grp = isolateColour(sd, cells, luma, mc, G, C, cx, cy, n, sample, inSample, cp, scratch, centre, near, everyImage);
        if (!grp) continue;
        for (let j = 0; j < grp.images.length; j++) if (grp.score[j]! > best[grp.images[j]!]!) best[grp.images[j]!] = grp.score[j]!;
        if (grp.score[0]! >= inp.minScore) groups.push(grp);
        else if (grp.images.length >= 2 && grp.score[0]! >= UNDER_SHARE * inp.minScore) under.push(grp);
      }
    }
  }
  if (cp.keyed && inp.rows.includes(0)) {
    // Once per scan (in the job holding the first row). Its raw scores relative to its own line at this size,
    // times this pass's line.
    const line = keyedLine(cp.keyed, n);
    windows += analyseKeyed(cells, luma, G, n, cp.keyed, scratch, skipPair, line, inp.minScore / line, best, groups, under);
  }
  return { size: 2 * C, windows, best, groups, under };
}

/**
 * Exact isolation of one candidate at a place, on the cells' absolute Cb, Cr and weighted luma: the distance of every window
 * of the place to the candidate's centre, then the best cut (isolation.ts's cutScore), twice (the second time
 * centred on the members found). A window whose mean colour is further from the centre's than radius / cells
 * cannot be inside the radius (the distance over the cells is at least sqrt(cells) times the distance of the
 * means), so it is passed over unmeasured. With a screen, the candidate is first measured against the sampled
 * windows plus its own, and dropped below the screen's line.
 */
function isolateColour(
  seed: number[], cells: Int8Array, luma: Uint8Array, meanColour: Float32Array, G: number, C: number, cx: number, cy: number, n: number,
  sample: number[], inSample: Uint8Array, cp: ColourParams, scratch: IsolationScratch, centre: Float32Array, near: { w: Int32Array; d: Float32Array }, everyImage: Int32Array,
): SizeGroup | null {
  const per = G * G * 2, nc = C * C, cellsPer = G * G;
  const r2 = cp.radius * cp.radius, m2 = r2 / nc;
  const lw = cp.lumaWeight;
  let members = seed;
  let cut: Cut | null = null;
  // The centre: the members' mean cells (Cb, Cr interleaved as stored) and its mean colour.
  let mb = 0, mr = 0;
  const centreOn = (list: number[]): void => {
    centre.fill(0);
    mb = mr = 0;
    for (const i of list) {
      for (let y = 0, c = 0; y < C; y++) {
        let o = i * per + ((cy + y) * G + cx) * 2;
        for (let x = 0; x < 2 * C; x++, o++, c++) centre[c] += cells[o]! / list.length;
        if (lw) for (let x = 0, ol = i * cellsPer + (cy + y) * G + cx; x < C; x++, ol++) centre[2 * nc + y * C + x] += (lw * luma[ol]!) / list.length;
      }
      mb += meanColour[2 * i]! / list.length;
      mr += meanColour[2 * i + 1]! / list.length;
    }
  };
  // The windows of the list inside the radius, into near (count returned).
  const gather = (list: ArrayLike<number>, from: number): number => {
    let k = from;
    for (let q = 0; q < list.length; q++) {
      const i = list[q]!;
      const db = meanColour[2 * i]! - mb, dr = meanColour[2 * i + 1]! - mr;
      if (db * db + dr * dr >= m2) continue;
      let d2 = 0;
      for (let y = 0, c = 0; y < C && d2 < r2; y++) {
        let o = i * per + ((cy + y) * G + cx) * 2;
        for (let x = 0; x < 2 * C; x++, o++, c++) {
          const d = cells[o]! - centre[c]!;
          d2 += d * d;
        }
        if (lw) for (let x = 0, ol = i * cellsPer + (cy + y) * G + cx; x < C; x++, ol++) {
          const d = lw * luma[ol]! - centre[2 * nc + y * C + x]!;
          d2 += d * d;
        }
      }
      if (d2 >= r2) continue;
      near.w[k] = i;
      near.d[k++] = Math.fround(Math.sqrt(d2));
    }
    return k;
  };
  const measure = (list: ArrayLike<number>): Cut => {
    centreOn(members);
    return bestCut(near, gather(list, 0), n, cp, scratch);
  };
  if (cp.screen && n > 2 * cp.screen.sample) {
    // The screen's score, on the sorted distances alone (a sample rarely holds two near-duplicate images).
    centreOn(seed);
    const k = gather(seed.filter((i) => !inSample[i]), gather(sample, 0));
    const d = near.d.subarray(0, k).sort();
    let score = 0;
    for (let j = 2; j <= k; j++) score = Math.max(score, Math.log((j < k ? d[j]! : cp.radius) / Math.max(d[j - 1]!, cp.noiseFloor)) * Math.log2(j));
    if (score < cp.screen.minScore) return null;
  }
  for (let round = 0; round < 2; round++) {
    const all = measure(everyImage);
    if (all.k < 2) break;
    cut = all;
    const chosen = all.kept.slice(0, all.k);
    if (round === 1 || chosen.length < 3 || sameSet(chosen, members)) break;
    members = chosen;
  }
  if (!cut || cut.k < 2) return null;
  const k = cut.k;
  // What the members share must itself be a pattern: each window passed the spread gate, but a window of one
  // plain colour passes it through its own re-encoding noise, which averages out over the members.
  if (!sharesColour(cut.kept, k, cells, G, C, cx, cy, cp.minSpread)) return null;
  const order = cut.kept.slice(0, k).map((w, j) => [w, cut!.keptD[j]!] as const).sort((a, b) => a[0] - b[0]);
  const next = k < cut.kept.length ? cut.keptD[k]! : cp.radius;
  return {
    size: 2 * C, atPlace: true, colour: true,
    images: Int32Array.from(order, (o) => o[0]),
    x: new Uint16Array(k).fill(2 * cx), y: new Uint16Array(k).fill(2 * cy),
    score: new Float32Array(k).fill(cut.score),
    reach: Float32Array.from(order, (o) => o[1]),
    next: new Float32Array(k).fill(next),
  };
}

interface Cut { kept: number[]; keptD: number[]; score: number; k: number }

/** Members a colour group may have: the cut is sought among the nearest this many distinct images and one. */
const MAX_MEMBERS = 512;

/**
 * The near windows in distance order, one per image (a second window of an image already kept left out), up to
 * MAX_MEMBERS + 1 of them, and the best cut ln(next / reach) * log2(k) (as isolation.ts's cutScore, whose
 * comparator sort of every near window is what a place of many windows cannot afford).
 */
function bestCut(near: { w: Int32Array; d: Float32Array }, count: number, n: number, cp: ColourParams, scratch: IsolationScratch): Cut {
  // Order by distance (to 1/4096, then by position in the list), on packed keys: a numeric sort, no comparator.
  const order = new Float64Array(count);
  for (let j = 0; j < count; j++) order[j] = Math.round(near.d[j]! * 4096) * n + j;
  order.sort();
  const kept: number[] = [], keptD: number[] = [];
  const dups = scratch.dups;
  dups.clear();
  for (let q = 0; q < count && kept.length <= MAX_MEMBERS; q++) {
    const j = order[q]! % n, im = near.w[j]!;
    if (dups.has(im)) continue;
    dups.add(im);
    kept.push(im);
    keptD.push(near.d[j]!);
  }
  let score = 0, k = 0;
  for (let m = 2; m <= Math.min(kept.length, MAX_MEMBERS); m++) {
    const next = m < kept.length ? keptD[m]! : cp.radius;
    const s = Math.log(next / Math.max(keptD[m - 1]!, cp.noiseFloor)) * Math.log2(m);
    if (s > score) {
      score = s;
      k = m;
    }
  }
  return { kept, keptD, score, k };
}

function sameSet(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(b);
  return a.every((x) => s.has(x));
}
