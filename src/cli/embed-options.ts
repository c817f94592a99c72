// The options that choose the embedding of the embedding detectors, declared once for scan, detect and bench.
import { type Command, Option } from 'commander';
import { DEFAULT_EMBED_SIZE, EMBED_KINDS, type EmbedKind } from '../config/embed.js';
import { int } from './dataset-options.js';

export function addEmbedOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--embed <kind>', 'embeddings for the embedding detectors when the data brings none: none, proxy (a small model trained on the data, as --proxy-model), pretrained (a pretrained image backbone; needs the optional package nsfwjs)').choices(EMBED_KINDS))
    .option('--embed-size <px>', `input side of the pretrained backbone (default ${DEFAULT_EMBED_SIZE}; 224, its training size, takes about 5x the time)`, int('--embed-size', 1))
    .option('--proxy-model', 'the same as --embed proxy: train a small model on the (labelled image or text) dataset and run the embedding detectors on it');
}

/** --embed, --embed-size and --proxy-model after config defaults, as scan options (the scan checks they agree). */
export function readEmbedOptions(o: Record<string, unknown>): { embed?: EmbedKind; embedSize?: number; proxyModel: boolean } {
  return { embed: o.embed as EmbedKind | undefined, embedSize: o.embedSize as number | undefined, proxyModel: Boolean(o.proxyModel) };
}
