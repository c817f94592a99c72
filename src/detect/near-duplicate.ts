// near-duplicate: images that are the same picture (perceptual hash + pixel check); a group that carries
// more than one label is a label conflict (a relabelled copy is the cheapest dirty-label poison). Texts are the
// other variant of the same name (text-near-duplicate.ts), registered beside it.
import type { TypedFinding } from '../model/evidence.js';
import type { ImageFeatures } from '../model/image-features.js';
import { parametersOf, type Detector } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';
import { unionFind } from '../util/union-find.js';

const PARAMETERS = {
  // 4 chunks of 16 bits: any pair within 3 bits shares a chunk exactly, so the buckets miss pairs farther apart.
  maxHamming: { kind: 'int', default: 3, min: 0, max: 3, help: 'images: most perceptual-hash bits (of 64) two copies may differ in' },
  maxMeanAbsDiff: { kind: 'number', default: 10, min: 0, max: 255, help: 'images: largest mean absolute pixel difference (0-255) of two copies, after the hash match' },
} as const satisfies ParameterSpecs;
const MAX_PAIRWISE = 2000;

/** The image variant; the name's description covers both (the SARIF rule of the name is read from the first). */
export const nearDuplicate: Detector<TypedFinding<'image-copies'>> = {
  name: 'near-duplicate',
  description: 'groups of near-identical images (perceptual hash, then pixels) or texts (MinHash, then word sets); label conflicts within a group',
  // A group that carries more than one label is a label conflict.
  kinds: ['near-duplicate', 'label-conflict'],
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.images !== undefined,
  async run(ctx) {
    const p = parametersOf(ctx, 'near-duplicate', PARAMETERS);
    const f = ctx.images!;
    const n = ctx.ids.length;
    const groups = duplicateGroups(f, p.maxHamming, p.maxMeanAbsDiff);
    const scores = new Float32Array(n);
    const findings: TypedFinding<'image-copies'>[] = [];
    for (const g of groups) {
      const labels = new Map<string, number>();
      for (const i of g) {
        const l = ctx.labels[i];
        if (l !== null && l !== undefined) labels.set(l, (labels.get(l) ?? 0) + 1);
      }
      const conflict = labels.size > 1;
      for (const i of g) scores[i] = Math.max(scores[i]!, conflict ? 0.6 : 0.15);
      findings.push({
        form: 'image-copies',
        kind: conflict ? 'label-conflict' : 'near-duplicate',
        severity: conflict ? 'medium' : 'low',
        score: conflict ? 0.6 : 0.3,
        samples: g,
        evidence: { labels: Object.fromEntries(labels), maxHamming: p.maxHamming },
      });
    }
    return { scores, findings };
  },
};

/**
 * Connected groups of near-identical images (hashes at most maxHamming bits apart, at most 3, and pixels at most
 * maxMeanAbsDiff apart on average), each sorted, in order of their first member.
 */
export function duplicateGroups(f: ImageFeatures, maxHamming: number, maxMeanAbsDiff: number): number[][] {
  const n = f.phash.length;
  const uf = unionFind(n);
  const find = uf.find;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = Number(f.phash[i]! >> 32n);
    lo[i] = Number(f.phash[i]! & 0xffffffffn);
  }
  const per = f.grid * f.grid * 3;
  const close = (a: number, b: number): boolean => {
    if (popcount(hi[a]! ^ hi[b]!) + popcount(lo[a]! ^ lo[b]!) > maxHamming) return false;
    let s = 0;
    const pa = a * per, pb = b * per;
    for (let k = 0; k < per; k++) s += Math.abs(f.pixels[pa + k]! - f.pixels[pb + k]!);
    return s / per <= maxMeanAbsDiff;
  };
  for (let chunk = 0; chunk < 4; chunk++) {
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const key = chunk < 2 ? (hi[i]! >>> (16 * chunk)) & 0xffff : (lo[i]! >>> (16 * (chunk - 2))) & 0xffff;
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = []));
      b.push(i);
    }
    for (const b of buckets.values()) {
      if (b.length < 2) continue;
      // A huge bucket (thousands of blank or near-blank images) would cost n^2 pixel checks: compare every
      // member with the first few only; union-find still joins the whole group.
      const heads = b.length > MAX_PAIRWISE ? 32 : b.length;
      for (let x = 0; x < heads; x++) for (let y = x + 1; y < b.length; y++) {
        const ra = find(b[x]!), rb = find(b[y]!);
        if (ra !== rb && close(b[x]!, b[y]!)) uf.join(ra, rb);
      }
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let g = byRoot.get(r);
    if (!g) byRoot.set(r, (g = []));
    g.push(i);
  }
  return [...byRoot.values()].filter((g) => g.length > 1);
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
