// spectral-signature (Tran et al. 2018) on embeddings: within each class, poisoned samples that share a feature
// the clean ones lack pull the top singular vector of the centred embeddings towards them; their projections on
// it are outliers. The cut is a robust z of |projection| (no poison ratio needed).
import { addClassOutliers, classOutlierParameters, perClass } from './class-outliers.js';
import { project, robustZ, topEigenvectors } from '../embed/linalg.js';
import { parametersOf, type Detector, type ScanContext } from './detector.js';
import type { TypedFinding } from '../model/evidence.js';

const PARAMETERS = classOutlierParameters(6, 20);

export const spectralSignature: Detector<TypedFinding<'class-outliers'>> = {
  name: 'spectral-signature',
  description: 'per class, samples whose embeddings lie far out along the top singular direction (needs embeddings)',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.embeddings !== undefined,
  async run(ctx: ScanContext) {
    const p = parametersOf(ctx, 'spectral-signature', PARAMETERS);
    return perClass(ctx, p.minClass, ({ label, rows, X, dim, rng, scores, findings }) => {
      const v = topEigenvectors(X, rows.length, dim, 1, rng);
      const z = robustZ(Float64Array.from(project(X, rows.length, dim, v, 1), Math.abs));
      addClassOutliers('spectral-signature', label, rows, z, scores, findings, { dimensions: dim }, p);
    });
  },
};
