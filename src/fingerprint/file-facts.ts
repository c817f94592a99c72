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
  /**
   * What wrote the file, as far as its header tells: quantisation tables (each encoder and quality setting has
   * its own), the APPn segments it adds, and the EXIF software and camera. Provenance evidence.
   */
  encoder: string;
  /** Day of EXIF DateTime (YYYY-MM-DD), "" when absent. */
  created: string;
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
  let dqtHash = 0x811c9dc5;
  const apps: string[] = [];
  let exif: ExifIds = {};
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) { i++; continue; }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const seg = i + 4;
    if (len < 2 || seg + len - 2 > b.length) return null;
    if (marker >= 0xe0 && marker <= 0xef) {
      const name = appName(marker, b, seg, len - 2);
      if (!apps.includes(name)) apps.push(name);
      if (name === 'Exif') exif = readExifIds(b, seg + 6, seg + len - 2);
    } else if (marker === 0xfe) {
      if (!apps.includes('COM')) apps.push('COM');
    }
    if (marker === 0xdb) {
      for (let k = seg; k < seg + len - 2; k++) dqtHash = Math.imul(dqtHash ^ b[k]!, 0x01000193);
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
  const encoder = [
    `dqt:${(dqtHash >>> 0).toString(16).padStart(8, '0')}`,
    `app:${apps.join('+') || 'none'}`,
    progressive ? 'progressive' : 'baseline',
    ...(exif.software ? [`software:${exif.software}`] : []),
    ...(exif.camera ? [`camera:${exif.camera}`] : []),
  ].join(' ');
  const created = exif.created ?? '';
  return { width, height, components, quality: lumaSum > 0 ? qualityFromScale((100 * lumaSum) / STD_LUMA_SUM) : -1, chroma, progressive, encoder, created };
}

function appName(marker: number, b: Uint8Array, at: number, len: number): string {
  const id = ascii(b, at, Math.min(len, 14)).split('\0')[0]!;
  if (marker === 0xe0 && (id === 'JFIF' || id === 'JFXX')) return id;
  if (marker === 0xe1 && id === 'Exif') return 'Exif';
  if (marker === 0xe1 && id.startsWith('http')) return 'XMP';
  if (marker === 0xe2 && id.startsWith('ICC_PROFILE')) return 'ICC';
  if (marker === 0xed) return 'Photoshop';
  if (marker === 0xee && id.startsWith('Adobe')) return 'Adobe';
  return `APP${marker - 0xe0}`;
}

interface ExifIds {
  software?: string;
  camera?: string;
  /** Day the file was written, from EXIF DateTime. */
  created?: string;
}

/**
 * Make, Model, Software and DateTime from EXIF IFD0 (TIFF header, then one IFD of 12-byte entries; ASCII values).
 * Only these four tags are read, so a small reader suffices; malformed EXIF gives nothing, never an error.
 */
function readExifIds(b: Uint8Array, start: number, end: number): ExifIds {
  if (end - start < 8) return {};
  const le = b[start] === 0x49 && b[start + 1] === 0x49;
  if (!le && !(b[start] === 0x4d && b[start + 1] === 0x4d)) return {};
  const u16 = (p: number) => (le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!);
  const u32 = (p: number) => (le ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 2 ** 24 : b[p]! * 2 ** 24 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!));
  const ifd = start + u32(start + 4);
  if (ifd + 2 > end) return {};
  const count = Math.min(u16(ifd), 200);
  const tags: Record<number, string> = {};
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + 12 * k;
    if (e + 12 > end) break;
    const tag = u16(e);
    if ((tag !== 0x010f && tag !== 0x0110 && tag !== 0x0131 && tag !== 0x0132) || u16(e + 2) !== 2) continue;
    const n = u32(e + 4);
    const at = n <= 4 ? e + 8 : start + u32(e + 8);
    if (n > 200 || at + n > end) continue;
    tags[tag] = ascii(b, at, n).replace(/\0.*$/s, '').replace(/[^\x20-\x7e]/g, '').trim();
  }
  const camera = [tags[0x010f], tags[0x0110]].filter(Boolean).join(' ');
  // DateTime is "YYYY:MM:DD HH:MM:SS"; the day is enough to tell batches apart.
  const day = /^(\d{4}):(\d{2}):(\d{2})/.exec(tags[0x0132] ?? '');
  return { ...(tags[0x0131] ? { software: tags[0x0131] } : {}), ...(camera ? { camera } : {}), ...(day ? { created: `${day[1]}-${day[2]}-${day[3]}` } : {}) };
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
