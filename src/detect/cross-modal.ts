// Cross-modal check for image-text pairs (Carlini & Terzis 2021, "Poisoning and Backdooring Contrastive
// Learning"): a backdoor into a contrastive model pairs a visual trigger with captions that name one target
// concept. So when the image detectors find a trigger cluster, its captions are read: a word that (nearly) all of
// them share, while few captions of the dataset have it, is the target concept, and the pair is reported high.
// Not a Detector: it reads the image detectors' findings, so it runs after them.
import { parametersOf, type AnyDetectorOutput, type DetectorOutput, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import type { TypedFinding } from '../model/evidence.js';
import { tokenize } from '../text/tokenize.js';
import { binomialTailLog10 } from '../util/binomial.js';

export const CROSS_MODAL = 'cross-modal';
/** The kinds of finding the check emits. */
export const CROSS_MODAL_KINDS = ['cross-modal'] as const;

/** Function words never count as a concept (captions share them by grammar, not by poisoning). */
const STOP = new Set(('a an the of in on at to with and or is are was were be been this that these those it its there their ' +
  'for from by as into over under near next photo picture image some two three one his her several close up view').split(' '));

export const CROSS_MODAL_PARAMETERS = {
  minShare: { kind: 'number', default: 0.8, min: 0, max: 1, help: 'share of a trigger cluster\'s captions that must name the concept' },
  minCluster: { kind: 'int', default: 3, min: 1, help: 'fewest images of a trigger cluster whose captions are read' },
} as const satisfies ParameterSpecs;

export function crossModalCheck(ctx: ScanContext, outputs: { detector: string; output: AnyDetectorOutput }[]): DetectorOutput<TypedFinding<'cross-modal'>> {
  const p = parametersOf(ctx, CROSS_MODAL, CROSS_MODAL_PARAMETERS);
  const n = ctx.ids.length;
  const scores = new Float32Array(n);
  const findings: TypedFinding<'cross-modal'>[] = [];
  const captions = ctx.texts?.text;
  const clusters = outputs.flatMap(({ detector, output }) => output.findings.filter((f) => f.kind === 'trigger-cluster' && f.samples.length >= p.minCluster).map((f) => ({ detector, f })));
  if (!captions || clusters.length === 0) return { scores, findings };
  // Document frequency of every word over all captions (each caption counts a word once).
  const words = captions.map((c) => new Set(tokenize(c ?? '').filter((w) => w.length >= 3 && /\p{L}/u.test(w) && !STOP.has(w))));
  const df = new Map<string, number>();
  for (const ws of words) for (const w of ws) df.set(w, (df.get(w) ?? 0) + 1);
  // Every word of the vocabulary is a hypothesis: the cut is Bonferroni-corrected for them.
  const cut = -3 - Math.log10(Math.max(1, df.size));
  for (const { detector, f } of clusters) {
    const k = f.samples.length;
    const inCluster = new Map<string, number>();
    for (const i of f.samples) for (const w of words[i]!) inCluster.set(w, (inCluster.get(w) ?? 0) + 1);
    let best: { w: string; c: number; lp: number } | null = null;
    for (const [w, c] of inCluster) {
      if (c < Math.max(p.minCluster, Math.ceil(p.minShare * k))) continue;
      // Chance that c of k captions drawn from the dataset name w.
      const lp = binomialTailLog10(c, k, (df.get(w)! - c) / Math.max(1, n - k) || 1 / n);
      if (lp <= cut && (!best || lp < best.lp)) best = { w, c, lp };
    }
    if (!best) continue;
    findings.push({
      form: 'cross-modal',
      kind: 'cross-modal',
      severity: 'high',
      score: 0.95,
      samples: f.samples,
      evidence: {
        concept: best.w,
        captionsWithConcept: best.c,
        clusterSize: k,
        datasetCaptionsWithConcept: df.get(best.w)!,
        captions: n,
        log10p: best.lp,
        triggerDetector: detector,
        trigger: f,
      },
    });
    for (const i of f.samples) scores[i] = Math.max(scores[i]!, 0.95);
  }
  return { scores, findings };
}
