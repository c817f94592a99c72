// The detect stage: every registered detector that applies runs on one ScanContext, or, when a baseline scan of the
// very same samples with the same setup exists, its outputs are re-used.
import { UsageError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { DatasetColumns } from '../model/dataset.js';
import type { Embeddings } from '../model/embeddings.js';
import type { AnyDetector, AnyDetectorOutput, ScanContext } from '../detect/detector.js';
import { detectorsFor, DETECTORS, ON_THREADS } from '../detect/registry.js';
import { runOnThreads, threadPlan } from './detector-threads.js';
import { round } from '../report/combine.js';
import { reusableOutputs, type Baseline } from '../provenance/baseline.js';
import { VERSION } from '../version.js';
import { forgetTokenised } from '../text/tokenised-texts.js';
import type { ParameterValues } from '../config/parameters.js';

/** One detector's (or one later step's) output, by its name. */
export interface DetectorRun {
  detector: string;
  output: AnyDetectorOutput;
}

export interface DetectInput {
  data: DatasetColumns;
  embeddings?: Embeddings;
  /** --detectors: only these. */
  only?: string[];
  baseline?: Baseline;
  /** Detector parameters set by the user, checked (registry.ts checkParameters). */
  parameters?: ParameterValues;
  seed: number;
  concurrency: number;
  progress: Progress;
  /** Stops the stage before the next detector. */
  signal?: AbortSignal;
  /** Seconds per stage: each detector's are added. */
  stages: Record<string, number>;
}

export interface DetectResult {
  ctx: ScanContext;
  /** The names of the detectors that applied, in the registry's order. */
  detectors: string[];
  /** Those detectors (of a name with variants, the variant that applied). */
  applied: AnyDetector[];
  outputs: DetectorRun[];
  /** True when the outputs are the baseline's, not computed now. */
  reused: boolean;
}

export async function runDetectors(i: DetectInput): Promise<DetectResult> {
  const { data, baseline, seed, concurrency, progress, stages } = i;
  const ctx: ScanContext = {
    modality: data.modality,
    ids: data.ids,
    labels: data.labels,
    images: data.images,
    texts: data.texts,
    embeddings: i.embeddings,
    seed,
    concurrency,
    progress,
    parameters: i.parameters,
  };
  if (i.only) checkDetectorsApply(i.only, ctx);
  const detectors = detectorsFor(ctx, i.only);
  const names = detectors.map((d) => d.name);
  const reusedAll = data.reused !== undefined && data.reused === data.ids.length && data.errors.length === baseline?.report.errors.length;
  // A baseline scanned with other parameter values found other things: its outputs are not this scan's.
  const sameParameters = !baseline || JSON.stringify(baseline.report.config.parameters ?? {}) === JSON.stringify(i.parameters ?? {});
  const cached = baseline && sameParameters ? await reusableOutputs(baseline, data.ids, reusedAll, names, { seed, grid: data.images?.grid, version: VERSION }) : null;
  if (cached) {
    stages['detect:reused'] = 0;
    return { ctx, detectors: names, applied: detectors, outputs: cached, reused: true };
  }
  const outputs: DetectorRun[] = [];
  // Registered detectors that read only columns a thread can be sent; the others run on this thread.
  const onThread = (d: AnyDetector) => ON_THREADS.has(d) && DETECTORS.includes(d);
  const plan = threadPlan(detectors, onThread, concurrency);
  try {
    if (plan) {
      const r = await runOnThreads(detectors, onThread, ctx, plan, progress, i.signal);
      detectors.forEach((d, k) => {
        outputs.push({ detector: d.name, output: r.outputs[k]! });
        stages[`detect:${d.name}`] = round(r.seconds[k]!, 3);
      });
    } else for (const d of detectors) {
      i.signal?.throwIfAborted();
      const ts = performance.now();
      progress.stage(d.name);
      outputs.push({ detector: d.name, output: await d.run(ctx) });
      progress.done();
      stages[`detect:${d.name}`] = round((performance.now() - ts) / 1000, 3);
    }
  } finally {
    // Tokens one detector kept for a later one are let go whichever detectors ran and however the loop ended.
    for (const column of Object.values(ctx.texts ?? {})) if (Array.isArray(column)) forgetTokenised(column);
  }
  return { ctx, detectors: names, applied: detectors, outputs, reused: false };
}

/** A detector asked for by name that cannot apply to the data is a usage error naming the ones that can. */
export function checkDetectorsApply(names: string[], ctx: ScanContext): void {
  const applying = detectorsFor(ctx, names).map((d) => d.name);
  const cannot = names.filter((n) => !applying.includes(n));
  if (cannot.length) {
    const can = detectorsFor(ctx).map((d) => d.name);
    throw new UsageError(`--detectors: ${cannot.join(', ')} cannot apply to this ${ctx.modality} dataset; the detectors that can: ${can.join(', ') || 'none'}`);
  }
}
