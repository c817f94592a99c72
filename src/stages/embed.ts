// The embed stage: the vectors of the embedding detectors. Embeddings that came with the data (a .npy file or a
// column) are used as they are; otherwise a user's model, a pretrained backbone or a proxy model trained on the data
// embeds the samples, and the vectors are kept beside the report for later scans to re-use.
import { writeFile } from 'node:fs/promises';
import { UsageError, type Json } from '../types.js';
import type { Progress } from '../util/progress.js';
import type { DatasetColumns } from '../model/dataset.js';
import type { Embeddings } from '../model/embeddings.js';
import type { EmbedKind } from '../config/embed.js';
import type { UserModel } from '../embed/user-model.js';
import type { PretrainedEmbedder } from '../embed/pretrained.js';
import { EMBEDDING_IDS_FILE, EMBEDDINGS_FILE } from '../embed/embedding-reuse.js';
import type { Baseline } from '../provenance/baseline.js';
import type { StagedOutputs } from '../store/staged-outputs.js';

export interface EmbedInput {
  data: DatasetColumns;
  /** The embedding asked for (embedKindOf): with `proxy`, a proxy model is trained when no vectors came otherwise. */
  kind: EmbedKind;
  /** Where `data.embeddings` came from, as report.json's config.embed names it: a .npy file, else a column. */
  embeddingsFile?: string;
  embeddingColumn?: string;
  /** A user's model, loaded and checked, and the path it was given as. */
  userModel?: { model: UserModel; path: string };
  pretrained?: PretrainedEmbedder;
  /** Vectors of unchanged images are carried over from its pretrained embeddings. */
  baseline?: Baseline;
  staged: StagedOutputs;
  seed: number;
  progress: Progress;
  /** Seconds per stage: the model's, the backbone's or the proxy model's are added. */
  stages: Record<string, number>;
}

export interface Embedded {
  embeddings?: Embeddings;
  /** What report.json's config.embed records: where the embedding detectors' vectors came from. */
  used: { [k: string]: Json };
  /** The proxy model's backend and held-out accuracy, when one was trained. */
  proxy?: { backend: string; heldOutAccuracy: number };
}

/** The embedding asked for: --embed, or --proxy-model's proxy; the two disagreeing is a usage error. */
export function embedKindOf(opts: { embed?: EmbedKind; proxyModel?: boolean }): EmbedKind {
  if (opts.proxyModel && opts.embed !== undefined && opts.embed !== 'proxy') throw new UsageError(`--proxy-model and --embed ${opts.embed} choose different embeddings: give one`);
  return opts.embed ?? (opts.proxyModel ? 'proxy' : 'none');
}

export async function embedStage(i: EmbedInput): Promise<Embedded> {
  const { data, progress, seed, stages, pretrained, baseline } = i;
  const out = (name: string) => i.staged.path(name);
  let embeddings = data.embeddings;
  let proxy: { backend: string; heldOutAccuracy: number } | undefined;
  let used: { [k: string]: Json } = embeddings ? (i.embeddingsFile ? { kind: 'file', path: i.embeddingsFile } : { kind: 'column', column: i.embeddingColumn ?? 'auto' }) : { kind: 'none' };
  const keep = async (e: Embeddings) => {
    // Kept beside the report so that later scans can reuse them: --embeddings embeddings.npy --embedding-ids embedding-ids.txt
    const { npyBytes } = await import('../embed/npy.js');
    await writeFile(out(EMBEDDINGS_FILE), npyBytes(e));
    await writeFile(out(EMBEDDING_IDS_FILE), data.ids.join('\n') + '\n');
  };
  if (i.userModel && !embeddings) {
    const { model: userModel, path } = i.userModel;
    // A text model needs its own tokenizer, which a model.json does not carry: its embeddings come in precomputed.
    if (!data.images) throw new UsageError('--model reads images only; for text, embed the texts with your model and pass them with --embeddings file.npy [--embedding-ids ids.txt] or --embedding-column NAME');
    const ts = performance.now();
    embeddings = await userModel.embed(data.images, progress);
    stages.model = (performance.now() - ts) / 1000;
    used = { kind: 'model', path, layer: userModel.layer, backend: userModel.backend };
    await keep(embeddings);
  }
  if (pretrained && !embeddings) {
    if (!data.images) throw new UsageError('--embed pretrained reads images only; for text, pass embeddings with --embeddings file.npy or --embedding-column NAME, or use --embed proxy');
    const ts = performance.now();
    const spec: { [k: string]: Json } = { ...pretrained.spec };
    const known = baseline ? await (await import('../embed/embedding-reuse.js')).carriedOver({ dir: baseline.dir, embed: baseline.report.config.embed, images: baseline.images }, spec, data.ids, data.images) : null;
    embeddings = await pretrained.embed(data.images, progress, known?.get);
    stages.embed = (performance.now() - ts) / 1000;
    used = { ...spec, loadSeconds: Math.round(pretrained.loadSeconds * 100) / 100, ...(known ? { carriedOver: known.count } : {}) };
    await keep(embeddings);
  }
  if (i.kind === 'proxy' && !embeddings) {
    if ((!data.images && !data.texts) || !data.labels.some((l) => l !== null)) throw new UsageError('--proxy-model needs a labelled image or text dataset (or pass embeddings)');
    const r = data.images
      ? await (await import('../embed/proxy-model.js')).proxyEmbeddings(data.images, data.labels, seed, progress)
      : await (await import('../embed/text-proxy-model.js')).textProxyEmbeddings(data.texts!, data.labels, seed, progress);
    embeddings = r.embeddings;
    proxy = { backend: r.backend, heldOutAccuracy: Math.round(r.heldOutAccuracy * 1000) / 1000 };
    stages['proxy-model'] = r.seconds;
    used = { kind: 'proxy', ...proxy };
    await keep(r.embeddings);
  }
  return { embeddings, proxy, used };
}
