// The options that choose the embedding of the embedding detectors, as bench hands them to its scans.
import type { ScanValues } from '../config/options.js';
import type { EmbedKind } from '../config/embed.js';

/** --embed, --embed-size and --proxy-model after config defaults, as scan options (the scan checks they agree). */
export function readEmbedOptions(o: Pick<ScanValues, 'embed' | 'embedSize' | 'proxyModel'>): { embed?: EmbedKind; embedSize?: number; proxyModel: boolean } {
  return { embed: o.embed, embedSize: o.embedSize, proxyModel: Boolean(o.proxyModel) };
}
