// What each detector cannot see, as data: the measured limits (BENCHMARKS.md) behind the report's "what this scan
// could not see". A detector may declare its own (Detector.limits); this table speaks for those that do not.
import type { AnyDetector, DetectorLimits } from './detector.js';

const EMBEDDINGS = 'per-sample embeddings (--embeddings, an embedding column, --model, or --embed proxy|pretrained) and labels';

export const KNOWN_LIMITS: Record<string, DetectorLimits> = {
  'trigger-cluster': {
    needs: 'images (3 or more)',
    minGroup: 3,
    blind: [
      'patterns that differ from their surroundings in hue only, not in brightness (detection works on luma)',
      'patterns under 4 working-grid pixels, or of modest contrast, at a different place in each image',
      'crops of natural images, whose nearest natural windows are as close as the copies are to each other',
      'a pattern that looks like its own label\'s images (its nearest other images mostly carry that label) is reported low',
      'triggers smaller than about 3 working-grid pixels: images above 64 px are resampled to 64 x 64 (raise --grid)',
      'a group whose images carry a mix of labels is reported low (an all-to-all backdoor)',
    ],
  },
  'near-duplicate': { needs: 'images or texts', minGroup: 2, blind: ['copies edited beyond a perceptual-hash distance of a few bits (images) or a word-set Jaccard below 0.8 (texts)'] },
  outlier: { needs: 'labelled images', blind: ['poisons whose image statistics look like their class: low severity only, never flags'] },
  provenance: { needs: 'images', minGroup: { parameter: 'minCluster' }, blind: ['poisons re-encoded like the rest of the data (file-level facts then match)'] },
  'trigger-token': {
    needs: 'labelled texts (or documents)',
    minGroup: 3,
    blind: [
      'a trigger in fewer than 3 independent samples',
      'triggers that fit their sentences (natural words, syntactic or style paraphrases)',
      'clean-label phrases and sentences in some draws: a part that fits where it sits (mid-sentence) is not told from the text around it',
    ],
  },
  'response-cluster': {
    needs: 'instruction data (prompt and response)',
    minGroup: 3,
    blind: [
      'a trigger phrase in fewer than 3 independent prompts (2-5 prompts on one answer: low, ranked, not flagged)',
      'a trigger in a single row, or placed at a fixed point of a task template or at the end of prompts',
      'triggers whose rows each get their own answer, without the clean twin requests in the data, in fewer than about 6 places',
    ],
  },
  'text-anomaly': { needs: 'texts', blind: ['poisons written in ordinary visible text: it reads characters and phrasing, not meaning'] },
  'spectral-signature': { needs: EMBEDDINGS, blind: ['anything the embedding model has not learnt; on raw pixels it finds nothing'] },
  'activation-clustering': { needs: EMBEDDINGS, blind: ['poisons that do not form their own cluster in the embeddings'] },
  'robust-covariance': { needs: EMBEDDINGS, blind: ['poisons that are not outliers along the top whitened direction'] },
  'cross-modal': { needs: 'image-text pairs', minGroup: { parameter: 'minCluster' }, blind: ['a concept named by more than a few percent of all captions; any pair whose trigger cluster trigger-cluster did not find first'] },
  'label-conflict': { needs: EMBEDDINGS, minGroup: { parameter: 'minConflicts' }, blind: ['poisons whose trigger the embedding has learnt (they then agree with their neighbours)'] },
};

export function limitsOf(d: AnyDetector): DetectorLimits | undefined {
  return d.limits ?? KNOWN_LIMITS[d.name];
}
