// Where the embedding detectors' vectors come from when the data brings none: the kinds `--embed` takes.
// `none` runs no embedding detector (unless --embeddings, an embedding column or --model give vectors), `proxy`
// trains a small model on the data (the same as --proxy-model), `pretrained` runs a pretrained image backbone.
export const EMBED_KINDS = ['none', 'proxy', 'pretrained'] as const;
export type EmbedKind = (typeof EMBED_KINDS)[number];
export const DEFAULT_EMBED: EmbedKind = 'none';
/** Input side of the pretrained backbone, in pixels (measured trade-off of speed and detection: BENCHMARKS.md). */
export const DEFAULT_EMBED_SIZE = 96;
