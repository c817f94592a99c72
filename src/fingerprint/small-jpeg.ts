// A decoder for the plainest JPEG files at the working grid's size (baseline, 8-bit, JFIF YCbCr, 4:2:0 or 4:4:4, no
// restart markers, no metadata that changes how the pixels are shown), computing what libjpeg gives with its
// defaults (integer IDCT, fancy upsampling) bit for bit: for tiny images, setting up a libvips pipeline costs many
// times the decoding itself. Every file it is not sure of (another layout, a marker it does not read, an entropy
// stream that is not exactly well formed, values where libjpeg's variants could disagree) gives null, and the caller
// decodes it the usual way.

/** Largest grid decoded here (the width of the upsampled chroma rows); larger files go the usual way. */
const MAX_GRID = 256;

const ZIGZAG = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55,
  62, 63,
]);

// Integer IDCT constants (13 fractional bits) and pass scaling.
const CONST_BITS = 13;
const PASS1_BITS = 2;
const F0_298631336 = 2446;
const F0_390180644 = 3196;
const F0_541196100 = 4433;
const F0_765366865 = 6270;
const F0_899976223 = 7373;
const F1_175875602 = 9633;
const F1_501321110 = 12299;
const F1_847759065 = 15137;
const F1_961570560 = 16069;
const F2_053119869 = 16819;
const F2_562915447 = 20995;
const F3_072711026 = 25172;
const P1_SHIFT = CONST_BITS - PASS1_BITS;
const P1_HALF = 1 << (P1_SHIFT - 1);
const P2_SHIFT = CONST_BITS + PASS1_BITS + 3;
const P2_HALF = 1 << (P2_SHIFT - 1);
// Bounds on dequantised coefficients and on the first pass's outputs within which every sum of either pass stays
// below 2^31 (the largest sum is under 178,220 times the largest input).
const MAX_COEF = 8191;
const MAX_WORK = 11000;

// YCbCr -> RGB tables (16 fractional bits, as libjpeg builds them).
const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number) => Math.floor(x * (1 << SCALEBITS) + 0.5);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

interface Huffman {
  /** Code of 1..8 bits looked up by the next 8 bits: (length << 8) | symbol, 0 when longer. */
  fast: Uint16Array;
  /** Largest code of each length (-1: none), and the offset of its symbols in `values`. */
  maxCode: Int32Array;
  valOffset: Int32Array;
  values: Uint8Array;
}

// Scratch, reused from image to image (one image is decoded at a time on a thread).
const coef = new Int32Array(64);
const dq = new Int32Array(64);
const work = new Int32Array(64);
const quant = [new Int32Array(64), new Int32Array(64), new Int32Array(64), new Int32Array(64)];
let planes: Uint8Array[] = [];
let planeSize = 0;

/** grid x grid x 3 RGB of a JPEG file of that size, or null when it is not one this decoder is sure to decode exactly. */
export function decodeSmallJpeg(b: Uint8Array, grid: number): Uint8Array | null {
  const n = b.length;
  if (n < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  let jfif = false;
  let frame = false;
  let width = 0, height = 0;
  const compId = new Int32Array(3), compH = new Int32Array(3), compV = new Int32Array(3), compQ = new Int32Array(3);
  const haveQ = [false, false, false, false];
  const dc: (Huffman | undefined)[] = [undefined, undefined, undefined, undefined];
  const ac: (Huffman | undefined)[] = [undefined, undefined, undefined, undefined];
  for (;;) {
    if (i + 4 > n || b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const seg = i + 4;
    const end = i + 2 + len;
    if (len < 2 || end > n) return null;
    if (marker === 0xe0) {
      // JFIF APP0 only (JFXX thumbnails and every other APPn: the usual way).
      if (jfif || len < 7 || b[seg] !== 0x4a || b[seg + 1] !== 0x46 || b[seg + 2] !== 0x49 || b[seg + 3] !== 0x46 || b[seg + 4] !== 0) return null;
      jfif = true;
    } else if (marker === 0xfe) {
      // A comment changes nothing.
    } else if (marker === 0xdb) {
      let p = seg;
      while (p < end) {
        const pq = b[p]! >> 4, tq = b[p]! & 15;
        p++;
        if (tq > 3 || pq > 1 || p + (pq ? 128 : 64) > end) return null;
        const q = quant[tq]!;
        for (let k = 0; k < 64; k++) {
          const v = pq ? (b[p + 2 * k]! << 8) | b[p + 2 * k + 1]! : b[p + k]!;
          // Steps beyond 8 bits: the usual way (libjpeg's SIMD and plain code hold them differently).
          if (v === 0 || v > 255) return null;
          q[ZIGZAG[k]!] = v;
        }
        p += pq ? 128 : 64;
        haveQ[tq] = true;
      }
      if (p !== end) return null;
    } else if (marker === 0xc4) {
      let p = seg;
      while (p < end) {
        const tc = b[p]! >> 4, th = b[p]! & 15;
        if (tc > 1 || th > 3 || p + 17 > end) return null;
        const t = huffmanTable(b, p + 1, end, tc === 0);
        if (!t) return null;
        (tc === 0 ? dc : ac)[th] = t;
        p += 17 + t.values.length;
      }
      if (p !== end) return null;
    } else if (marker === 0xc0) {
      if (frame || len !== 17 || b[seg] !== 8) return null;
      height = (b[seg + 1]! << 8) | b[seg + 2]!;
      width = (b[seg + 3]! << 8) | b[seg + 4]!;
      if (b[seg + 5] !== 3 || width !== grid || height !== grid || grid < 16 || grid > MAX_GRID) return null;
      for (let c = 0; c < 3; c++) {
        compId[c] = b[seg + 6 + 3 * c]!;
        compH[c] = b[seg + 7 + 3 * c]! >> 4;
        compV[c] = b[seg + 7 + 3 * c]! & 15;
        compQ[c] = b[seg + 8 + 3 * c]!;
        if (compId[c] !== c + 1 || compQ[c]! > 3) return null;
      }
      const sub = compH[0] === 2 && compV[0] === 2, full = compH[0] === 1 && compV[0] === 1;
      if (!(sub || full) || compH[1] !== 1 || compV[1] !== 1 || compH[2] !== 1 || compV[2] !== 1) return null;
      frame = true;
    } else if (marker === 0xda) {
      if (!frame || len !== 12 || b[seg] !== 3) return null;
      const tdc = new Int32Array(3), tac = new Int32Array(3);
      for (let c = 0; c < 3; c++) {
        if (b[seg + 1 + 2 * c] !== compId[c]) return null;
        tdc[c] = b[seg + 2 + 2 * c]! >> 4;
        tac[c] = b[seg + 2 + 2 * c]! & 15;
        if (tdc[c]! > 3 || tac[c]! > 3 || !dc[tdc[c]!] || !ac[tac[c]!] || !haveQ[compQ[c]!]) return null;
      }
      if (b[seg + 7] !== 0 || b[seg + 8] !== 63 || b[seg + 9] !== 0) return null;
      // Quantisation tables are read when the scan starts (a later DQT would not count; none is allowed anyway).
      return decodeScan(b, end, grid, compH[0] === 2, [quant[compQ[0]!]!, quant[compQ[1]!]!, quant[compQ[2]!]!], [dc[tdc[0]!]!, dc[tdc[1]!]!, dc[tdc[2]!]!], [ac[tac[0]!]!, ac[tac[1]!]!, ac[tac[2]!]!]);
    } else {
      // SOF of another kind, DRI, DNL, other APPn (EXIF orientation, ICC profiles, Adobe transforms), anything else.
      return null;
    }
    i = end;
  }
}

// Files of one dataset mostly carry the same few tables: each is built once (keyed by its bytes).
const tableCache = new Map<number, { isDc: boolean; bytes: Uint8Array; table: Huffman }[]>();
let cached = 0;

function huffmanTable(b: Uint8Array, at: number, end: number, isDc: boolean): Huffman | null {
  if (at + 16 > end) return null;
  let total = 0;
  for (let l = 0; l < 16; l++) total += b[at + l]!;
  const len = 16 + total;
  if (at + len > end) return null;
  let h = isDc ? 0x811c9dc5 : 0x050c5d1f;
  for (let k = at; k < at + len; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
  const list = tableCache.get(h);
  if (list) {
    for (const e of list) {
      if (e.isDc !== isDc || e.bytes.length !== len) continue;
      let same = true;
      for (let k = 0; k < len && same; k++) same = e.bytes[k] === b[at + k];
      if (same) return e.table;
    }
  }
  const table = buildHuffman(b, at, end, isDc);
  if (!table) return null;
  if (cached >= 256) {
    tableCache.clear();
    cached = 0;
  }
  const entry = { isDc, bytes: b.slice(at, at + len), table };
  if (list) list.push(entry);
  else tableCache.set(h, [entry]);
  cached++;
  return table;
}

function buildHuffman(b: Uint8Array, at: number, end: number, isDc: boolean): Huffman | null {
  const counts = b.subarray(at, at + 16);
  let total = 0;
  for (let l = 0; l < 16; l++) total += counts[l]!;
  if (total === 0 || total > 256 || at + 16 + total > end) return null;
  const values = b.slice(at + 16, at + 16 + total);
  for (let k = 0; k < total; k++) {
    const s = values[k]!;
    if (isDc ? s > 11 : (s & 15) > 10) return null;
  }
  const fast = new Uint16Array(256);
  const maxCode = new Int32Array(18).fill(-1);
  const valOffset = new Int32Array(18);
  let code = 0, k = 0;
  for (let l = 1; l <= 16; l++) {
    const c = counts[l - 1]!;
    valOffset[l] = k - code;
    for (let j = 0; j < c; j++, k++, code++) {
      if (l <= 8) {
        const shift = 8 - l;
        const base = code << shift;
        for (let f = 0; f < 1 << shift; f++) fast[base + f] = (l << 8) | values[k]!;
      }
    }
    if (c) maxCode[l] = code - 1;
    // A code set that overflows its length is not a valid table.
    // libjpeg refuses a table that uses the all-ones code of a length too, so the file is left to it.
    if (code >= 1 << l) return null;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { fast, maxCode, valOffset, values };
}

// Entropy-coded data reader: bits MSB first, 0xFF00 stuffing. At a marker (or the buffer's end) zero bits are
// appended, as libjpeg does; a stream that needs them is not well formed, and is left to the usual way.
let src: Uint8Array = new Uint8Array(0);
let pos = 0;
let acc = 0;
let bits = 0;
/** Zero bits appended past the data (the last `padded` of `bits`, while unread). */
let padded = 0;
let bad = false;

function fill(): void {
  while (bits <= 24) {
    let byte = 0;
    if (padded === 0 && pos < src.length && src[pos] !== 0xff) byte = src[pos++]!;
    else if (padded === 0 && pos + 1 < src.length && src[pos + 1] === 0) {
      byte = 0xff;
      pos += 2;
    } else padded += 8;
    acc = ((acc << 8) | byte) >>> 0;
    bits += 8;
  }
}

function readBits(k: number): number {
  if (bits < k) fill();
  bits -= k;
  return (acc >>> bits) & ((1 << k) - 1);
}

function decodeSymbol(h: Huffman): number {
  if (bits < 16) fill();
  const peek = (acc >>> (bits - 8)) & 0xff;
  const f = h.fast[peek]!;
  if (f) {
    bits -= f >> 8;
    return f & 0xff;
  }
  let l = 9;
  let code = (acc >>> (bits - 9)) & 0x1ff;
  while (code > h.maxCode[l]!) {
    l++;
    if (l > 16) {
      bad = true;
      return 0;
    }
    code = (acc >>> (bits - l)) & ((1 << l) - 1);
  }
  bits -= l;
  return h.values[code + h.valOffset[l]!]!;
}

function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

function decodeScan(b: Uint8Array, start: number, grid: number, sub: boolean, q: Int32Array[], dcT: Huffman[], acT: Huffman[]): Uint8Array | null {
  src = b;
  pos = start;
  acc = 0;
  bits = 0;
  padded = 0;
  bad = false;
  const mcuSide = sub ? 16 : 8;
  const mcus = Math.ceil(grid / mcuSide);
  const lumaW = mcus * mcuSide;
  const chromaW = mcus * 8;
  const need = lumaW * lumaW + 2 * chromaW * chromaW;
  if (planeSize !== need) {
    planes = [new Uint8Array(lumaW * lumaW), new Uint8Array(chromaW * chromaW), new Uint8Array(chromaW * chromaW)];
    planeSize = need;
  }
  const last = [0, 0, 0];
  for (let my = 0; my < mcus; my++) {
    for (let mx = 0; mx < mcus; mx++) {
      for (let c = 0; c < 3; c++) {
        const blocks = c === 0 && sub ? 4 : 1;
        for (let k = 0; k < blocks; k++) {
          // One block's coefficients, natural order.
          coef.fill(0);
          const t = decodeSymbol(dcT[c]!);
          let d = last[c]!;
          if (t) d += extend(readBits(t), t);
          last[c] = d;
          coef[0] = d;
          const a = acT[c]!;
          for (let z = 1; z < 64;) {
            const rs = decodeSymbol(a);
            const r = rs >> 4, s = rs & 15;
            if (s) {
              z += r;
              if (z > 63) return null;
              coef[ZIGZAG[z]!] = extend(readBits(s), s);
              z++;
            } else {
              if (r !== 15) break;
              z += 16;
            }
          }
          if (bad || bits < padded) return null;
          const plane = planes[c]!;
          const w = c === 0 ? lumaW : chromaW;
          const x0 = c === 0 && sub ? mx * 16 + (k & 1) * 8 : mx * 8;
          const y0 = c === 0 && sub ? my * 16 + (k >> 1) * 8 : my * 8;
          if (!idct(coef, q[c]!, plane, y0 * w + x0, w)) return null;
        }
      }
    }
  }
  // The data must end here: padding bits of the last byte, then the end-of-image marker closing the file.
  if (bad || bits < padded || bits - padded >= 8 || pos !== b.length - 2 || b[pos] !== 0xff || b[pos + 1] !== 0xd9) return null;
  const out = new Uint8Array(grid * grid * 3);
  if (sub) upsampleAndConvert(grid, lumaW, chromaW, out);
  else convert(grid, lumaW, out);
  return out;
}

/**
 * libjpeg's integer IDCT of one block into the plane (jidctint.c, the same arithmetic). False when a value leaves
 * the range where every sum fits 32 bits (and where libjpeg's plain and SIMD versions agree): far beyond what an
 * 8-bit image's coefficients reach.
 */
function idct(c: Int32Array, q: Int32Array, out: Uint8Array, at: number, stride: number): boolean {
  for (let k = 0; k < 64; k++) {
    const v = c[k]! * q[k]!;
    if (v > MAX_COEF || v < -MAX_COEF) return false;
    dq[k] = v;
  }
  for (let col = 0; col < 8; col++) {
    if (dq[8 + col] === 0 && dq[16 + col] === 0 && dq[24 + col] === 0 && dq[32 + col] === 0 && dq[40 + col] === 0 && dq[48 + col] === 0 && dq[56 + col] === 0) {
      const dcval = dq[col]! << PASS1_BITS;
      for (let r = 0; r < 8; r++) work[8 * r + col] = dcval;
      continue;
    }
    idct8(dq, col, 8);
    for (let r = 0; r < 8; r++) work[8 * r + col] = (sums[r]! + P1_HALF) >> P1_SHIFT;
  }
  for (let k = 0; k < 64; k++) if (work[k]! > MAX_WORK || work[k]! < -MAX_WORK) return false;
  for (let row = 0; row < 8; row++) {
    const w = row * 8;
    const o = at + row * stride;
    if (work[w + 1] === 0 && work[w + 2] === 0 && work[w + 3] === 0 && work[w + 4] === 0 && work[w + 5] === 0 && work[w + 6] === 0 && work[w + 7] === 0) {
      const v = (work[w]! + 16) >> 5;
      if (v < -384 || v > 383) return false;
      const px = v < -128 ? 0 : v > 127 ? 255 : v + 128;
      for (let x = 0; x < 8; x++) out[o + x] = px;
      continue;
    }
    idct8(work, w, 1);
    for (let x = 0; x < 8; x++) {
      const v = (sums[x]! + P2_HALF) >> P2_SHIFT;
      if (v < -384 || v > 383) return false;
      out[o + x] = clampCentred(v);
    }
  }
  return true;
}

/** The unscaled outputs of one 1-D pass (exact integers, before the pass's shift). */
const sums = new Float64Array(8);

/** One 8-point pass of jidctint.c over src[at], src[at + step], ... into sums, in libjpeg's order of operations. */
function idct8(src: Int32Array, at: number, step: number): void {
  let z2 = src[at + 2 * step]!;
  let z3 = src[at + 6 * step]!;
  let z1 = (z2 + z3) * F0_541196100;
  let tmp2 = z1 - z3 * F1_847759065;
  let tmp3 = z1 + z2 * F0_765366865;
  z2 = src[at]!;
  z3 = src[at + 4 * step]!;
  let tmp0 = (z2 + z3) << CONST_BITS;
  let tmp1 = (z2 - z3) << CONST_BITS;
  const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
  tmp0 = src[at + 7 * step]!;
  tmp1 = src[at + 5 * step]!;
  tmp2 = src[at + 3 * step]!;
  tmp3 = src[at + step]!;
  z1 = tmp0 + tmp3;
  z2 = tmp1 + tmp2;
  z3 = tmp0 + tmp2;
  let z4 = tmp1 + tmp3;
  const z5 = (z3 + z4) * F1_175875602;
  tmp0 *= F0_298631336;
  tmp1 *= F2_053119869;
  tmp2 *= F3_072711026;
  tmp3 *= F1_501321110;
  z1 *= -F0_899976223;
  z2 *= -F2_562915447;
  z3 = z3 * -F1_961570560 + z5;
  z4 = z4 * -F0_390180644 + z5;
  tmp0 += z1 + z3;
  tmp1 += z2 + z4;
  tmp2 += z2 + z3;
  tmp3 += z1 + z4;
  sums[0] = tmp10 + tmp3;
  sums[7] = tmp10 - tmp3;
  sums[1] = tmp11 + tmp2;
  sums[6] = tmp11 - tmp2;
  sums[2] = tmp12 + tmp1;
  sums[5] = tmp12 - tmp1;
  sums[3] = tmp13 + tmp0;
  sums[4] = tmp13 - tmp0;
}

function clampCentred(v: number): number {
  return v < -128 ? 0 : v > 127 ? 255 : v + 128;
}

function toRgb(y: number, cb: number, cr: number, out: Uint8Array, o: number): void {
  const r = y + CR_R[cr]!;
  const g = y + ((CB_G[cb]! + CR_G[cr]!) >> SCALEBITS);
  const bl = y + CB_B[cb]!;
  out[o] = r < 0 ? 0 : r > 255 ? 255 : r;
  out[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
  out[o + 2] = bl < 0 ? 0 : bl > 255 ? 255 : bl;
}

function convert(grid: number, w: number, out: Uint8Array): void {
  const [Y, Cb, Cr] = planes as [Uint8Array, Uint8Array, Uint8Array];
  for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) toRgb(Y[y * w + x]!, Cb[y * w + x]!, Cr[y * w + x]!, out, (y * grid + x) * 3);
}

// One upsampled chroma row (fancy upsampling, libjpeg's jdsample.c h2v2: triangle filter, edges replicated).
const upCb = new Uint8Array(MAX_GRID);
const upCr = new Uint8Array(MAX_GRID);

function upsampleRow(plane: Uint8Array, cw: number, stride: number, near: number, far: number, out: Uint8Array): void {
  const p0 = near * stride, p1 = far * stride;
  let thiscolsum = plane[p0]! * 3 + plane[p1]!;
  let nextcolsum = plane[p0 + 1]! * 3 + plane[p1 + 1]!;
  out[0] = (thiscolsum * 4 + 8) >> 4;
  out[1] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
  let lastcolsum = thiscolsum;
  thiscolsum = nextcolsum;
  let o = 2;
  for (let x = 2; x < cw; x++) {
    nextcolsum = plane[p0 + x]! * 3 + plane[p1 + x]!;
    out[o++] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
    out[o++] = (thiscolsum * 3 + nextcolsum + 7) >> 4;
    lastcolsum = thiscolsum;
    thiscolsum = nextcolsum;
  }
  out[o++] = (thiscolsum * 3 + lastcolsum + 8) >> 4;
  out[o] = (thiscolsum * 4 + 7) >> 4;
}

function upsampleAndConvert(grid: number, lumaW: number, chromaW: number, out: Uint8Array): void {
  const [Y, Cb, Cr] = planes as [Uint8Array, Uint8Array, Uint8Array];
  // Chroma planes hold ceil(grid / 2) real rows and columns.
  const ch = (grid + 1) >> 1;
  for (let y = 0; y < grid; y++) {
    const near = y >> 1;
    const far = y & 1 ? Math.min(ch - 1, near + 1) : Math.max(0, near - 1);
    upsampleRow(Cb, ch, chromaW, near, far, upCb);
    upsampleRow(Cr, ch, chromaW, near, far, upCr);
    const yr = y * lumaW;
    for (let x = 0, o = y * grid * 3; x < grid; x++, o += 3) toRgb(Y[yr + x]!, upCb[x]!, upCr[x]!, out, o);
  }
}
