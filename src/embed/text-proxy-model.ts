// The proxy model for labelled text: a bag of hashed word unigrams and bigrams (up to 2^13 buckets, binary, scaled by
// 1/sqrt(count)) -> a dense hidden layer of 128 (ReLU) -> softmax over the classes. The hidden layer is the
// embedding, as for images: a model trained on the poisoned data learns a rare-word or sentence trigger as a
// feature, and the embedding detectors look for the samples that use it.
//
// Trained by our own sparse code (minibatch Adam over typed arrays), not tfjs: the input has ~20 non-zeros in 8,192
// columns, and tfjs has no sparse dense-layer gradient; measured on wasm, a 256 x 8,192 batch step took ~2 s (the
// transposed MatMul of the weight gradient), ~40 minutes for SST-2, where the sparse step touches only the columns
// present (BENCHMARKS.md). Seeded and deterministic. One model is trained on 90% of the labelled samples, its
// accuracy on the other 10% is reported, and it embeds all.
import type { TextColumns } from '../model/text-columns.js';
import { tokenize } from '../text/tokenize.js';
import type { Progress } from '../util/progress.js';
import { createRng } from '../util/rng.js';
import type { Embeddings } from './embeddings.js';
import type { ProxyModelResult } from './proxy-model.js';

const MAX_BUCKETS = 1 << 13;
const HIDDEN = 128;
const EPOCHS = 4;
/** Small sets get more passes: at least this many optimiser steps. */
const MIN_STEPS = 60;
const LR = 2e-3;

/** The text a sample is read by: its text column, else prompt and response. */
export function sampleTexts(texts: TextColumns, n: number): string[] {
  return Array.from({ length: n }, (_, i) => texts.text?.[i] ?? [texts.prompt?.[i], texts.response?.[i]].filter(Boolean).join('\n'));
}

function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** CSR bag of hashed unigrams + bigrams. */
export function hashedBags(texts: string[], buckets: number): { offsets: Int32Array; cols: Int32Array; value: Float32Array } {
  const offsets = new Int32Array(texts.length + 1);
  const cols: number[] = [];
  const value: number[] = [];
  const seen = new Set<number>();
  texts.forEach((t, i) => {
    const toks = tokenize(t);
    seen.clear();
    for (let j = 0; j < toks.length; j++) {
      seen.add(fnv(toks[j]!) % buckets);
      if (j + 1 < toks.length) seen.add(fnv(toks[j + 1]!, fnv(toks[j]! + ' ')) % buckets);
    }
    const w = 1 / Math.sqrt(Math.max(1, seen.size));
    for (const c of [...seen].sort((a, b) => a - b)) {
      cols.push(c);
      value.push(w);
    }
    offsets[i + 1] = cols.length;
  });
  return { offsets, cols: Int32Array.from(cols), value: Float32Array.from(value) };
}

export async function textProxyEmbeddings(texts: TextColumns, labels: (string | null)[], seed: number, progress: Progress): Promise<ProxyModelResult> {
  const t0 = performance.now();
  const n = labels.length;
  const docs = sampleTexts(texts, n);
  // Buckets: a power of two at least twice the distinct unigrams of a sample of the texts, 2^10..2^13.
  const distinct = new Set<string>();
  for (let i = 0; i < Math.min(n, 5000); i++) for (const t of tokenize(docs[i]!)) distinct.add(t);
  const V = Math.min(MAX_BUCKETS, Math.max(1 << 10, 1 << Math.ceil(Math.log2(2 * distinct.size + 1))));
  const { offsets, cols, value } = hashedBags(docs, V);
  const names = [...new Set(labels.filter((l): l is string => l !== null))].sort();
  const index = new Map(names.map((l, i) => [l, i]));
  const C = Math.max(2, names.length);
  const H = HIDDEN;
  const labelled = labels.map((l, i) => (l === null ? -1 : i)).filter((i) => i >= 0);
  const rng = createRng(seed);
  const shuffle = (a: number[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
  };
  shuffle(labelled);
  const heldOut = labelled.slice(0, Math.floor(labelled.length / 10));
  const train = labelled.slice(heldOut.length);
  const y = Int32Array.from(labels, (l) => (l === null ? -1 : index.get(l)!));
  // Parameters (Glorot uniform, seeded) and Adam moments.
  const W1 = new Float32Array(V * H);
  const b1 = new Float32Array(H);
  const W2 = new Float32Array(H * C);
  const b2 = new Float32Array(C);
  const g1 = Math.sqrt(6 / (V + H));
  for (let i = 0; i < W1.length; i++) W1[i] = (2 * rng() - 1) * g1;
  const g2 = Math.sqrt(6 / (H + C));
  for (let i = 0; i < W2.length; i++) W2[i] = (2 * rng() - 1) * g2;
  const params = [W1, b1, W2, b2];
  const m1 = params.map((p) => new Float32Array(p.length));
  const m2 = params.map((p) => new Float32Array(p.length));
  // Lazy Adam for W1: only the rows of columns present in the batch are updated (sparse gradient).
  const grads = params.map((p) => new Float32Array(p.length));
  const touched = new Uint8Array(V);
  const h = new Float32Array(H);
  const dh = new Float32Array(H);
  const out = new Float64Array(C);
  const forward = (i: number, hid: Float32Array): void => {
    hid.set(b1);
    for (let p = offsets[i]!; p < offsets[i + 1]!; p++) {
      const row = cols[p]! * H;
      const v = value[p]!;
      for (let k = 0; k < H; k++) hid[k]! += v * W1[row + k]!;
    }
    for (let k = 0; k < H; k++) if (hid[k]! < 0) hid[k] = 0;
  };
  const logits = (hid: Float32Array): void => {
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = b2[c]!;
      for (let k = 0; k < H; k++) s += hid[k]! * W2[k * C + c]!;
      out[c] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let c = 0; c < C; c++) z += (out[c] = Math.exp(out[c]! - max));
    for (let c = 0; c < C; c++) out[c]! /= z;
  };
  const BATCH = Math.max(32, Math.min(256, 1 << Math.floor(Math.log2(Math.max(1, train.length / 8)))));
  const batches = Math.ceil(train.length / BATCH);
  const epochs = Math.max(EPOCHS, Math.ceil(MIN_STEPS / batches));
  progress.stage('text proxy model: training', epochs * batches);
  let step = 0;
  const [gW1, gb1, gW2, gb2] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(train);
    for (let b = 0; b < batches; b++) {
      const rows = train.slice(b * BATCH, (b + 1) * BATCH);
      gb1.fill(0);
      gW2.fill(0);
      gb2.fill(0);
      for (const i of rows) {
        forward(i, h);
        logits(h);
        out[y[i]!]! -= 1; // d loss / d logits
        for (let c = 0; c < C; c++) gb2[c]! += out[c]!;
        dh.fill(0);
        for (let k = 0; k < H; k++) {
          if (h[k] === 0) continue;
          for (let c = 0; c < C; c++) {
            gW2[k * C + c]! += h[k]! * out[c]!;
            dh[k]! += W2[k * C + c]! * out[c]!;
          }
        }
        for (let k = 0; k < H; k++) gb1[k]! += dh[k]!;
        for (let p = offsets[i]!; p < offsets[i + 1]!; p++) {
          const col = cols[p]!;
          const row = col * H;
          if (!touched[col]) {
            touched[col] = 1;
            gW1.fill(0, row, row + H);
          }
          const v = value[p]!;
          for (let k = 0; k < H; k++) gW1[row + k]! += v * dh[k]!;
        }
      }
      step++;
      const bc1 = 1 - 0.9 ** step;
      const bc2 = 1 - 0.999 ** step;
      const scale = 1 / rows.length;
      const adam = (pi: number, lo: number, hi: number) => {
        const p = params[pi]!;
        const g = grads[pi]!;
        const a = m1[pi]!;
        const q = m2[pi]!;
        for (let t = lo; t < hi; t++) {
          const gt = g[t]! * scale;
          a[t] = 0.9 * a[t]! + 0.1 * gt;
          q[t] = 0.999 * q[t]! + 0.001 * gt * gt;
          p[t]! -= (LR * (a[t]! / bc1)) / (Math.sqrt(q[t]! / bc2) + 1e-8);
        }
      };
      for (let col = 0; col < V; col++) if (touched[col]) {
        adam(0, col * H, (col + 1) * H);
        touched[col] = 0;
      }
      adam(1, 0, H);
      adam(2, 0, H * C);
      adam(3, 0, C);
      progress.tick(1);
    }
    // Let the event loop breathe between epochs (progress output, signals).
    await new Promise((r) => setImmediate(r));
  }
  progress.done();
  const data = new Float32Array(n * H);
  let right = 0;
  for (let i = 0; i < n; i++) forward(i, data.subarray(i * H, (i + 1) * H));
  for (const i of heldOut) {
    logits(data.subarray(i * H, (i + 1) * H));
    let best = 0;
    for (let c = 1; c < C; c++) if (out[c]! > out[best]!) best = c;
    if (best === y[i]) right++;
  }
  const embeddings: Embeddings = { dim: H, data };
  return { embeddings, backend: 'js (sparse)', heldOutAccuracy: heldOut.length ? right / heldOut.length : NaN, seconds: (performance.now() - t0) / 1000 };
}
