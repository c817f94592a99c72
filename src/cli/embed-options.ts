// The options that choose the embedding of the embedding detectors, for scan, detect and bench.
import type { Command } from 'commander';
import { EMBED_OPTIONS, type ScanValues } from '../config/options.js';
import type { EmbedKind } from '../config/embed.js';
import { addOptions } from './options.js';

export function addEmbedOptions(cmd: Command): Command {
  return addOptions(cmd, EMBED_OPTIONS);
}

/** --embed, --embed-size and --proxy-model after config defaults, as scan options (the scan checks they agree). */
export function readEmbedOptions(o: ScanValues): { embed?: EmbedKind; embedSize?: number; proxyModel: boolean } {
  return { embed: o.embed, embedSize: o.embedSize, proxyModel: Boolean(o.proxyModel) };
}
