// Concatenates image fingerprints of consecutive chunks or shards into one set of columns, allocated once for the
// known total (no second full-size copy while merging: peak memory stays at one set of fingerprint columns).
import { IMAGE_STAT_NAMES, type ImageFeatures, type ImageStatName } from '../model/image-features.js';
import { sharedBytes } from '../util/shared-bytes.js';

export class ImageFeaturesBuilder {
  private readonly per: number;
  private n = 0;
  private readonly pixels: Uint8Array;
  private readonly stats: Record<ImageStatName, Float32Array>;
  private readonly phash: BigUint64Array;
  private readonly bytes: Float64Array;
  private readonly width: Uint32Array;
  private readonly height: Uint32Array;
  private readonly jpegQuality: Float32Array;
  private readonly strings = { format: [] as string[], chroma: [] as string[], encoder: [] as string[], created: [] as string[], sha256: [] as string[], md5: [] as string[] };

  constructor(
    private readonly capacity: number,
    readonly grid: number,
  ) {
    this.per = grid * grid * 3;
    this.pixels = sharedBytes(capacity * this.per);
    this.stats = Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, new Float32Array(capacity)])) as Record<ImageStatName, Float32Array>;
    this.phash = new BigUint64Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.width = new Uint32Array(capacity);
    this.height = new Uint32Array(capacity);
    this.jpegQuality = new Float32Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  append(f: ImageFeatures): void {
    if (f.grid !== this.grid) throw new Error(`fingerprints of grid ${f.grid} cannot join fingerprints of grid ${this.grid}`);
    const m = f.phash.length;
    if (this.n + m > this.capacity) throw new Error(`more fingerprints than the ${this.capacity} announced`);
    const at = this.n;
    this.pixels.set(f.pixels.subarray(0, m * this.per), at * this.per);
    for (const k of IMAGE_STAT_NAMES) this.stats[k].set(f.stats[k], at);
    this.phash.set(f.phash, at);
    this.bytes.set(f.file.bytes, at);
    this.width.set(f.file.width, at);
    this.height.set(f.file.height, at);
    this.jpegQuality.set(f.file.jpegQuality, at);
    for (const k of Object.keys(this.strings) as (keyof typeof this.strings)[]) for (const v of f.file[k]) this.strings[k].push(v);
    this.n += m;
  }

  /** The columns; trimmed (one copy) only when fewer rows came than announced (unreadable samples). */
  finish(): ImageFeatures {
    const n = this.n;
    const trim = <T extends Uint8Array | Float32Array | Float64Array | Uint32Array | BigUint64Array>(a: T, len: number): T => (a.length === len ? a : (a.slice(0, len) as T));
    return {
      grid: this.grid,
      // A view, not a copy: the pixels stay in their shared buffer (see util/shared-bytes.ts).
      pixels: this.pixels.subarray(0, n * this.per),
      stats: Object.fromEntries(IMAGE_STAT_NAMES.map((k) => [k, trim(this.stats[k], n)])) as Record<ImageStatName, Float32Array>,
      phash: trim(this.phash, n),
      file: {
        ...this.strings,
        bytes: trim(this.bytes, n),
        width: trim(this.width, n),
        height: trim(this.height, n),
        jpegQuality: trim(this.jpegQuality, n),
      },
    };
  }
}
