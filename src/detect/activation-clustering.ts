// activation-clustering (Chen et al. 2018) on embeddings: within each class, reduce to the leading principal
// components and split in two; a backdoor's samples form the smaller, well separated cluster. Reported when the
// smaller cluster holds less than maxShare of the class and the split is clear (simplified silhouette).
import { perClass } from './class-outliers.js';
import { project, topEigenvectors, twoMeans } from '../embed/linalg.js';
import { parametersOf, type Detector, type ScanContext } from './detector.js';
import type { TypedFinding } from '../model/evidence.js';
import type { ParameterSpecs } from '../config/parameters.js';

const PARAMETERS = {
  minClass: { kind: 'int', default: 20, min: 3, help: 'fewest samples a class needs to be split' },
  components: { kind: 'int', default: 10, min: 1, help: 'leading principal components the split is made on' },
  minCluster: { kind: 'int', default: 3, min: 1, help: 'fewest samples of the smaller cluster' },
  maxShare: { kind: 'number', default: 0.35, min: 0, max: 1, help: 'the smaller cluster must be less than this share of its class' },
  minSilhouette: { kind: 'number', default: 0.5, min: -1, max: 1, help: 'clearness of the split (simplified silhouette) from which it is reported' },
} as const satisfies ParameterSpecs;

export const activationClustering: Detector<TypedFinding<'activation-cluster'>> = {
  name: 'activation-clustering',
  description: 'per class, a small cluster split off by 2-means on the leading principal components of the embeddings (needs embeddings)',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.embeddings !== undefined,
  async run(ctx: ScanContext) {
    const p = parametersOf(ctx, 'activation-clustering', PARAMETERS);
    return perClass(ctx, p.minClass, ({ label, rows, X, dim, rng, scores, findings }) => {
      const m = rows.length;
      const k = Math.min(p.components, dim);
      const P = project(X, m, dim, topEigenvectors(X, m, dim, k, rng), k);
      const { assign, silhouette } = twoMeans(P, m, k, rng);
      let ones = 0;
      for (let i = 0; i < m; i++) ones += assign[i]!;
      const small = ones <= m - ones ? 1 : 0;
      const size = small ? ones : m - ones;
      if (size < p.minCluster || size >= p.maxShare * m || silhouette < p.minSilhouette) return;
      const members = rows.filter((_, i) => assign[i] === small);
      const score = Math.min(0.9, 0.5 + (silhouette - p.minSilhouette));
      for (const r of members) scores[r] = Math.max(scores[r]!, score);
      findings.push({
        form: 'activation-cluster',
        kind: 'activation-clustering',
        severity: 'medium',
        score,
        samples: members,
        evidence: { class: label || null, classSize: m, clusterSize: size, silhouette, components: k },
      });
    });
  },
};
