// outlier: images whose whole-image statistics sit far from the rest of their class (file facts: provenance.ts).
// Generic outliers are weak evidence of poisoning at low ratios, so this detector
// only reports at low severity and keeps its scores at or below 0.25.
import type { TypedFinding } from '../model/evidence.js';
import { IMAGE_STAT_NAMES } from '../model/image-features.js';
import { robustScale } from '../util/stats.js';
import { parametersOf, type Detector } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';

const PARAMETERS = {
  zReport: { kind: 'number', default: 8, min: 0, help: 'robust z-score from which an image is listed' },
  maxListed: { kind: 'int', default: 50, min: 1, help: 'most images the finding lists, the farthest first' },
  minClass: { kind: 'int', default: 20, min: 5, help: 'fewest images a class needs to be its own reference' },
} as const satisfies ParameterSpecs;

export const outlier: Detector<TypedFinding<'image-outliers'>> = {
  name: 'outlier',
  description: 'whole-image statistics far from the rest of the class (robust z-scores)',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.images !== undefined,
  async run(ctx) {
    const p = parametersOf(ctx, 'outlier', PARAMETERS);
    const f = ctx.images!;
    const n = ctx.ids.length;
    const z = new Float32Array(n);
    const worst: string[] = new Array(n).fill('');
    // Per class where labels exist: a class's own distribution is the reference.
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = ctx.labels[i] ?? '';
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(i);
    }
    for (const idx of groups.values()) {
      if (idx.length < p.minClass) continue;
      for (const name of IMAGE_STAT_NAMES) {
        const col = f.stats[name];
        const vals = Float64Array.from(idx, (i) => col[i]!);
        const { center, scale } = robustScale(vals);
        idx.forEach((i, k) => {
          const v = Math.abs(vals[k]! - center) / scale;
          if (v > z[i]!) {
            z[i] = v;
            worst[i] = name;
          }
        });
      }
    }
    const scores = new Float32Array(n);
    // Generic outliers are weak evidence at low ratios: they rank below near-misses of the pattern detectors.
    for (let i = 0; i < n; i++) scores[i] = 0.25 * (z[i]! / (z[i]! + 12));
    const findings: TypedFinding<'image-outliers'>[] = [];
    const listed = [...z.keys()].filter((i) => z[i]! >= p.zReport).sort((a, b) => z[b]! - z[a]!).slice(0, p.maxListed);
    if (listed.length) {
      findings.push({
        form: 'image-outliers',
        kind: 'outlier',
        severity: 'low',
        score: 0.2,
        samples: listed,
        evidence: { robustZ: Object.fromEntries(listed.map((i) => [ctx.ids[i]!, z[i]!])), statistic: Object.fromEntries(listed.map((i) => [ctx.ids[i]!, worst[i]!])) },
      });
    }
    return { scores, findings };
  },
};
