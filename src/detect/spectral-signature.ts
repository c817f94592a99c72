// spectral-signature (Tran et al. 2018) on embeddings: within each class, poisoned samples that share a feature
// the clean ones lack pull the top singular vector of the centred embeddings towards them; their projections on
// it are outliers. The cut is a robust z of |projection| (no poison ratio needed).
import type { FindingDraft } from '../types.js';
import { addClassOutliers } from '../embed/class-outliers.js';
import { byClass, centred, project, robustZ, topEigenvectors } from '../embed/linalg.js';
import { createRng } from '../util/rng.js';
import type { Detector, ScanContext } from './detector.js';

const MIN_CLASS = 20;

export const spectralSignature: Detector = {
  name: 'spectral-signature',
  description: 'per class, samples whose embeddings lie far out along the top singular direction (needs embeddings)',
  appliesTo: (ctx) => ctx.embeddings !== undefined,
  async run(ctx: ScanContext) {
    const e = ctx.embeddings!;
    const scores = new Float32Array(ctx.ids.length);
    const findings: FindingDraft[] = [];
    const rng = createRng(ctx.seed);
    for (const [label, rows] of byClass(ctx.labels)) {
      if (rows.length < MIN_CLASS) continue;
      const X = centred(e, rows);
      const v = topEigenvectors(X, rows.length, e.dim, 1, rng);
      const p = project(X, rows.length, e.dim, v, 1);
      const z = robustZ(Float64Array.from(p, Math.abs));
      addClassOutliers('spectral-signature', 'the top singular direction of its embeddings', label, rows, z, scores, findings, { dimensions: e.dim });
    }
    return { scores, findings };
  },
};
