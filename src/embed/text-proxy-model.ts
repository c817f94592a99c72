// The proxy model for labelled text: a bag of hashed word unigrams and bigrams (up to 2^13 buckets, binary, scaled by
// 1/sqrt(count)) -> a dense hidden layer of 128 -> classes, trained with tfjs (wasm when it loads). The hidden
// layer is the embedding, as for images: a model trained on the poisoned data learns a rare-word or sentence
// trigger as a feature, and the embedding detectors look for the samples that use it.
//
// The input stays sparse in memory (CSR); each training batch is expanded to a dense batch x buckets tensor. One
// model is trained on 90% of the labelled samples, its accuracy on the other 10% is reported, and it embeds all.
import type { TextColumns } from '../ingest/text-columns.js';
import { tokenize } from '../text/tokenize.js';
import type { Progress } from '../util/progress.js';
import { createRng } from '../util/rng.js';
import type { Embeddings } from './embeddings.js';
import type { ProxyModelResult } from './proxy-model.js';
import { loadTf } from './tf-backend.js';

type Tensor = import('@tensorflow/tfjs').Tensor;

const MAX_BUCKETS = 1 << 13;
const HIDDEN = 128;
const EPOCHS = 4;
/** Small sets get more passes: at least this many optimiser steps. */
const MIN_STEPS = 60;

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
  const { tf, backend } = await loadTf();
  const n = labels.length;
  const docs = sampleTexts(texts, n);
  // Buckets: a power of two at least twice the distinct unigrams of a sample of the texts, 2^10..2^13 (a small set
  // needs no 8,192-wide input, and the cpu backend pays for every column).
  const distinct = new Set<string>();
  for (let i = 0; i < Math.min(n, 5000); i++) for (const t of tokenize(docs[i]!)) distinct.add(t);
  const BUCKETS = Math.min(MAX_BUCKETS, Math.max(1 << 10, 1 << Math.ceil(Math.log2(2 * distinct.size + 1))));
  const bags = hashedBags(docs, BUCKETS);
  const dense = (rows: number[]): Tensor => {
    const x = new Float32Array(rows.length * BUCKETS);
    rows.forEach((r, k) => {
      for (let p = bags.offsets[r]!; p < bags.offsets[r + 1]!; p++) x[k * BUCKETS + bags.cols[p]!] = bags.value[p]!;
    });
    return tf.tensor2d(x, [rows.length, BUCKETS]);
  };
  const names = [...new Set(labels.filter((l): l is string => l !== null))].sort();
  const index = new Map(names.map((l, i) => [l, i]));
  const labelled = labels.map((l, i) => (l === null ? -1 : i)).filter((i) => i >= 0);
  const rng = createRng(seed);
  for (let i = labelled.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [labelled[i], labelled[j]] = [labelled[j]!, labelled[i]!];
  }
  const heldOut = labelled.slice(0, Math.floor(labelled.length / 10));
  const train = labelled.slice(heldOut.length);
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [BUCKETS], units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }));
  model.add(tf.layers.dense({ units: Math.max(2, names.length), activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }) }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const BATCH = Math.max(32, Math.min(256, 1 << Math.floor(Math.log2(Math.max(1, train.length / 8)))));
  const batches = Math.ceil(train.length / BATCH);
  const epochs = Math.max(EPOCHS, Math.ceil(MIN_STEPS / batches));
  progress.stage('text proxy model: training', epochs * batches);
  for (let epoch = 0; epoch < epochs; epoch++) {
    // Our own seeded order per epoch (tfjs's shuffle uses Math.random).
    for (let i = train.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [train[i], train[j]] = [train[j]!, train[i]!];
    }
    for (let b = 0; b < batches; b++) {
      const rows = train.slice(b * BATCH, (b + 1) * BATCH);
      const x = dense(rows);
      const y = tf.tensor1d(rows.map((r) => index.get(labels[r]!)!), 'float32');
      await model.trainOnBatch(x, y);
      tf.dispose([x, y]);
      progress.tick(1);
    }
  }
  progress.done();
  const hidden = tf.model({ inputs: model.inputs, outputs: model.layers[0]!.output as import('@tensorflow/tfjs').SymbolicTensor });
  const data = new Float32Array(n * HIDDEN);
  const pred = new Int32Array(n);
  const all = Array.from({ length: n }, (_, i) => i);
  for (let s = 0; s < n; s += 1024) {
    const rows = all.slice(s, s + 1024);
    const x = dense(rows);
    const [h, p] = tf.tidy(() => [hidden.predict(x) as Tensor, (model.predict(x) as Tensor).argMax(1)]);
    data.set((await h!.data()) as Float32Array, s * HIDDEN);
    pred.set((await p!.data()) as Int32Array, s);
    tf.dispose([x, h!, p!]);
  }
  let right = 0;
  for (const i of heldOut) if (pred[i] === index.get(labels[i]!)) right++;
  model.dispose();
  const embeddings: Embeddings = { dim: HIDDEN, data };
  return { embeddings, backend, heldOutAccuracy: heldOut.length ? right / heldOut.length : NaN, seconds: (performance.now() - t0) / 1000 };
}
