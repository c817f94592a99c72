// --model: a user's own TensorFlow.js model (layers or graph) read from disk, its layer's activations as the
// embeddings; bad models, layers and input shapes stop the scan (exit 2) before the images are decoded.
process.env.POISONSCAN_TF_BACKEND = 'cpu';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { scan } from '../src/scan.js';
import { readNpy } from '../src/embed/npy.js';
import { UsageError } from '../src/types.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

let dir: string;
let root: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-model-'));
  const sharp = (await import('sharp')).default;
  const rng = createRng(5);
  root = join(dir, 'imgs');
  for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
  for (let i = 0; i < 40; i++) {
    const c = i % 2 ? 'b' : 'a';
    const px = Buffer.alloc(16 * 16 * 3);
    for (let k = 0; k < px.length; k++) px[k] = Math.floor(rng() * 256);
    await writeFile(join(root, c, `${i}.png`), await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer());
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Saves a layers model as model.json + weights.bin, the layout tfjs's file:// and the converter write. */
async function saveLayers(model: tf.LayersModel, folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      await writeFile(join(folder, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
      await writeFile(join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(folder, 'model.json');
}

function convModel(inputShape: number[]): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 6, activation: 'relu', name: 'feat', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  return m;
}

const opts = (out: string) => ({ dataset: root, out: join(dir, out), quiet: true, progress: silentProgress, failOn: 'never' as const, detectors: ['spectral-signature'] });

describe('--model (layers model)', () => {
  it('reads the layer before the output by default, or the named layer, and keeps the embeddings', async () => {
    const path = await saveLayers(convModel([16, 16, 3]), join(dir, 'm1'));
    const r = await scan({ ...opts('o1'), model: path });
    expect(r.report.config.model).toMatchObject({ kind: 'layers', layer: 'feat', backend: 'cpu' });
    expect(r.report.config.detectors).toEqual(['spectral-signature']);
    const e = await readNpy(join(dir, 'o1', 'embeddings.npy'));
    expect([e.rows, e.dim]).toEqual([40, 6]);
    const again = await scan({ ...opts('o1b'), model: path });
    expect([...(await readNpy(join(dir, 'o1b', 'embeddings.npy'))).data]).toEqual([...e.data]);
    const conv = await scan({ ...opts('o2'), model: path, layer: 'conv' });
    expect((await readNpy(join(dir, 'o2', 'embeddings.npy'))).dim).toBe(14 * 14 * 4);
    expect(conv.report.config.model).toMatchObject({ layer: 'conv' });
    // A model of another input side gets the images resized to it.
    const big = await saveLayers(convModel([24, 24, 1]), join(dir, 'm3'));
    await scan({ ...opts('o3'), model: big });
    expect((await readNpy(join(dir, 'o3', 'embeddings.npy'))).dim).toBe(6);
  });

  it('exits with one clear line on a model that does not load, a missing layer, an input that does not fit', async () => {
    await expect(scan({ ...opts('e1'), model: join(dir, 'nope', 'model.json') })).rejects.toThrow(/does not load: ENOENT/);
    await writeFile(join(dir, 'bad.json'), '{"modelTopology": {"class_name": "Sequential", "config": {"layers": [{"class_name": "NoSuchLayer", "config": {}}]}}}');
    await expect(scan({ ...opts('e2'), model: join(dir, 'bad.json') })).rejects.toThrow(/does not load as a layers model/);
    await writeFile(join(dir, 'notjson.json'), 'hello');
    await expect(scan({ ...opts('e3'), model: join(dir, 'notjson.json') })).rejects.toThrow(UsageError);
    const path = await saveLayers(convModel([16, 16, 3]), join(dir, 'm4'));
    await expect(scan({ ...opts('e4'), model: path, layer: 'fc7' })).rejects.toThrow(/--layer fc7 is not a layer of .* \(layers: conv, flat, feat, out\)/);
    const four = await saveLayers(convModel([16, 16, 4]), join(dir, 'm5'));
    await expect(scan({ ...opts('e5'), model: four })).rejects.toThrow(/input shape \[16, 16, 4\] does not fit images/);
    const flat = tf.sequential();
    flat.add(tf.layers.dense({ inputShape: [10], units: 3, name: 'd' }));
    flat.add(tf.layers.dense({ units: 2, name: 'o' }));
    await expect(scan({ ...opts('e6'), model: await saveLayers(flat, join(dir, 'm6')) })).rejects.toThrow(/flat input of 10 values does not fit images/);
    // A text dataset: --model reads images only, and the line says how text embeddings come in.
    const text = join(dir, 'texts.jsonl');
    await writeFile(text, '{"text":"a good film","label":1}\n{"text":"a dull film","label":0}\n');
    await expect(scan({ ...opts('e8'), dataset: text, model: path })).rejects.toThrow(/--model reads images only; .*--embeddings file\.npy .* or --embedding-column NAME/);
    // The weights manifest may not point outside the model's folder.
    await writeFile(join(dir, 'm4', 'evil.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential' }, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }));
    await expect(scan({ ...opts('e7'), model: join(dir, 'm4', 'evil.json') })).rejects.toThrow(/outside the model's folder/);
  });
});

describe('--model (graph model)', () => {
  // A hand-written GraphDef (what tfjs-converter emits): flat 768-value input -> MatMul -> Relu (node "hidden").
  async function graphModel(folder: string, inputSize: number): Promise<string> {
    await mkdir(folder, { recursive: true });
    const rng = createRng(9);
    const w = Float32Array.from({ length: inputSize * 5 }, () => rng() - 0.5);
    await writeFile(join(folder, 'w.bin'), Buffer.from(w.buffer));
    const dim = (...s: number[]) => ({ dim: s.map((size) => ({ size: String(size) })) });
    const json = {
      format: 'graph-model',
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim(-1, inputSize) } } },
          { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(inputSize, 5) } } } },
          { name: 'mm', op: 'MatMul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } } },
          { name: 'hidden', op: 'Relu', input: ['mm'], attr: { T: { type: 'DT_FLOAT' } } },
        ],
        versions: { producer: 1 },
      },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [inputSize, 5], dtype: 'float32' }] }],
    };
    await writeFile(join(folder, 'model.json'), JSON.stringify(json));
    return join(folder, 'model.json');
  }

  it('reads a node of a graph model; a missing node lists the valid ones', async () => {
    const path = await graphModel(join(dir, 'g1'), 16 * 16 * 3);
    const r = await scan({ ...opts('g1o'), model: path, layer: 'hidden' });
    expect(r.report.config.model).toMatchObject({ kind: 'graph', layer: 'hidden' });
    const e = await readNpy(join(dir, 'g1o', 'embeddings.npy'));
    expect([e.rows, e.dim]).toEqual([40, 5]);
    await expect(scan({ ...opts('g2o'), model: path, layer: 'fc' })).rejects.toThrow(/--layer fc is not a node of .* \(nodes: mm, hidden\)/);
    // A flat input for 8x8 images on a 16x16 grid: told how to make it fit.
    const small = await graphModel(join(dir, 'g2'), 8 * 8 * 3);
    await expect(scan({ ...opts('g3o'), model: small, layer: 'hidden' })).rejects.toThrow(/needs 8x8 images; the working grid is 16 \(pass --grid 8\)/);
  });
});
