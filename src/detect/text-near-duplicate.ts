// near-duplicate for text, the variant of near-duplicate registered for datasets without images: the same text
// twice (after case and spacing), or nearly (MinHash over word sets, locality-sensitive buckets, then the exact
// word-set Jaccard). A group that carries more than one label is a label conflict: a relabelled copy, with or
// without an inserted word, is the cheapest dirty-label poison.
import type { TypedFinding } from '../model/evidence.js';
import { forEachCandidatePair, MINHASH_K, minhashSignatures } from '../text/minhash.js';
import { tokenisedTexts } from '../text/tokenised-texts.js';
import { Vocabulary } from '../text/tokenize.js';
import { parametersOf, type Detector, type DetectorOutput, type ScanContext } from './detector.js';
import type { ParameterSpecs } from '../config/parameters.js';

const PARAMETERS = {
  // One word added to a 10-word text: 0.91.
  minJaccard: { kind: 'number', default: 0.8, min: 0, max: 1, help: 'texts: word-set Jaccard at or above which two texts are near-duplicates' },
  // Shorter texts ("great", "no") repeat naturally.
  minWords: { kind: 'int', default: 5, min: 1, help: 'texts: fewest distinct words a text needs to be grouped with near copies (shorter: exact copies only)' },
} as const satisfies ParameterSpecs;
const LSH_ROWS = 4;
const MAX_BUCKET = 500;
/** Groups without a label conflict are listed, largest first, up to this many. */
const MAX_PLAIN_GROUPS = 50;

export const textNearDuplicate: Detector<TypedFinding<'text-copies' | 'text-copies-labels'>> = {
  name: 'near-duplicate',
  description: 'groups of near-identical texts (MinHash, then word sets); label conflicts within a group',
  kinds: ['near-duplicate', 'label-conflict'],
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.images === undefined && (ctx.texts?.text !== undefined || ctx.texts?.prompt !== undefined),
  async run(ctx) {
    return runTextNearDuplicate(ctx);
  },
};

export function runTextNearDuplicate(ctx: ScanContext): DetectorOutput<TypedFinding<'text-copies' | 'text-copies-labels'>> {
  const p = parametersOf(ctx, 'near-duplicate', PARAMETERS);
  const texts = ctx.texts!.text ?? ctx.texts!.prompt!;
  const n = texts.length;
  const scores = new Float32Array(n);
  ctx.progress.stage('near-duplicate (text)', 1);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]!]!;
    return k;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  };
  // Exact copies first: they are most of the duplicates and would overfill the LSH buckets.
  const firstOf = new Map<string, number>();
  const exactOf = new Int32Array(n).fill(-1);
  const unique: number[] = [];
  texts.forEach((t, i) => {
    if (t === null) return;
    const key = t.toLowerCase().replace(/\s+/g, ' ').trim();
    if (key === '') return;
    const f = firstOf.get(key);
    if (f === undefined) {
      firstOf.set(key, i);
      unique.push(i);
      exactOf[i] = i;
    } else {
      union(i, f);
      exactOf[i] = f;
    }
  });
  // Instruction data: response-cluster reads the same prompts' tokens, kept for it. Otherwise each text's ids are
  // let go as soon as its distinct words are read.
  const shared = ctx.texts!.text === undefined && ctx.texts!.response !== undefined ? tokenisedTexts(texts, true) : null;
  const vocab = shared ? null : new Vocabulary();
  const words = shared ? distinctWords(shared.ids, () => shared.words.length) : distinctWords(texts.map((t) => t ?? ''), () => vocab!.words.length, (t) => vocab!.encode(t));
  const V = shared ? shared.words.length : vocab!.words.length;
  const long = unique.filter((i) => words[i]!.length >= p.minWords);
  const sig = minhashSignatures(words, 'words');
  const seen = new Int32Array(V).fill(-1);
  let pair = 0;
  forEachCandidatePair(long, sig, LSH_ROWS, MAX_BUCKET, MINHASH_K, (a, b) => {
    // Already one group: the test could only join it again.
    if (find(a) === find(b)) return;
    const wa = words[a]!;
    const wb = words[b]!;
    // Jaccard is at most the smaller set's size over the larger's.
    const small = Math.min(wa.length, wb.length);
    const large = Math.max(wa.length, wb.length);
    if (small / large < p.minJaccard) return;
    if (jaccard(wa, wb, seen, pair++) >= p.minJaccard) union(a, b);
  });
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (texts[i] === null) continue;
    const r = find(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(i);
  }
  const findings: TypedFinding<'text-copies' | 'text-copies-labels'>[] = [];
  const plain: number[][] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const labels = new Map<string, number>();
    for (const i of g) {
      const l = ctx.labels[i];
      if (l !== null && l !== undefined) labels.set(l, (labels.get(l) ?? 0) + 1);
    }
    if (labels.size < 2) {
      plain.push(g);
      for (const i of g) scores[i] = Math.max(scores[i]!, 0.1);
      continue;
    }
    // Exact copies with different labels may be a relabelling, but in text they are mostly annotators disagreeing
    // on one reposted item (OLID: 11 tweet groups; AG News: one article under two topics), so they rank first
    // among the low findings rather than being flagged. Near copies with different labels are as often a
    // sentence and its clause (SST-2's phrase trees: "a superb performance" in an "admittedly middling film").
    const exactLabels = new Map<number, Set<string>>();
    for (const i of g) {
      const l = ctx.labels[i];
      if (l === null || l === undefined) continue;
      let set = exactLabels.get(exactOf[i]!);
      if (!set) exactLabels.set(exactOf[i]!, (set = new Set()));
      set.add(l);
    }
    const exact = [...exactLabels.values()].some((set) => set.size > 1);
    const score = exact ? 0.45 : 0.3;
    for (const i of g) scores[i] = Math.max(scores[i]!, score);
    findings.push({
      form: 'text-copies-labels',
      kind: 'label-conflict',
      severity: 'low',
      score,
      samples: g,
      evidence: { labels: Object.fromEntries(labels), exactCopies: exact, minJaccard: p.minJaccard, example: (texts[g[0]!] ?? '').slice(0, 200) },
    });
  }
  plain.sort((a, b) => b.length - a.length);
  for (const g of plain.slice(0, MAX_PLAIN_GROUPS)) {
    findings.push({
      form: 'text-copies',
      kind: 'near-duplicate',
      severity: 'low',
      score: 0.2,
      samples: g,
      evidence: { minJaccard: p.minJaccard, example: (texts[g[0]!] ?? '').slice(0, 200), groupsInDataset: plain.length },
    });
  }
  ctx.progress.tick(1);
  return { scores, findings };
}

/**
 * Each text's distinct token ids, in order of first occurrence: of token ids, or of texts encoded one at a time
 * (`encode`); `size()`: the vocabulary's size so far.
 */
function distinctWords<T>(items: T[], size: () => number, encode?: (item: T) => Int32Array): Int32Array[] {
  let stamp = new Int32Array(1024).fill(-1);
  const buffer: number[] = [];
  return items.map((item, i) => {
    const ids = encode ? encode(item) : (item as Int32Array);
    if (size() > stamp.length) {
      const grown = new Int32Array(Math.max(size(), stamp.length * 2)).fill(-1);
      grown.set(stamp);
      stamp = grown;
    }
    buffer.length = 0;
    for (let k = 0; k < ids.length; k++) {
      const w = ids[k]!;
      if (stamp[w] === i) continue;
      stamp[w] = i;
      buffer.push(w);
    }
    return Int32Array.from(buffer);
  });
}

/**
 * Jaccard similarity of two sets of distinct token ids; `seen` is a table over the vocabulary whose entries never
 * hold `mark` before the call.
 */
function jaccard(a: Int32Array, b: Int32Array, seen: Int32Array, mark: number): number {
  for (let k = 0; k < a.length; k++) seen[a[k]!] = mark;
  let shared = 0;
  for (let k = 0; k < b.length; k++) if (seen[b[k]!] === mark) shared++;
  return shared / (a.length + b.length - shared);
}
