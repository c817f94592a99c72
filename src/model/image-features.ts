// Per-image fingerprints, columnar: row i of every array is sample i of the scan.

export const IMAGE_STAT_NAMES = [
  'meanR', 'meanG', 'meanB', 'stdR', 'stdG', 'stdB',
  'brightness', 'contrast', 'sharpness', 'colorfulness', 'skewY',
] as const;
export type ImageStatName = (typeof IMAGE_STAT_NAMES)[number];

export interface ImageFileFacts {
  /** Container format sniffed from the bytes: jpeg, png, webp, gif, tiff, bmp, avif, heif, unknown. */
  format: string[];
  bytes: Float64Array;
  /** Native size before resampling to the working grid. */
  width: Uint32Array;
  height: Uint32Array;
  /** Estimated JPEG quality (IJG scale) from the luminance quantisation table; -1 when not JPEG. */
  jpegQuality: Float32Array;
  /** JPEG chroma subsampling such as "4:2:0", "" when not JPEG. */
  chroma: string[];
  /** Encoder evidence (see fingerprint/file-facts.ts), "" when the header gives none. */
  encoder: string[];
  /** EXIF creation day (YYYY-MM-DD), "" when absent. */
  created: string[];
  /** Hex digests of the encoded bytes (provenance: verify, manifests, baselines). */
  sha256: string[];
  md5: string[];
}

export interface ImageFeatures {
  /** Side of the square working grid every image was resampled to. */
  grid: number;
  /** N x grid x grid x 3, RGB, row-major. */
  pixels: Uint8Array;
  stats: Record<ImageStatName, Float32Array>;
  /** 64-bit DCT perceptual hash. */
  phash: BigUint64Array;
  file: ImageFileFacts;
}

/** The RGB pixels of sample i (a view, no copy). */
export function imagePixels(f: ImageFeatures, i: number): Uint8Array {
  const n = f.grid * f.grid * 3;
  return f.pixels.subarray(i * n, (i + 1) * n);
}
