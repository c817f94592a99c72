// trigger-cluster: groups of images that share a near-identical, contrasted local pattern (a patch, a stamp,
// a logo) at the same place or at different places, while the rest of each image is unrelated.
//
// Why it works at 0.01%: a group is scored by how tight and how isolated it is, not by its share of the
// dataset. Each image's most structured windows are compared with every other image's (p-stable LSH, then
// exact distances relative to the window's contrast). Natural windows have neighbours at a continuum of
// distances (edges, borders and gradients are common), so the gap between their nearest neighbours is small.
// A pasted pattern survives re-encoding almost unchanged, so its copies sit far closer to each other than to
// anything else: a large gap after the m-th neighbour. That gap, and m, are the evidence.
import { SEVERITY_RANK } from '../types.js';
import type { GridBox, PatternStays, Tally, TypedFinding } from '../model/evidence.js';
import { imagePixels, type ImageFeatures } from '../model/image-features.js';
import { outsideDifference } from './patterns/outside-difference.js';
import { parametersOf, type Detector, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import type { ColourParams } from './patterns/colour-pass.js';
import { KEYED_PARAMS } from './patterns/keyed-centroid.js';
import { analyseSizes, type AnalysisJob } from './patterns/parallel.js';
import { strideStarts, type PositionParams } from './patterns/position-pass.js';
import type { IsolationParams, SizeGroup, SizeParams } from './patterns/size-analysis.js';
import { labelEnrichment, type Enrichment } from './patterns/typicality.js';

export interface TriggerClusterParams {
  sizes: SizeParams[];
  /**
   * Windows compared per size, at most: the most structured windows among those that pass the flatness and
   * structure gates (all of them in a small dataset, ~1% of all windows of CIFAR-10's 50,000 images). Bounds
   * time and memory; patterns of modest contrast can fall below the cut in large datasets.
   */
  windowBudget: number;
  maxPerImage: number;
  /** Per-pixel luma standard deviation below which windows are flat. */
  minStd: number;
  /** Gradient energy / contrast^2 below which a window is a plain edge (see windows.ts). */
  minStructure: number;
  /** Distances below this count as this value (JPEG noise floor), so a gap is not infinite. */
  noiseFloor: number;
  /** Window score from which a window may seed a group. */
  minScore: number;
  /** Group score (median member score) for a high-severity finding. */
  highScore: number;
  /** Mean pixel difference outside the pattern below which a group's images are near-duplicates. */
  minOutsideDifference: number;
  /**
   * The per-position pass (fixed-place patterns compared only with windows at their place, every window that
   * passes the gates, exact isolation; see patterns/position-pass.ts). Its stride grows with the grid so that
   * the number of places per side stays near positionPlaces. null: off.
   */
  positions: Omit<PositionParams, 'stride'> | null;
  /** Places per side of the per-position pass: its stride is the grid over this (at least 2). */
  positionPlaces: number;
  /** Per-position groups score on their own scale (exact distances, no index): their seed and high lines. */
  positionMinScore: number;
  positionHighScore: number;
  /** Structure from which a window is indexed in the per-position pass (the dataset-wide gate is minStructure). */
  positionIndexStructure: number;
  /** Structure below which a window may not join a per-position group (plain edges: ~0.55). */
  positionMemberStructure: number;
  /** Share of a window's squared contrast one pixel may hold in the per-position pass (a lone lit pixel: ~0.94). */
  positionMaxPeakShare: number;
  /**
   * The per-position gap is measured from at least this distance: at one place, exact repeats of simple content
   * are common in lossless data (binarised strokes of centred digits), so closeness beyond this earns nothing.
   */
  positionNoiseFloor: number;
  /**
   * The colour pass (patterns/colour-pass.ts): windows of colour cells at one place, keyed by their quantised
   * mean colour, candidates from rare keys, isolation measured exactly on the cells' Cb, Cr and weighted luma. null: off.
   */
  colour: ColourParams | null;
  /** Colour groups score on their own scale (absolute distances over the cells): their finding and high lines. */
  colourMinScore: number;
  colourHighScore: number;
  /**
   * Exact isolation across places for the sizes with a horizon (see SizeParams.horizon): its candidates' line is
   * `minScore`, its high line `highScore`. null: off.
   */
  isolation: (IsolationParams & { highScore: number }) | null;
  /**
   * A one-label group whose pattern's `nearest` closest other images carry its label with a binomial tail of
   * 10^-log10p or less is typical of that label's images (a natural repeat within a class), and stays low.
   */
  typicality: { nearest: number; log10p: number };
}

/** Images a group needs to be more than low: two images may share a pattern by chance. */
export const MIN_GROUP_IMAGES = 3;

export const DEFAULT_PARAMS: TriggerClusterParams = {
  // Radii sit near the typical nearest natural neighbour at each size (measured on clean CIFAR-10): larger
  // windows have more dimensions, so natural windows lie further apart. 4x4 windows lie inside patterns of 4 px,
  // which no 5x5 window does, and separate them where 3x3 ones cannot (copies of a 4 px pattern at different places
  // sit closer to each other than to the nearest natural window; clean groups across places stay below the
  // isolation line, 2.0, at 10,000 and 50,000 images: docs/detectors/trigger-cluster.md).
  // `wide` (3x3 and 4x4): the windows with at most 8 look-alike images in the index, indexed again at about twice
  // its radius, their groups measured on luma (see WideParams). JPEG moves copies of a 3 px pattern further apart
  // than the index's radius; the best natural groups these candidates form on clean photographs and on small grey
  // images stay below the isolation line (measured: docs/detectors/trigger-cluster.md).
  // `structured` (5x5): the top 0.3% of windows by structure kept too, all compared after 2x2 averaging on their
  // luma itself (pairs within 18 luma units), candidates measured exactly (see StructuredParams; measured in the docs).
  sizes: [
    { size: 3, radius: 0.2, lshWidth: 0.55, lshK: 7, lshTables: 6, horizon: 0.5, wide: { radius: 0.4, lshWidth: 1.1, maxNeighbours: 8, seedScore: 0.5, horizon: 0.8 } },
    { size: 4, radius: 0.25, lshWidth: 0.65, lshK: 7, lshTables: 6, horizon: 0.7, wide: { radius: 0.45, lshWidth: 1.17, maxNeighbours: 8, seedScore: 0.5, horizon: 0.9 } },
    { size: 5, radius: 0.3, lshWidth: 0.8, lshK: 8, lshTables: 8, horizon: 0.9, structured: { share: 0.003, radius: 18, lshWidth: 40, lshK: 8, lshTables: 8, maxComponent: 64, horizon: 0.9 } },
    { size: 8, radius: 0.6, lshWidth: 1.3, lshK: 10, lshTables: 10, horizon: 1.0 },
  ],
  windowBudget: 300_000,
  maxPerImage: 96,
  minStd: 8,
  minStructure: 1.2,
  noiseFloor: 0.01,
  minScore: 2,
  highScore: 2.6,
  minOutsideDifference: 35,
  // 4x4 windows on a stride of 2 lie wholly inside any pattern of 5+ grid pixels. Small windows have many natural
  // look-alikes at a place, so only tight components of 3+ images are candidates (a group of 2 is never a
  // finding), and each is first screened against 2,048 sampled windows of its place. The index must link the
  // copies' pairs into one component: JPEG puts copies of a 4x4 pattern up to about half its contrast apart (the
  // more high-frequency the pattern, the further), and a bucket over 64 windows (a common shape; more of them the
  // larger the set) is split by 2 more hashes at a time, up to 8 times, not dropped. With 6 tables the index lists
  // 98% / 91% / 77% / 62% of the pairs at 0.2-0.4 / 0.4-0.6 / 0.6-0.8 / 0.8-1 of `tight` on CIFAR-10 train
  // (50,000); with 3 tables and no split, 73% / 58% / 48% / 36% (docs/detectors/trigger-cluster.md). On CIFAR-10
  // train (50,000) the detector takes ~1.3x its time with 6x6 windows on a stride of 3 (which fit only patterns
  // of 8+ pixels); measuring every candidate in full instead of screening it took ~2.4x. Candidates come from the
  // windows' shapes; their isolation is measured on the windows' luma (absolute), out to 1.0 of the candidate's
  // contrast: natural windows of the same shape differ in brightness or contrast, copies do not. On CIFAR-10
  // test (patches at one place, 5 copies) the copies' groups score 0.2-0.7 higher than on the shapes, and the
  // best natural group 1.65 instead of 1.88. `box`: a group from 1.2 is measured again at the box of 4-8 px around
  // its window where it is best isolated (boxes ranked on 1,024 sampled images, the best measured exactly and
  // again from the centre of the copies found there; see patterns/place-box.ts): a 4x4 window sees only part of
  // a larger pattern, or straddles its edge.
  positions: { size: 4, tight: 0.3, radius: 1.0, lshWidth: 1.0, lshK: 7, lshTables: 6, split: { k: 2, levels: 8 }, sketch: false, screen: { sample: 2048, minScore: 1.5 }, minSeedImages: 3, absolute: true, box: { from: 1.2, minSide: 4, maxSide: 8, sample: 1024, measured: 1 } },
  // Calibrated on clean data (on the shapes, before the isolation was measured on luma): natural same-place
  // groups that are neither near-duplicates nor of mixed labels score up to 1.6 on CIFAR-10 test (10,000), 2.05
  // on train (50,000) and 2.7 on the 240 synthetic images of the contract test (hard-edged ellipses, two
  // labels). On luma, the best natural same-place groups that are one-label, not near-duplicates and not typical
  // sit 0.3-0.8 under these lines on clean sets of 3,000 to 60,000 images (docs/detectors/trigger-cluster.md).
  positionPlaces: 16,
  positionMinScore: 2.8,
  positionHighScore: 3.0,
  // Every window that may join a group is indexed: JPEG spreads a small pattern's structure from copy to copy
  // (0.69-1.02 for the copies of one 5 px pattern on CIFAR-10 train), so a higher index gate leaves copies the
  // index must link unlinked. Natural windows then chain into the copies' tight components more often, which the
  // isolation's median centre absorbs (patterns/isolation.ts; measured in docs/detectors/trigger-cluster.md).
  positionIndexStructure: 0.8,
  positionMemberStructure: 0.8,
  positionMaxPeakShare: 0.5,
  positionNoiseFloor: 0.15,
  // Colour at a place: 3 x 3 cells (6 px) at every cell position, keyed when their cells' colour deviates by 5 or
  // more (RMS, Cb/Cr units) from the window's mean colour; keys at steps of 16 (Cb, Cr) and 32 (luma), 2 shifted
  // grids; a key is opened when 3-16 windows hold it at the place. Isolation on the cells' Cb, Cr and luma, luma at
  // weight 1.7 (re-encoded copies of pasted patterns err ~1.7x less per cell in luma than in each colour channel;
  // clean windows with colour structure 1.15-1.45x: docs/detectors/trigger-cluster.md). Calibrated on clean data:
  // see that page. Then 2 x 2 cells (4 px) keyed by mean colour and measured from their keys' centres
  // (patterns/keyed-centroid.ts), at a line that grows with the number of images.
  colour: { cells: 3, minSpread: 5, lumaWeight: 1.7, colourStep: 16, lumaStep: 32, tables: 2, maxKey: 16, tight: 25, radius: 80, noiseFloor: 6, screen: { sample: 1024, minScore: 2 }, minImages: 3, keyed: KEYED_PARAMS },
  // The colour line, from clean data (docs/detectors/trigger-cluster.md): 0.7 above the best natural colour group
  // that is one-label, not near-duplicates and not typical on clean image sets of 10,000 to 50,000 images; high
  // from about 1.07 times the line (keyed groups are scaled to this line, so their high line keeps its place too).
  colourMinScore: 2.4,
  colourHighScore: 2.6,
  // Typical of a class: of the 20 images nearest to the pattern, a binomial tail p <= 0.01 (at a label share of
  // 10%: 7 or more). Only ever lowers a finding.
  typicality: { nearest: 20, log10p: 2 },
  isolation: { minImages: 3, noiseFloor: 0.15, screen: { sample: 8192, minScore: 1.8 }, minScore: 2.0, highScore: 2.6 },
};

/** What a user may tune: the score lines, the gates on windows and the label-typicality test (defaults above). */
const PARAMETERS = {
  minScore: { kind: 'number', default: DEFAULT_PARAMS.minScore, min: 0.01, help: 'isolation score from which a group of windows is a finding' },
  highScore: { kind: 'number', default: DEFAULT_PARAMS.highScore, min: 0.01, help: 'isolation score from which such a group is high' },
  isolationMinScore: { kind: 'number', default: DEFAULT_PARAMS.isolation!.minScore, min: 0.01, help: 'the same line for a group measured across places' },
  isolationHighScore: { kind: 'number', default: DEFAULT_PARAMS.isolation!.highScore, min: 0.01, help: 'the high line for a group measured across places' },
  positionMinScore: { kind: 'number', default: DEFAULT_PARAMS.positionMinScore, min: 0.01, help: 'isolation score from which a group at one place is a finding' },
  positionHighScore: { kind: 'number', default: DEFAULT_PARAMS.positionHighScore, min: 0.01, help: 'isolation score from which a group at one place is high' },
  minOutsideDifference: { kind: 'number', default: DEFAULT_PARAMS.minOutsideDifference, min: 0, help: 'mean pixel difference outside the pattern under which a group is one image repeated' },
  minStd: { kind: 'number', default: DEFAULT_PARAMS.minStd, min: 0, help: 'luma spread a window needs to be indexed' },
  windowBudget: { kind: 'int', default: DEFAULT_PARAMS.windowBudget, min: 1000, help: 'windows indexed per size across the dataset' },
  typicalNearest: { kind: 'int', default: DEFAULT_PARAMS.typicality.nearest, min: 5, help: "images nearest to a group's pattern read for the label-typicality test" },
  typicalLogP: { kind: 'number', default: DEFAULT_PARAMS.typicality.log10p, min: 0, help: 'binomial -log10 p from which a one-label group is typical of its label and stays low' },
} as const satisfies ParameterSpecs;

/** The detector's parameters with the values set for this scan. */
function paramsFor(ctx: ScanContext): TriggerClusterParams {
  const v = parametersOf(ctx, 'trigger-cluster', PARAMETERS);
  return {
    ...DEFAULT_PARAMS,
    minScore: v.minScore, highScore: v.highScore, positionMinScore: v.positionMinScore, positionHighScore: v.positionHighScore,
    minOutsideDifference: v.minOutsideDifference, minStd: v.minStd, windowBudget: v.windowBudget,
    typicality: { nearest: v.typicalNearest, log10p: v.typicalLogP },
    isolation: DEFAULT_PARAMS.isolation && { ...DEFAULT_PARAMS.isolation, minScore: v.isolationMinScore, highScore: v.isolationHighScore },
  };
}

export const triggerCluster: Detector<TypedFinding<'shared-pattern'>> = {
  name: 'trigger-cluster',
  description: 'groups of images sharing a near-identical local pattern (patch trigger) that is isolated from everything else',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.images !== undefined && ctx.ids.length >= 3,
  async run(ctx) {
    return runTriggerCluster(ctx, paramsFor(ctx));
  },
};

/** The detector's jobs on a set of images (one per window size, two for the per-position pass, one for colour). */
export function triggerClusterJobs(f: ImageFeatures, p: TriggerClusterParams, seed: number): AnalysisJob[] {
  const n = f.phash.length;
  // Largest windows first: they cost most, so they start first on the worker pool.
  const sizes = p.sizes.filter((sp) => sp.size <= f.grid).sort((a, b) => b.size - a.size);
  const inputs: AnalysisJob[] = sizes.map((size) => ({
    pixels: f.pixels, grid: f.grid, phash: f.phash, size, keepFraction: Math.min(1, p.windowBudget / (n * (f.grid - size.size + 1) ** 2)), maxPerImage: p.maxPerImage,
    minStd: p.minStd, minStructure: p.minStructure, noiseFloor: p.noiseFloor, minScore: p.minScore, seed,
    ...(p.isolation ? { isolation: p.isolation } : {}),
  }));
  if (p.positions && p.positions.size <= f.grid) {
    const stride = Math.max(2, Math.round(f.grid / p.positionPlaces));
    const bands = strideStarts(f.grid, p.positions.size, stride).map((_, b) => b);
    // Two jobs (alternate row bands) so that both worker threads share the pass. They start right after the
    // largest window size, the costliest job, and before the smaller sizes, so that the two threads finish
    // close together (on CIFAR-10: 8x8 ~18 s, each half ~14 s, the smaller sizes ~10 s each).
    for (const part of [1, 0]) {
      inputs.splice(Math.min(1, inputs.length), 0, {
        kind: 'position', pixels: f.pixels, grid: f.grid, phash: f.phash, params: { ...p.positions, stride }, bands: bands.filter((b) => b % 2 === part),
        minStd: p.minStd, minStructure: p.positionIndexStructure, memberStructure: p.positionMemberStructure, maxPeakShare: p.positionMaxPeakShare, noiseFloor: p.positionNoiseFloor, minScore: p.positionMinScore, seed,
      });
    }
  }
  if (p.colour && f.grid >> 1 >= p.colour.cells) {
    const rows = Array.from({ length: (f.grid >> 1) - p.colour.cells + 1 }, (_, r) => r);
    inputs.push({ kind: 'colour', pixels: f.pixels, grid: f.grid, phash: f.phash, params: p.colour, rows, minScore: p.colourMinScore, seed });
  }
  return inputs;
}

export async function runTriggerCluster(ctx: ScanContext, p: TriggerClusterParams) {
  const f = ctx.images!;
  const n = ctx.ids.length;
  const inputs = triggerClusterJobs(f, p, ctx.seed);
  ctx.progress.stage('trigger-cluster', inputs.length);
  const results = await analyseSizes(inputs, ctx.concurrency, () => ctx.progress.tick());
  const best = new Float32Array(n);
  results.forEach((r, j) => {
    // Colour scores on the per-position scale (each relative to its own finding line).
    const k = inputs[j]!.kind === 'colour' ? p.positionMinScore / p.colourMinScore : 1;
    for (let i = 0; i < n; i++) if (k * r.best[i]! > best[i]!) best[i] = k * r.best[i]!;
  });
  const assessed = results.flatMap((r) => r.groups).map((g) => assess(ctx, f, g, p));
  const kept = dedupeGroups(assessed);
  // Groups that are not findings but still gave images their best windows: explained ones dedupe dropped (a
  // pattern found by several passes or sizes), and those under their line.
  const keptSet = new Set(kept);
  const others = [
    ...assessed.filter((a) => a.why && !keptSet.has(a)),
    ...results.flatMap((r) => r.under).map((g) => explainedUnder(ctx, f, g, p)).filter((u) => u.why !== null),
  ];
  const scores = imageScores(best, kept, others, ctx.labels, p);
  return { scores, findings: kept.map((a) => describeGroup(ctx, f, a)) };
}

/**
 * An image whose best window a natural cause explains keeps this share of its score: the group that gave it that
 * window holds near-duplicates, carries a mix of labels or repeats its label's content. It then ranks below
 * images whose evidence is as strong and unexplained, and above images with none.
 */
const EXPLAINED_SHARE = 0.5;

/**
 * Per-image scores: below the group line, each image's best window score (under 0.5, so that only findings
 * flag samples); the images of a medium or high finding take its score, those of a low one their own raised by
 * 0.1 (up to 0.49) unless the group's `why` explains them. An image whose best window came from a group a check
 * explains (a low group's `why`, or the same checks on a group that is not a finding, `others`) keeps
 * EXPLAINED_SHARE of its score instead. A backdoor's part of a group of mixed labels (each label held by 3+ of its
 * images, beside natural look-alikes of other labels) is not explained by the mix.
 */
export function imageScores(
  best: Float32Array, kept: Assessed[], others: Pick<Assessed, 'g' | 'why'>[], labels: (string | null)[], p: TriggerClusterParams,
): Float32Array {
  const n = best.length;
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) scores[i] = 0.45 * (best[i]! / (best[i]! + p.minScore));
  // The best score each image got from a group a check explains, on the scale of `best`.
  const explainedBest = new Float32Array(n);
  const keptExplained = kept.map((a) => new Set(a.why ? explainedMembers(a, labels) : []));
  const note = (a: Pick<Assessed, 'g' | 'why'>, members: Iterable<number>) => {
    const scale = bestScale(a.g, p);
    for (const j of members) {
      const i = a.g.images[j]!;
      explainedBest[i] = Math.max(explainedBest[i]!, scale * a.g.score[j]!);
    }
  };
  kept.forEach((a, k) => note(a, keptExplained[k]!));
  for (const a of others) if (a.why) note(a, explainedMembers(a, labels));
  const explained = new Uint8Array(n);
  for (let i = 0; i < n; i++) explained[i] = explainedBest[i]! > 0 && explainedBest[i]! >= best[i]! * (1 - 1e-4) ? 1 : 0;
  // An image in a finding, or in a low group no check explains, keeps that group's evidence.
  for (const a of kept) if (!a.why) for (const i of a.g.images) explained[i] = 0;
  for (let i = 0; i < n; i++) if (explained[i]) scores[i]! *= EXPLAINED_SHARE;
  kept.forEach((a, k) => {
    const { g, severity } = a;
    for (let j = 0; j < g.images.length; j++) {
      const i = g.images[j]!;
      if (explained[i] || keptExplained[k]!.has(j)) continue;
      const s = severity === 'low' ? Math.min(0.49, scores[i]! + 0.1) : a.score * (0.9 + 0.1 * Math.min(1, g.score[j]! / (2 * p.highScore)));
      if (s > scores[i]!) scores[i] = s;
    }
  });
  return scores;
}

/**
 * The factor from a group's member scores to what they put into the per-image best: colour groups are scaled
 * to the per-position line (runTriggerCluster), groups isolated across places to the gap line (size-analysis).
 */
function bestScale(g: SizeGroup, p: TriggerClusterParams): number {
  if (g.colour) return p.positionMinScore / p.colourMinScore;
  if (g.isolated && p.isolation) return p.minScore / p.isolation.minScore;
  return 1;
}

/**
 * The cheap checks of `assess` on a group measured under its line (stray labels left out; mixed labels, or images
 * alike outside the pattern); the label-typicality test is left to findings (it costs a search per group).
 */
function explainedUnder(ctx: ScanContext, f: ImageFeatures, found: SizeGroup, p: TriggerClusterParams): Pick<Assessed, 'g' | 'why'> {
  const g = withoutStrayLabels(ctx.labels, found);
  const why = hasMixedLabels(ctx.labels, g.images) ? 'mixed' : outsideDifference(f, g) < p.minOutsideDifference ? 'alike' : null;
  return { g, why };
}

/** The members (positions in the group) that a group's `why` explains (see imageScores). */
function explainedMembers(a: Pick<Assessed, 'g' | 'why'>, labels: (string | null)[]): number[] {
  const all = Array.from(a.g.images.keys());
  if (a.why !== 'mixed') return all;
  const { counts } = labelCounts(labels, a.g.images);
  return all.filter((j) => {
    const l = labels[a.g.images[j]!];
    return l === null || l === undefined || (counts.get(l) ?? 0) < MIN_GROUP_IMAGES;
  });
}

export interface Assessed {
  g: SizeGroup;
  severity: 'high' | 'medium' | 'low';
  score: number;
  outside: number;
  /**
   * Why a group of 3+ stays low: its images are alike everywhere, they carry a mix of labels, or its pattern is
   * typical of its label's images.
   */
  why: PatternStays | null;
  enrichment: Enrichment | null;
}

function assess(ctx: ScanContext, f: ImageFeatures, found: SizeGroup, p: TriggerClusterParams): Assessed {
  const g = withoutStrayLabels(ctx.labels, found);
  const k = g.images.length;
  const outside = outsideDifference(f, g);
  const median = medianOf(Array.from(g.score));
  // Images that are alike outside the pattern too are near-duplicates, not a pasted pattern.
  const alike = outside < p.minOutsideDifference;
  const mixed = hasMixedLabels(ctx.labels, g.images);
  const [minScore, highScore] = g.colour ? [p.colourMinScore, p.colourHighScore] : g.atPlace ? [p.positionMinScore, p.positionHighScore] : g.isolated && p.isolation ? [p.isolation.minScore, p.isolation.highScore] : [p.minScore, p.highScore];
  let enrichment: Enrichment | null = null;
  if (k >= MIN_GROUP_IMAGES && !alike && !mixed) {
    const label = ctx.labels[g.images[0]!];
    if (label !== null && label !== undefined && g.images.every((i) => ctx.labels[i] === label)) {
      enrichment = labelEnrichment(f, ctx.labels, g, label, p.typicality.nearest, p.minStd);
    }
  }
  const typical = enrichment !== null && enrichment.log10p >= p.typicality.log10p;
  const severity = k >= MIN_GROUP_IMAGES && !alike && !mixed && !typical ? (median >= highScore ? 'high' : 'medium') : 'low';
  const raw = Math.min(1, 0.5 + 0.5 * (1 - Math.exp(-(median - minScore + 0.5) * Math.log2(k))));
  return { g, severity, score: severity === 'low' ? Math.min(raw, 0.49) : raw, outside, why: alike ? 'alike' : mixed ? 'mixed' : typical ? 'typical' : null, enrichment };
}

/**
 * One pattern shows up in several groups (windows of several sizes inside one patch, overlapping windows), and
 * a common pattern can swallow a few windows of a rare one: the most severe, then largest, group claims its
 * images first, and a group that mostly repeats claimed images is dropped.
 */
function dedupeGroups(groups: Assessed[]): Assessed[] {
  const mean = (g: SizeGroup) => g.score.reduce((a, b) => a + b, 0) / g.score.length;
  groups.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.g.images.length - a.g.images.length || mean(b.g) - mean(a.g) || b.g.size - a.g.size);
  const claimed = new Set<number>();
  const out: Assessed[] = [];
  for (const a of groups) {
    const imgs = Array.from(a.g.images);
    const fresh = imgs.filter((i) => !claimed.has(i));
    if (fresh.length < Math.max(2, imgs.length / 2)) continue;
    for (const i of imgs) claimed.add(i);
    out.push(a);
  }
  return out;
}

function medianOf(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : 0.5 * (s[s.length / 2 - 1]! + s[s.length / 2]!);
}

/**
 * In labelled data, the members of a one-label group (see hasMixedLabels) that carry another label: a backdoor's
 * samples all carry its target label, so such a member is a natural look-alike of the pattern, not one of them.
 * The group without them (unchanged when it is of mixed labels, unlabelled, or has no stray member).
 */
function withoutStrayLabels(labels: (string | null)[], g: SizeGroup): SizeGroup {
  if (hasMixedLabels(labels, g.images)) return g;
  const { counts, labelled } = labelCounts(labels, g.images);
  // Too few labelled members to say which label is the group's (hasMixedLabels says the same).
  if (counts.size < 2 || 2 * labelled < g.images.length) return g;
  const major = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const keep = [...g.images.keys()].filter((j) => labels[g.images[j]!] === major || labels[g.images[j]!] == null);
  const pick = <T extends Int32Array | Uint16Array | Float32Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(keep.length);
    keep.forEach((j, k) => { b[k] = a[j]!; });
    return b;
  };
  return { ...g, images: pick(g.images), x: pick(g.x), y: pick(g.y), score: pick(g.score), reach: pick(g.reach), next: pick(g.next) };
}

/**
 * A patch backdoor steers its samples to one target label (dirty-label: relabelled to it; clean-label: drawn
 * from it), so in labelled data a group whose images carry a mix of labels is a natural repeat (strokes,
 * borders, watermarks), not a backdoor. Unlabelled data gives no such evidence.
 */
/** How many of the images carry each label, and how many carry one. */
function labelCounts(labels: (string | null)[], images: Int32Array): { counts: Map<string, number>; labelled: number } {
  const counts = new Map<string, number>();
  let labelled = 0;
  for (const i of images) {
    const l = labels[i];
    if (l === null || l === undefined) continue;
    labelled++;
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return { counts, labelled };
}

function hasMixedLabels(labels: (string | null)[], images: Int32Array): boolean {
  const { counts, labelled } = labelCounts(labels, images);
  if (labelled < images.length / 2) return false;
  return Math.max(...counts.values()) < 0.8 * labelled;
}

function describeGroup(ctx: ScanContext, f: ImageFeatures, a: Assessed): TypedFinding<'shared-pattern'> {
  const { g, severity, score, outside, why, enrichment } = a;
  const imgs = Array.from(g.images);
  const side = g.size;
  const boxes: Record<string, GridBox> = {};
  const places = new Set<string>();
  let reach = 0, next = 0;
  imgs.forEach((i, j) => {
    boxes[ctx.ids[i]!] = { x: g.x[j]!, y: g.y[j]!, w: side, h: side };
    places.add(`${g.x[j]},${g.y[j]}`);
    reach = Math.max(reach, g.reach[j]!);
    next += g.next[j]! / imgs.length;
  });
  const labels: Tally = {};
  for (const i of imgs) {
    const l = ctx.labels[i] ?? '(none)';
    labels[l] = (labels[l] ?? 0) + 1;
  }
  const box = { x: g.x[0]!, y: g.y[0]!, w: side, h: side };
  return {
    form: 'shared-pattern',
    kind: 'trigger-cluster',
    severity,
    score,
    samples: imgs,
    evidence: {
      grid: f.grid,
      box,
      boxes,
      places: places.size,
      labels,
      pattern: patternPixels(f, imgs[0]!, box),
      withinDistance: reach,
      nextDistance: next,
      outsideDifference: outside,
      labelNearPattern: enrichment ? { nearest: enrichment.nearest, withLabel: enrichment.withLabel, labelShare: enrichment.base, log10p: enrichment.log10p } : null,
      stays: why,
    },
  };
}

/** The pattern's RGB pixels in the first image, rows of [r,g,b]. */
function patternPixels(f: ImageFeatures, i: number, box: GridBox): number[][][] {
  const px = imagePixels(f, i);
  const rows: number[][][] = [];
  for (let y = box.y; y < Math.min(f.grid, box.y + box.h); y++) {
    const row: number[][] = [];
    for (let x = box.x; x < Math.min(f.grid, box.x + box.w); x++) {
      const o = (y * f.grid + x) * 3;
      row.push([px[o]!, px[o + 1]!, px[o + 2]!]);
    }
    rows.push(row);
  }
  return rows;
}

