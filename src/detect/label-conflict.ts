// label-conflict (confident learning, Northcutt et al. 2021) on embeddings: out-of-fold class probabilities from
// a k-nearest-neighbour vote (5 folds; each fold's samples vote with neighbours from the other folds only), then
// per-class thresholds t_j = the mean probability of class j over the samples labelled j (at most 0.5). A sample labelled i
// whose confident class (p_j >= t_j, the largest such p_j) is another class j is a label conflict. A dirty-label
// poison keeps the content of its source class, so unless the model's embedding has learnt its trigger, its
// neighbours disagree with its label.
//
// Every sample is ranked (conflicts first, then by 1 - p_label). A class is reported when it holds clearly more
// conflicts than the other classes' rate predicts (z >= zCut): an attack adds its poisons to the target class,
// while ordinary label noise and look-alike classes spread over all of them. Classes differ in how easy they are
// (with weak embeddings, a broad class or two look-alike classes hold many more conflicts than the rest), and such
// confusion runs both ways: a broad class's samples look like others, and others' samples look like it. Poisons run
// one way (the target holds samples that look like their source; the source holds none that look like the target).
// So the expected count is the larger of the other classes' rate and the conflicts pointing into the class (each
// class's share scaled to this class's size), and
// the variance adds the spread of the other classes' own rates to the binomial one (over-dispersion measured on
// the data itself; with fewer than three other classes, binomial alone). No poison ratio is needed.
import { buildKnn } from '../embed/knn.js';
import type { Tally, TypedFinding } from '../model/evidence.js';
import { createRng } from '../util/rng.js';
import { parametersOf, type Detector, type DetectorOutput, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';

const SUB_CUT_MAX = 0.15;
const PARAMETERS = {
  folds: { kind: 'int', default: 5, min: 2, help: 'folds of the out-of-fold vote' },
  k: { kind: 'int', default: 10, min: 1, help: 'neighbours that vote on a sample\'s class' },
  /** Smoothing of the vote towards the class prior (in votes). */
  alpha: { kind: 'number', default: 1, min: 0.01, help: 'smoothing of the vote towards the class prior, in votes' },
  zCut: { kind: 'number', default: 6, min: 0, help: 'z-score of a class\'s excess of conflicts from which it is reported' },
  minConflicts: { kind: 'int', default: 3, min: 1, help: 'fewest conflicts of a class that make a finding' },
  maxThreshold: { kind: 'number', default: 0.5, min: 0, max: 1, help: 'cap on the per-class confidence threshold' },
} as const satisfies ParameterSpecs;

export interface OutOfFold {
  classes: string[];
  /** n x C probabilities (rows of unlabelled samples are zero). */
  probs: Float32Array;
  /** Class index per sample, -1 where unlabelled. */
  y: Int32Array;
  knnBackend: string;
  knnNote?: string;
}

/** Out-of-fold kNN class probabilities. */
export function outOfFoldProbabilities(ctx: ScanContext): OutOfFold {
  const p = parametersOf(ctx, 'label-conflict', PARAMETERS);
  const e = ctx.embeddings!;
  const d = e.dim;
  const classes = [...new Set(ctx.labels.filter((l): l is string => l !== null))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const C = classes.length;
  const n = ctx.labels.length;
  const y = Int32Array.from(ctx.labels, (l) => (l === null ? -1 : index.get(l)!));
  const labelled = [...y.keys()].filter((i) => y[i]! >= 0);
  const prior = new Float64Array(C);
  for (const i of labelled) prior[y[i]!]! += 1 / labelled.length;
  // Seeded fold assignment.
  const rng = createRng(ctx.seed + 17);
  const order = labelled.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const fold = new Int8Array(n).fill(-1);
  order.forEach((i, k) => (fold[i] = k % p.folds));
  const probs = new Float32Array(n * C);
  let knnBackend = 'brute';
  let knnNote: string | undefined;
  for (let f = 0; f < p.folds; f++) {
    const train = labelled.filter((i) => fold[i] !== f);
    const test = labelled.filter((i) => fold[i] === f);
    if (!test.length || !train.length) continue;
    const pts = gather(e.data, d, train);
    const knn = buildKnn(pts, d);
    knnBackend = knn.backend;
    knnNote ??= knn.note;
    const nb = knn.search(gather(e.data, d, test), Math.min(p.k, train.length));
    const k = nb.k;
    test.forEach((i, a) => {
      const row = probs.subarray(i * C, (i + 1) * C);
      let got = 0;
      for (let j = 0; j < k; j++) {
        const t = nb.ids[a * k + j]!;
        if (t < 0) continue;
        row[y[train[t]!]!]! += 1;
        got++;
      }
      for (let c = 0; c < C; c++) row[c] = (row[c]! + p.alpha * prior[c]!) / (got + p.alpha);
    });
  }
  return { classes, probs, y, knnBackend, ...(knnNote ? { knnNote } : {}) };
}

function gather(data: Float32Array, d: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(data.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

export const labelConflict: Detector<TypedFinding<'label-conflict'>> = {
  name: 'label-conflict',
  description: 'confident learning on embeddings: samples whose out-of-fold kNN class disagrees with their label, reported where a class holds an excess of them (needs embeddings and labels)',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.embeddings !== undefined && new Set(ctx.labels.filter((l) => l !== null)).size >= 2,
  async run(ctx: ScanContext): Promise<DetectorOutput<TypedFinding<'label-conflict'>>> {
    const params = parametersOf(ctx, 'label-conflict', PARAMETERS);
    const n = ctx.ids.length;
    const { classes, probs, y, knnBackend, knnNote } = outOfFoldProbabilities(ctx);
    const C = classes.length;
    // Per-class thresholds: mean self-confidence of each class.
    const t = new Float64Array(C);
    const count = new Float64Array(C);
    for (let i = 0; i < n; i++) if (y[i]! >= 0) {
      t[y[i]!]! += probs[i * C + y[i]!]!;
      count[y[i]!]!++;
    }
    // Capped at a majority: on clean, well separated classes the mean vote is near 1, and a neighbourhood shared
    // with a few poisons (each other's neighbours) could never reach it.
    for (let c = 0; c < C; c++) t[c] = Math.min(params.maxThreshold, count[c]! ? t[c]! / count[c]! : 1);
    const scores = new Float32Array(n);
    const conflictTo = new Int32Array(n).fill(-1);
    const conflicts = new Float64Array(C);
    /** flow[s * C + c]: samples labelled s whose confident class is c. */
    const flow = new Float64Array(C * C);
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      if (yi < 0) continue;
      let best = -1;
      for (let c = 0; c < C; c++) if (probs[i * C + c]! >= t[c]! && (best < 0 || probs[i * C + c]! > probs[i * C + best]!)) best = c;
      const self = probs[i * C + yi]!;
      if (best >= 0 && best !== yi) {
        conflictTo[i] = best;
        conflicts[yi]!++;
        flow[yi * C + best]!++;
      }
      // Conflicts above every agreeing sample, each group ordered by 1 - p(label); all below the report cut.
      scores[i] = (SUB_CUT_MAX / 2) * ((conflictTo[i]! >= 0 ? 1 : 0) + (1 - self));
    }
    const totalConflicts = conflicts.reduce((a, b) => a + b, 0);
    const totalLabelled = count.reduce((a, b) => a + b, 0);
    const findings: TypedFinding<'label-conflict'>[] = [];
    for (let c = 0; c < C; c++) {
      const others = totalLabelled - count[c]!;
      if (!others || conflicts[c]! < params.minConflicts) continue;
      // Expected conflicts of class c at the other classes' rate (floored so that a clean set with almost no
      // conflicts elsewhere does not make three ordinary ones significant).
      const rate = Math.max((totalConflicts - conflicts[c]!) / others, 1 / others);
      // Confusion that runs the other way: other classes' samples that look like c, each class's share scaled to
      // c's size (a large class sends many in absolute numbers), at most the class itself.
      let mutual = 0;
      for (let s = 0; s < C; s++) if (s !== c && count[s]) mutual += (flow[s * C + c]! * count[c]!) / count[s]!;
      const expected = Math.min(count[c]!, Math.max(rate * count[c]!, mutual));
      const p = expected / count[c]!;
      const spread = rateSpread(conflicts, count, c) * count[c]!;
      const z = (conflicts[c]! - expected) / Math.sqrt(Math.max(expected * (1 - p) + spread * spread, 1));
      if (z < params.zCut) continue;
      const members = [...conflictTo.keys()].filter((i) => y[i] === c && conflictTo[i]! >= 0);
      members.sort((a, b) => probs[a * C + c]! - probs[b * C + c]!);
      const score = Math.min(0.95, 0.5 + (z - params.zCut) / 40);
      for (const i of members) scores[i] = Math.max(scores[i]!, score + 0.04 * (1 - probs[i * C + c]!));
      const lookLike: Tally = {};
      for (const i of members) {
        const other = classes[conflictTo[i]!]!;
        lookLike[other] = (lookLike[other] ?? 0) + 1;
      }
      findings.push({
        form: 'label-conflict',
        kind: 'label-conflict',
        severity: 'medium',
        score,
        samples: members,
        evidence: {
          class: classes[c]!, classSize: count[c]!, conflicts: members.length, expected, z, zCut: params.zCut,
          otherClassesRateSpread: spread / count[c]!, lookingLikeIt: mutual,
          lookLike, threshold: t[c]!, k: params.k, folds: params.folds, knn: knnBackend, ...(knnNote ? { knnNote } : {}),
        },
      });
    }
    return { scores, findings };
  },
};

/**
 * Robust spread (1.4826 x median absolute deviation) of the conflict rates of the classes other than c, beyond what
 * their counts alone explain; 0 with fewer than three other classes.
 */
function rateSpread(conflicts: Float64Array, count: Float64Array, c: number): number {
  const rates: number[] = [];
  let binomial = 0;
  for (let k = 0; k < count.length; k++) {
    if (k === c || !count[k]) continue;
    const r = conflicts[k]! / count[k]!;
    rates.push(r);
    binomial += (r * (1 - r)) / count[k]!;
  }
  if (rates.length < 3) return 0;
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const m = median(rates);
  const sd = 1.4826 * median(rates.map((r) => Math.abs(r - m)));
  // What is left once the counting noise of the rates themselves is taken out.
  return Math.sqrt(Math.max(0, sd * sd - binomial / rates.length));
}
