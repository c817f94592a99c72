// File-level facts read from the bytes alone: container format, JPEG quantisation quality and subsampling.
// Cheap header parsing so a scan does not pay a second libvips parse per image.

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp' | 'avif' | 'heif' | 'unknown';

export function sniffFormat(b: Uint8Array): SniffedFormat {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 6 && ascii(b, 0, 3) === 'GIF') return 'gif';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a))) return 'tiff';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    return brand === 'avif' || brand === 'avis' ? 'avif' : 'heif';
  }
  return 'unknown';
}

function ascii(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[at + i] ?? 0);
  return s;
}

export interface JpegFacts {
  width: number;
  height: number;
  components: number;
  /** IJG quality estimate from the luminance table, 1..100. */
  quality: number;
  /** e.g. "4:2:0"; "" for grayscale. */
  chroma: string;
  progressive: boolean;
}

// Standard IJG luminance table (Annex K), natural order is irrelevant for the ratio below.
const STD_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87,
  80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92,
  95, 98, 112, 100, 103, 99,
];
const STD_LUMA_SUM = STD_LUMA.reduce((a, b) => a + b, 0);

/** Parses the JPEG markers up to the first scan; null when the header is not readable. */
export function parseJpeg(b: Uint8Array): JpegFacts | null {
  let i = 2;
  let lumaSum = -1;
  let width = 0;
  let height = 0;
  let components = 0;
  let chroma = '';
  let progressive = false;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) { i++; continue; }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const seg = i + 4;
    if (len < 2 || seg + len - 2 > b.length) return null;
    if (marker === 0xdb) {
      // DQT: one or more tables; table 0 is luminance by convention.
      let p = seg;
      while (p < seg + len - 2) {
        const pq = b[p]! >> 4;
        const tq = b[p]! & 15;
        p++;
        let sum = 0;
        for (let k = 0; k < 64; k++) {
          sum += pq ? (b[p + 2 * k]! << 8) | b[p + 2 * k + 1]! : b[p + k]!;
        }
        p += pq ? 128 : 64;
        if (tq === 0) lumaSum = sum;
      }
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      progressive = marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce;
      height = (b[seg + 1]! << 8) | b[seg + 2]!;
      width = (b[seg + 3]! << 8) | b[seg + 4]!;
      components = b[seg + 5]!;
      if (components >= 3) {
        const h0 = b[seg + 7]! >> 4;
        const v0 = b[seg + 7]! & 15;
        const h1 = b[seg + 10]! >> 4;
        const v1 = b[seg + 10]! & 15;
        const hr = h0 / Math.max(1, h1);
        const vr = v0 / Math.max(1, v1);
        chroma = hr === 1 && vr === 1 ? '4:4:4' : hr === 2 && vr === 2 ? '4:2:0' : hr === 2 && vr === 1 ? '4:2:2' : `${h0}x${v0}/${h1}x${v1}`;
      }
    } else if (marker === 0xda) {
      break;
    }
    i = seg + len - 2;
  }
  if (width === 0 || height === 0) return null;
  return { width, height, components, quality: lumaSum > 0 ? qualityFromScale((100 * lumaSum) / STD_LUMA_SUM) : -1, chroma, progressive };
}

/** Inverts the IJG quality scaling: scale = 5000/q for q<50, 200-2q otherwise. */
function qualityFromScale(scale: number): number {
  const q = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
  return Math.max(1, Math.min(100, Math.round(q)));
}

/** Width and height from a PNG IHDR; null when absent. */
export function parsePngSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 24) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}
