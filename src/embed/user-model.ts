// A user's own TensorFlow.js model (`--model model.json`, layers or graph model) as the source of embeddings: the
// activations of one layer (`--layer`, default the layer before the output) for every image.
//
// Loaded from disk by our own IOHandler (model.json + its weight shards), so no tfjs-node and no fetch is needed.
// Everything that can be checked without the images is checked before the dataset is decoded: the file loads, the
// layer exists, the input is an image tensor or a flat vector, and one forward pass on a blank input runs.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { ImageFeatures } from '../model/image-features.js';
import { UsageError } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { Embeddings } from './embeddings.js';
import { loadTf, type Tf } from './tf-backend.js';

type Tensor = import('@tensorflow/tfjs').Tensor;

export interface UserModel {
  kind: 'layers' | 'graph';
  layer: string;
  backend: string;
  /** Input shape without the batch dimension (null = any size). */
  inputShape: (number | null)[];
  /** Activations of the layer for every image: pixels scaled to [0,1], resized to the model's input side. */
  embed(images: ImageFeatures, progress: Progress): Promise<Embeddings>;
}

const BATCH = 256;

interface ModelJson {
  format?: string;
  modelTopology?: { node?: { name: string; op: string }[] } & Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }[];
  [key: string]: unknown;
}

/** model.json + shards as tfjs ModelArtifacts; shard paths must stay inside the model's folder. */
async function readArtifacts(path: string): Promise<{ json: ModelJson; artifacts: import('@tensorflow/tfjs').io.ModelArtifacts }> {
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as ModelJson;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`--model ${path} does not load: ${err.code ?? err.message}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology) throw new UsageError(`--model ${path} does not load: not a TensorFlow.js model.json (no modelTopology)`);
  const specs: import('@tensorflow/tfjs').io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths ?? []) {
      if (isAbsolute(p) || normalize(p).split(sep).includes('..')) throw new UsageError(`--model ${path}: weight shard "${p}" is outside the model's folder`);
      try {
        parts.push(await readFile(join(dirname(path), p)));
      } catch (e) {
        throw new UsageError(`--model ${path} does not load: weight shard ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    specs.push(...(group.weights ?? []));
  }
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const { weightsManifest: _, ...rest } = json;
  return { json, artifacts: { ...(rest as object), modelTopology: json.modelTopology, weightSpecs: specs, weightData } as import('@tensorflow/tfjs').io.ModelArtifacts };
}

function isGraph(json: ModelJson): boolean {
  return json.format === 'graph-model' || Array.isArray(json.modelTopology?.node);
}

function namesHint(names: string[]): string {
  return names.slice(0, 8).join(', ') + (names.length > 8 ? `, ... (${names.length} in all)` : '');
}

export async function loadUserModel(path: string, layer: string | undefined): Promise<UserModel> {
  const { json, artifacts } = await readArtifacts(path);
  const { tf, backend } = await loadTf();
  const handler = { load: async () => artifacts };
  const graph = isGraph(json);
  let run: (x: Tensor) => Tensor;
  let inputShape: (number | null)[];
  let layerName: string;
  let dispose: () => void;
  if (graph) {
    let model: import('@tensorflow/tfjs').GraphModel;
    try {
      model = await tf.loadGraphModel(handler);
    } catch (e) {
      throw new UsageError(`--model ${path} does not load as a graph model: ${(e as Error).message.split('\n')[0]}`);
    }
    const nodes = (json.modelTopology?.node ?? []).filter((n) => n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.name);
    layerName = layer ?? model.outputs[0]?.name.replace(/:\d+$/, '') ?? '';
    if (!nodes.includes(layerName)) throw new UsageError(`--layer ${layerName} is not a node of ${path} (nodes: ${namesHint(nodes)})`);
    inputShape = (model.inputs[0]?.shape ?? []).slice(1).map((d) => (d === -1 ? null : d));
    run = (x) => model.execute(x, layerName) as Tensor;
    dispose = () => model.dispose();
  } else {
    let model: import('@tensorflow/tfjs').LayersModel;
    try {
      model = await tf.loadLayersModel(handler);
    } catch (e) {
      throw new UsageError(`--model ${path} does not load as a layers model: ${(e as Error).message.split('\n')[0]}`);
    }
    const names = model.layers.map((l) => l.name);
    // Default: the layer before the output (the usual "penultimate layer" representation).
    layerName = layer ?? names[Math.max(0, names.length - 2)]!;
    if (!names.includes(layerName)) throw new UsageError(`--layer ${layerName} is not a layer of ${path} (layers: ${namesHint(names)})`);
    const out = model.getLayer(layerName).output;
    const sub = tf.model({ inputs: model.inputs, outputs: Array.isArray(out) ? out[0]! : out });
    inputShape = (model.inputs[0]?.shape ?? []).slice(1);
    run = (x) => sub.predict(x) as Tensor;
    dispose = () => model.dispose();
  }
  const rank = inputShape.length;
  const channels = rank === 3 ? inputShape[2] : null;
  if (!(rank === 3 && (channels === 1 || channels === 3)) && !(rank === 1 && inputShape[0] !== null)) {
    throw new UsageError(`--model ${path}: input shape [${inputShape.map((d) => d ?? '?').join(', ')}] does not fit images (needs [height, width, 1 or 3] or a flat [grid*grid*3] vector; a text model: pass its embeddings with --embeddings or --embedding-column)`);
  }
  if (rank === 1 && !flatGrid(inputShape[0]!)) {
    throw new UsageError(`--model ${path}: flat input of ${inputShape[0]} values does not fit images (needs side*side*3 or side*side; a text model: pass its embeddings with --embeddings or --embedding-column)`);
  }
  // One forward pass on a blank input, so that an op the backend lacks fails now, not after decoding.
  try {
    const probe = rank === 3 ? tf.zeros([1, inputShape[0] ?? 32, inputShape[1] ?? 32, channels!]) : tf.zeros([1, inputShape[0]!]);
    tf.dispose([run(probe), probe]);
  } catch (e) {
    dispose();
    throw new UsageError(`--model ${path} does not run on the ${backend} backend: ${(e as Error).message.split('\n')[0]}`);
  }

  const embed = async (images: ImageFeatures, progress: Progress): Promise<Embeddings> => {
    const g = images.grid;
    const n = images.pixels.length / (g * g * 3);
    const flat = rank === 1 ? flatGrid(inputShape[0]!) : null;
    if (flat && flat.side !== g) throw new UsageError(`--model ${path}: flat input of ${inputShape[0]} values needs ${flat.side}x${flat.side} images; the working grid is ${g} (pass --grid ${flat.side})`);
    const grey = rank === 3 ? channels === 1 : flat!.channels === 1;
    const h = rank === 3 ? (inputShape[0] ?? g) : g;
    const w = rank === 3 ? (inputShape[1] ?? g) : g;
    progress.stage(`model ${layerName}`, n);
    let data: Float32Array | undefined;
    let dim = 0;
    for (let s = 0; s < n; s += BATCH) {
      const m = Math.min(BATCH, n - s);
      const src = images.pixels.subarray(s * g * g * 3, (s + m) * g * g * 3);
      const px = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) px[i] = src[i]! / 255;
      const out = tf.tidy(() => {
        let x: Tensor = tf.tensor4d(px, [m, g, g, 3]);
        if (grey) x = x.mean(3, true);
        if (h !== g || w !== g) x = tf.image.resizeBilinear(x as import('@tensorflow/tfjs').Tensor4D, [h, w]);
        if (rank === 1) x = x.reshape([m, -1]);
        const y = run(x);
        return y.reshape([m, -1]);
      });
      const v = (await out.data()) as Float32Array;
      if (!data) {
        dim = v.length / m;
        data = new Float32Array(n * dim);
      }
      data.set(v, s * dim);
      out.dispose();
      progress.tick(m);
    }
    progress.done();
    dispose();
    for (let i = 0; i < (data?.length ?? 0); i++) if (!Number.isFinite(data![i]!)) throw new UsageError(`--model ${path}: layer ${layerName} gave ${data![i]} for sample ${Math.floor(i / dim)}`);
    return { dim, data: data ?? new Float32Array(0) };
  };
  return { kind: graph ? 'graph' : 'layers', layer: layerName, backend, inputShape, embed };
}

/** side and channels of a flat image input of `size` values, or null. */
function flatGrid(size: number): { side: number; channels: 1 | 3 } | null {
  const s3 = Math.round(Math.sqrt(size / 3));
  if (s3 * s3 * 3 === size) return { side: s3, channels: 3 };
  const s1 = Math.round(Math.sqrt(size));
  if (s1 * s1 === size) return { side: s1, channels: 1 };
  return null;
}
