// provenance: clusters of images whose file-level fingerprints (format, JPEG quality and subsampling,
// quantisation tables, APPn segments, EXIF software, camera and creation day, native size) differ from the rest of their
// class. Poisons made by a different pipeline than the data around them often carry such traces; benign
// mixtures of sources do too, so findings stay low severity and serve as evidence beside other findings.
import type { ProvenanceFacet, TypedFinding } from '../model/evidence.js';
import type { ImageFeatures } from '../model/image-features.js';
import { parametersOf, type Detector } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';

const PARAMETERS = {
  /** Smallest group reported as a cluster; fewer odd images are listed together as singles. */
  minCluster: { kind: 'int', default: 3, min: 1, help: 'fewest images sharing an odd file fact that make a cluster; fewer are listed as singles' },
  /** A value is odd in a class when at most this share of the class has it, and the class is this uniform. */
  maxShare: { kind: 'number', default: 0.05, min: 0, max: 1, help: 'a file fact is odd in a class when at most this share of the class has it' },
  minMajority: { kind: 'number', default: 0.8, min: 0, max: 1, help: 'share of its class the most common value must hold for the others to be odd' },
  minClass: { kind: 'int', default: 50, min: 1, help: 'fewest images of a class looked at on its own; smaller classes are pooled' },
} as const satisfies ParameterSpecs;

export function encodingOf(f: ImageFeatures, i: number): string {
  const q = f.file.jpegQuality[i]!;
  return [f.file.format[i], q >= 0 ? `q${q}` : '', f.file.chroma[i], f.file.encoder[i]].filter(Boolean).join(' ');
}

export function sizeOf(f: ImageFeatures, i: number): string {
  return `${f.file.width[i]}x${f.file.height[i]}`;
}

const FACETS: { name: ProvenanceFacet; value: (f: ImageFeatures, i: number) => string }[] = [
  { name: 'encoding', value: encodingOf },
  { name: 'size', value: sizeOf },
  { name: 'created', value: (f, i) => f.file.created[i] || 'none' },
];

export const provenance: Detector<TypedFinding<'provenance-cluster' | 'provenance-singles'>> = {
  name: 'provenance',
  description: 'clusters of images whose file-level fingerprints (encoder, quantisation tables, EXIF software/camera, size) differ from the rest of their class',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.images !== undefined && ctx.ids.length >= parametersOf(ctx, 'provenance', PARAMETERS).minClass,
  async run(ctx) {
    const p = parametersOf(ctx, 'provenance', PARAMETERS);
    const f = ctx.images!;
    const n = ctx.ids.length;
    const scores = new Float32Array(n);
    const findings: TypedFinding<'provenance-cluster' | 'provenance-singles'>[] = [];
    // Per class where labels exist; small classes join one pool.
    const classes = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const l = ctx.labels[i] ?? '';
      let g = classes.get(l);
      if (!g) classes.set(l, (g = []));
      g.push(i);
    }
    const pool: number[] = [];
    for (const [l, idx] of classes) if (idx.length < p.minClass) {
      pool.push(...idx);
      classes.delete(l);
    }
    if (pool.length >= p.minClass) classes.set('(small classes)', pool);
    for (const facet of FACETS) {
      const singles: number[] = [];
      for (const [label, idx] of classes) {
        const counts = new Map<string, number[]>();
        for (const i of idx) {
          const v = facet.value(f, i);
          let g = counts.get(v);
          if (!g) counts.set(v, (g = []));
          g.push(i);
        }
        const sorted = [...counts.entries()].sort((a, b) => b[1].length - a[1].length);
        const [major, majorIdx] = sorted[0]!;
        if (majorIdx.length < p.minMajority * idx.length) continue;
        for (const [value, members] of sorted.slice(1)) {
          if (members.length > p.maxShare * idx.length) continue;
          if (members.length < p.minCluster) {
            singles.push(...members);
            continue;
          }
          for (const i of members) scores[i] = Math.max(scores[i]!, 0.2);
          findings.push({
            form: 'provenance-cluster',
            kind: 'provenance',
            severity: 'low',
            score: 0.3,
            samples: members,
            evidence: {
              facet: facet.name, value, majority: major, majoritySize: majorIdx.length, class: label === '' ? null : label, classSize: idx.length,
              elsewhere: countElsewhere(f, facet.value, value, members.length, n),
            },
          });
        }
      }
      if (singles.length) {
        for (const i of singles) scores[i] = Math.max(scores[i]!, 0.15);
        const values: Record<string, string> = {};
        for (const i of singles.slice(0, 50)) values[ctx.ids[i]!] = facet.value(f, i);
        findings.push({
          form: 'provenance-singles',
          kind: 'provenance',
          severity: 'low',
          score: 0.2,
          samples: singles,
          evidence: { facet: facet.name, values },
        });
      }
    }
    return { scores, findings };
  },
};

function countElsewhere(f: ImageFeatures, value: (f: ImageFeatures, i: number) => string, v: string, inCluster: number, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (value(f, i) === v) c++;
  return c - inCluster;
}
