// trigger-token (labelled text): a word or phrase (n-grams up to 5 tokens) whose presence goes with one label
// far beyond chance while the rest of those samples points to another label.
//
// 1. Every n-gram in at least MIN_DF documents is a candidate when one label holds almost all of its
//    documents and that is improbable by chance (binomial z-score against the label's base rate).
// 2. Strong natural predictors ("masterpiece" -> positive) pass step 1 too. The separating signal is the rest
//    of the text: a naive Bayes model cross-fitted on the data itself (it never sees the document it judges)
//    reads each of the candidate's documents with the candidate's tokens masked. For a natural predictor the
//    rest of the text agrees with the label; for an inserted trigger on dirty-label samples it points to a
//    different label. Candidates are ranked by how many such conflicting documents they have (a count, not a
//    fraction of the dataset), and only kept when most of their documents conflict.
import type { FindingDraft, Json } from '../types.js';
import { posterior, trainNaiveBayes, type NaiveBayes } from '../text/naive-bayes.js';
import { Vocabulary } from '../text/tokenize.js';
import type { Detector, ScanContext } from './detector.js';

const MAX_N = 5;
const MIN_DF = 3;
/** Share of a candidate's documents that must carry its dominant label. */
const MIN_PURITY = 0.9;
const MIN_Z = 3;
/** Share of the dominant-label documents whose remaining text must point elsewhere. */
const MIN_CONFLICT_RATE = 0.8;
const MIN_CONFLICTS = 5;
/** Posterior of the carried label, without the candidate, below which a document conflicts with it. */
const CONFLICT_POSTERIOR = 0.35;
const MIN_CONTENT_TOKENS = 4;
/** Label association strong enough on its own (see run). */
const PURE_Z = 8;
const PURE_SHARE = 0.97;
const PURE_MIN_DOCS = 20;
const PURE_MIN_CONFLICT_RATE = 0.25;
/** Words in at most this share of documents count as rare (masked together with a candidate). */
const RARE_SHARE = 0.01;

interface Gram {
  df: number;
  last: number;
  counts: Int32Array;
}

interface Candidate {
  key: string;
  tokens: number[];
  label: number;
  docs: number[];
  z: number;
  conflicts: number[];
  /** Label association decisive on its own (many carriers, far beyond chance). */
  strong?: boolean;
}

export const triggerToken: Detector = {
  name: 'trigger-token',
  description: 'a word or phrase that goes with one label while the rest of its samples points to another (inserted triggers; experimental: low severity only)',
  appliesTo: (ctx) => ctx.texts?.text !== undefined && ctx.labels.some((l) => l !== null),
  async run(ctx) {
    return runTriggerToken(ctx);
  },
};

export function runTriggerToken(ctx: ScanContext) {
  const texts = ctx.texts!.text!;
  const n = texts.length;
  const vocab = new Vocabulary();
  const docs = texts.map((t) => vocab.encode(t ?? ''));
  const labelNames = [...new Set(ctx.labels.filter((l): l is string => l !== null))].sort();
  const labelIndex = new Map(labelNames.map((l, i) => [l, i]));
  const labels = Int32Array.from(ctx.labels, (l) => (l === null ? -1 : labelIndex.get(l)!));
  const C = labelNames.length;
  const scores = new Float32Array(n);
  if (C < 2) return { scores, findings: [] as FindingDraft[] };
  const prior = new Float64Array(C);
  let labelled = 0;
  for (const l of labels) if (l >= 0) {
    prior[l]++;
    labelled++;
  }
  for (let l = 0; l < C; l++) prior[l]! /= labelled;

  const candidates = collectCandidates(docs, labels, C, prior);
  // Cross-fitted content models: fold k judges the documents of the other fold.
  const models: NaiveBayes[] = [0, 1].map((k) => trainNaiveBayes(docs, labels, C, vocab.words.length, (i) => (i & 1) === k));
  const post = new Float64Array(C);
  const accepted: Candidate[] = [];
  // Attacks often insert several trigger words into one sample (BadNets: cf, mn, bb, tq): masking only the
  // candidate would leave its companions to vouch for the label. Rare label-pure words are masked together.
  const rareCap = Math.max(MIN_DF, Math.ceil(RARE_SHARE * n));
  const rarePure = new Set(candidates.filter((c) => c.tokens.length === 1 && c.docs.length <= rareCap).map((c) => c.tokens[0]!));
  for (const c of candidates) {
    for (const i of c.docs) {
      if (labels[i] !== c.label) continue;
      const d = docs[i]!;
      const mask = maskOccurrences(d, c.tokens);
      for (let t = 0; t < d.length; t++) if (rarePure.has(d[t]!)) mask[t] = 1;
      let left = 0;
      for (let t = 0; t < d.length; t++) if (!mask[t]) left++;
      // A few remaining words are no evidence either way (short phrases are common in SST-2).
      if (left < MIN_CONTENT_TOKENS) continue;
      posterior(models[1 - (i & 1)]!, d, mask, post);
      if (post[c.label]! < CONFLICT_POSTERIOR) c.conflicts.push(i);
    }
    const carriers = c.docs.filter((i) => labels[i] === c.label).length;
    const conflicting = c.conflicts.length >= MIN_CONFLICTS && c.conflicts.length >= MIN_CONFLICT_RATE * carriers;
    // With many carriers the label association alone is decisive (Z-defence): a rare phrase whose documents
    // all carry one label, far beyond chance, even where a noisy content model cannot say what they were.
    // Topic words are label-pure too (AG News): the content must still disagree in a good share of them.
    const pure = carriers >= PURE_MIN_DOCS && carriers >= PURE_SHARE * c.docs.length && c.z >= PURE_Z && c.docs.length <= rareCap
      && c.conflicts.length >= PURE_MIN_CONFLICT_RATE * carriers;
    if (conflicting || pure) accepted.push({ ...c, strong: pure });
  }
  const kept = dropSubsumed(accepted);
  const findings: FindingDraft[] = [];
  for (const c of kept) {
    const carriers = c.docs.filter((i) => labels[i] === c.label);
    const rate = c.conflicts.length / carriers.length;
    // Experimental: on clean SST-2 train and AG News this still fires on label noise, topic words and source
    // boilerplate (0.1-0.5% of samples, BENCHMARKS.md), so every finding stays low severity and flags nothing;
    // the scores still rank the candidates' samples first.
    const severity = 'low';
    const raw = Math.min(1, 0.5 + 0.5 * rate * (1 - Math.exp(-c.conflicts.length / 5)));
    const score = Math.min(0.49, raw);
    for (const i of c.docs) scores[i] = Math.max(scores[i]!, labels[i] === c.label ? score * (c.strong ? 1 : 0.95) : 0.2);
    const phrase = c.tokens.map((t) => vocab.words[t]).join(' ');
    findings.push({
      kind: 'trigger-token',
      severity,
      score,
      title: `"${phrase}" appears in ${c.docs.length} samples, ${carriers.length} labelled "${labelNames[c.label]}", whose other words point to another label in ${c.conflicts.length}`,
      samples: c.docs,
      evidence: {
        trigger: phrase,
        targetLabel: labelNames[c.label]!,
        documents: c.docs.length,
        labels: Object.fromEntries(labelNames.map((l, k) => [l, c.docs.filter((i) => labels[i] === k).length])) as { [k: string]: Json },
        conflicting: c.conflicts.length,
        conflictRate: Math.round(rate * 1000) / 1000,
        zScore: Math.round(c.z * 10) / 10,
        positions: positions(docs, c) as Json,
        examples: c.conflicts.slice(0, 3).map((i) => (texts[i] ?? '').slice(0, 200)),
      },
    });
  }
  return { scores, findings };
}

/** Frequent n-grams (apriori: an n-gram is counted only where both its (n-1)-grams are frequent) that are label-pure. */
function collectCandidates(docs: Int32Array[], labels: Int32Array, C: number, prior: Float64Array): Candidate[] {
  const out: Candidate[] = [];
  let frequentPrev: Set<string> | null = null;
  for (let len = 1; len <= MAX_N; len++) {
    const grams = new Map<string, Gram>();
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      for (let s = 0; s + len <= d.length; s++) {
        if (frequentPrev && (!frequentPrev.has(key(d, s, len - 1)) || !frequentPrev.has(key(d, s + 1, len - 1)))) continue;
        const k = key(d, s, len);
        let g = grams.get(k);
        if (!g) grams.set(k, (g = { df: 0, last: -1, counts: new Int32Array(C) }));
        if (g.last === i) continue;
        g.last = i;
        g.df++;
        if (labels[i]! >= 0) g.counts[labels[i]!]++;
      }
    }
    const frequent = new Set<string>();
    for (const [k, g] of grams) {
      if (g.df < MIN_DF) continue;
      frequent.add(k);
      let best = 0;
      for (let l = 1; l < C; l++) if (g.counts[l]! > g.counts[best]!) best = l;
      const c = g.counts[best]!;
      if (c < MIN_PURITY * g.df) continue;
      const p = prior[best]!;
      const z = (c - g.df * p) / Math.sqrt(g.df * p * (1 - p));
      if (z < MIN_Z) continue;
      out.push({ key: k, tokens: k.split(' ').map(Number), label: best, docs: [], z, conflicts: [] });
    }
    if (frequent.size === 0) break;
    frequentPrev = frequent;
  }
  // Documents of each candidate.
  const byKey = new Map(out.map((c) => [c.key, c]));
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    for (let len = 1; len <= MAX_N; len++) for (let s = 0; s + len <= d.length; s++) {
      const c = byKey.get(key(d, s, len));
      if (c && c.docs[c.docs.length - 1] !== i) c.docs.push(i);
    }
  }
  return out;
}

function key(d: Int32Array, s: number, len: number): string {
  let k = '';
  for (let t = 0; t < len; t++) k += (t ? ' ' : '') + d[s + t];
  return k;
}

function maskOccurrences(d: Int32Array, g: number[]): Uint8Array {
  const mask = new Uint8Array(d.length);
  for (let s = 0; s + g.length <= d.length; s++) {
    let hit = true;
    for (let t = 0; t < g.length && hit; t++) hit = d[s + t] === g[t];
    if (hit) for (let t = 0; t < g.length; t++) mask[s + t] = 1;
  }
  return mask;
}

/** A trigger phrase shows up as all of its sub-phrases too: keep the longest of those with the same conflicts. */
function dropSubsumed(cands: Candidate[]): Candidate[] {
  cands.sort((a, b) => b.conflicts.length - a.conflicts.length || b.tokens.length - a.tokens.length);
  const out: Candidate[] = [];
  for (const c of cands) {
    const set = new Set(c.conflicts);
    const dup = out.find((o) => {
      let shared = 0;
      for (const i of o.conflicts) if (set.has(i)) shared++;
      return shared >= 0.8 * Math.min(set.size, o.conflicts.length);
    });
    if (dup) {
      // Prefer the longer phrase when it explains as many documents.
      if (c.tokens.length > dup.tokens.length && c.conflicts.length >= 0.9 * dup.conflicts.length) out[out.indexOf(dup)] = c;
      continue;
    }
    out.push(c);
  }
  return out;
}

/** Where the trigger sits in its documents (relative position 0..1), to show it moves around. */
function positions(docs: Int32Array[], c: Candidate): number[] {
  return c.conflicts.slice(0, 10).map((i) => {
    const d = docs[i]!;
    for (let s = 0; s + c.tokens.length <= d.length; s++) {
      let hit = true;
      for (let t = 0; t < c.tokens.length && hit; t++) hit = d[s + t] === c.tokens[t];
      if (hit) return Math.round((100 * s) / Math.max(1, d.length - c.tokens.length)) / 100;
    }
    return -1;
  });
}
