// Minimal BMP reader (libvips in sharp's prebuilt has no BMP loader): uncompressed 8/24/32-bit.

export interface RawRgb {
  width: number;
  height: number;
  data: Uint8Array;
}

export function decodeBmp(b: Uint8Array): RawRgb {
  if (b.length < 54 || b[0] !== 0x42 || b[1] !== 0x4d) throw new Error('not a BMP file');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const offset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  const width = dv.getInt32(18, true);
  const rawHeight = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const compression = headerSize >= 40 ? dv.getUint32(30, true) : 0;
  if (width <= 0 || rawHeight === 0) throw new Error('BMP has an invalid size');
  if (compression !== 0 && !(compression === 3 && bpp === 32)) throw new Error(`BMP compression ${compression} is not supported`);
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) throw new Error(`BMP with ${bpp} bits per pixel is not supported`);
  const height = Math.abs(rawHeight);
  const bottomUp = rawHeight > 0;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (offset + stride * height > b.length) throw new Error('BMP pixel data is truncated');
  let palette: Uint8Array | null = null;
  if (bpp === 8) {
    const colours = (headerSize >= 40 ? dv.getUint32(46, true) : 0) || 256;
    palette = b.subarray(14 + headerSize, 14 + headerSize + colours * 4);
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (bottomUp ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const p = b[row + x]! * 4;
        out[o] = palette[p + 2] ?? 0;
        out[o + 1] = palette[p + 1] ?? 0;
        out[o + 2] = palette[p] ?? 0;
      } else {
        const p = row + x * (bpp / 8);
        out[o] = b[p + 2]!;
        out[o + 1] = b[p + 1]!;
        out[o + 2] = b[p]!;
      }
    }
  }
  return { width, height, data: out };
}
