// A proxy model trained on the dataset itself, for the embedding detectors: the literature reads a poisoned
// model's latent space, and a model trained on the poisoned data is the only one a data-only scan can have.
//
// Design forced by the npm-only backends (BENCHMARKS.md): the wasm backend is fast for inference and dense training
// but has no convolution filter gradient, and the cpu backend trains convolutions at about one sample per second.
// So the convolutions are fixed random filters (He-scaled, seeded; random convolutional features are a known,
// usable representation), run once on wasm over the working-grid pixels, and only a dense head
// (features -> 128 -> classes) is trained. The 128 hidden units are the embeddings.
import type { ImageFeatures } from '../model/image-features.js';
import type { Progress } from '../util/progress.js';
import { createRng } from '../util/rng.js';
import type { Embeddings } from './embeddings.js';
import { loadTf } from './tf-backend.js';

export interface ProxyModelResult {
  embeddings: Embeddings;
  backend: string;
  /** Accuracy on a held-out tenth of the labelled samples (the model then trains on all of them). */
  heldOutAccuracy: number;
  seconds: number;
}

const HIDDEN = 128;
const EPOCHS = 8;
const BATCH = 256;
const FEATURE_BATCH = 512;

export async function proxyEmbeddings(images: ImageFeatures, labels: (string | null)[], seed: number, progress: Progress): Promise<ProxyModelResult> {
  const t0 = performance.now();
  const { tf, backend } = await loadTf();
  const n = labels.length;
  const g = images.grid;
  const per = g * g * 3;
  progress.stage('proxy model: features', n);
  // Fixed random convolutions: 3x3x3x32, pool, 3x3x32x64, pool, pool -> (g/8)^2 x 64 features.
  const k1 = tf.randomNormal([3, 3, 3, 32], 0, Math.sqrt(2 / 27), 'float32', seed + 1) as import('@tensorflow/tfjs').Tensor4D;
  const k2 = tf.randomNormal([3, 3, 32, 64], 0, Math.sqrt(2 / 288), 'float32', seed + 2) as import('@tensorflow/tfjs').Tensor4D;
  const side = Math.max(1, Math.floor(g / 8));
  const dimF = side * side * 64;
  const features = new Float32Array(n * dimF);
  for (let s = 0; s < n; s += FEATURE_BATCH) {
    const m = Math.min(FEATURE_BATCH, n - s);
    const px = new Float32Array(m * per);
    const src = images.pixels.subarray(s * per, (s + m) * per);
    for (let i = 0; i < px.length; i++) px[i] = src[i]! / 255 - 0.5;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(px, [m, g, g, 3]);
      let h = tf.maxPool(tf.relu(tf.conv2d(x, k1, 1, 'same')), 2, 2, 'valid');
      h = tf.maxPool(tf.relu(tf.conv2d(h, k2, 1, 'same')), 2, 2, 'valid');
      h = tf.avgPool(h, [h.shape[1]! / side, h.shape[2]! / side], [h.shape[1]! / side, h.shape[2]! / side], 'valid');
      return h.reshape([m, dimF]);
    });
    features.set(await out.data(), s * dimF);
    out.dispose();
    progress.tick(m);
  }
  k1.dispose();
  k2.dispose();
  progress.done();
  standardise(features, n, dimF);

  const names = [...new Set(labels.filter((l): l is string => l !== null))].sort();
  const index = new Map(names.map((l, i) => [l, i]));
  const labelled = labels.map((l, i) => (l === null ? -1 : i)).filter((i) => i >= 0);
  // Our own seeded shuffle: tfjs's fit shuffle uses Math.random.
  const rng = createRng(seed);
  for (let i = labelled.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [labelled[i], labelled[j]] = [labelled[j]!, labelled[i]!];
  }
  const heldOut = labelled.slice(0, Math.floor(labelled.length / 10));
  const train = (ids: number[]) => {
    const x = new Float32Array(ids.length * dimF);
    const y = new Float32Array(ids.length);
    ids.forEach((i, k) => {
      x.set(features.subarray(i * dimF, (i + 1) * dimF), k * dimF);
      y[k] = index.get(labels[i]!)!;
    });
    return { x: tf.tensor2d(x, [ids.length, dimF]), y: tf.tensor1d(y) };
  };
  const makeModel = () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [dimF], units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }));
    model.add(tf.layers.dense({ units: Math.max(2, names.length), activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 4 }) }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  progress.stage('proxy model: training', 2 * EPOCHS);
  // Held-out accuracy first (says how much the latent space knows), then the model the embeddings come from.
  let heldOutAccuracy = NaN;
  if (heldOut.length >= 10) {
    const trainIds = labelled.slice(heldOut.length);
    const model = makeModel();
    const tr = train(trainIds);
    await model.fit(tr.x, tr.y, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: { onEpochEnd: async () => progress.tick(1) } });
    const te = train(heldOut);
    const pred = tf.tidy(() => (model.predict(te.x) as import('@tensorflow/tfjs').Tensor).argMax(1));
    const p = await pred.data();
    const truth = await te.y.data();
    let right = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === truth[i]) right++;
    heldOutAccuracy = right / p.length;
    tf.dispose([tr.x, tr.y, te.x, te.y, pred]);
    model.dispose();
  }
  const model = makeModel();
  const all = train(labelled);
  await model.fit(all.x, all.y, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: { onEpochEnd: async () => progress.tick(1) } });
  tf.dispose([all.x, all.y]);
  progress.done();
  // Hidden-layer activations of every sample.
  const hidden = tf.model({ inputs: model.inputs, outputs: model.layers[0]!.output as import('@tensorflow/tfjs').SymbolicTensor });
  const data = new Float32Array(n * HIDDEN);
  for (let s = 0; s < n; s += FEATURE_BATCH) {
    const m = Math.min(FEATURE_BATCH, n - s);
    const out = tf.tidy(() => hidden.predict(tf.tensor2d(features.subarray(s * dimF, (s + m) * dimF), [m, dimF])) as import('@tensorflow/tfjs').Tensor);
    data.set(await out.data(), s * HIDDEN);
    out.dispose();
  }
  model.dispose();
  return { embeddings: { dim: HIDDEN, data }, backend, heldOutAccuracy, seconds: (performance.now() - t0) / 1000 };
}

/** Zero mean, unit variance per feature (random features differ wildly in scale). */
function standardise(x: Float32Array, n: number, d: number): void {
  for (let k = 0; k < d; k++) {
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + k]!;
      s += v;
      ss += v * v;
    }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(1e-12, ss / n - mean * mean));
    for (let i = 0; i < n; i++) x[i * d + k] = (x[i * d + k]! - mean) / sd;
  }
}
