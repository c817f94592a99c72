// activation-clustering (Chen et al. 2018) on embeddings: within each class, reduce to the leading principal
// components and split in two; a backdoor's samples form the smaller, well separated cluster. Reported when the
// smaller cluster holds less than MAX_SHARE of the class and the split is clear (simplified silhouette).
import { perClass } from './class-outliers.js';
import { project, topEigenvectors, twoMeans } from '../embed/linalg.js';
import type { Detector, ScanContext } from './detector.js';
import type { TypedFinding } from '../model/evidence.js';

const MIN_CLASS = 20;
const COMPONENTS = 10;
const MAX_SHARE = 0.35;
const MIN_SILHOUETTE = 0.5;
const MIN_CLUSTER = 3;

export const activationClustering: Detector<TypedFinding<'activation-cluster'>> = {
  name: 'activation-clustering',
  description: 'per class, a small cluster split off by 2-means on the leading principal components of the embeddings (needs embeddings)',
  appliesTo: (ctx) => ctx.embeddings !== undefined,
  async run(ctx: ScanContext) {
    return perClass(ctx, MIN_CLASS, ({ label, rows, X, dim, rng, scores, findings }) => {
      const m = rows.length;
      const k = Math.min(COMPONENTS, dim);
      const P = project(X, m, dim, topEigenvectors(X, m, dim, k, rng), k);
      const { assign, silhouette } = twoMeans(P, m, k, rng);
      let ones = 0;
      for (let i = 0; i < m; i++) ones += assign[i]!;
      const small = ones <= m - ones ? 1 : 0;
      const size = small ? ones : m - ones;
      if (size < MIN_CLUSTER || size >= MAX_SHARE * m || silhouette < MIN_SILHOUETTE) return;
      const members = rows.filter((_, i) => assign[i] === small);
      const score = Math.min(0.9, 0.5 + (silhouette - MIN_SILHOUETTE));
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
