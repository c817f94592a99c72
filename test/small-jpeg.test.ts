import sharp, { type JpegOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/fingerprint/decode.js';
import { decodeSmallJpeg } from '../src/fingerprint/small-jpeg.js';
import { createRng } from '../src/util/rng.js';

/** Noise, gradients, flat areas and hard edges: large and small coefficients, clipped and unclipped pixels. */
function image(side: number, kind: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: side * side * 3 }, (_, o) => {
    const p = Math.floor(o / 3), x = p % side, y = Math.floor(p / side), c = o % 3;
    if (kind === 0) return Math.floor(rng() * 256);
    if (kind === 1) return Math.floor((x * 255) / side + c * 40) & 255;
    if (kind === 2) return (x + y) % 2 ? 255 : 0;
    return (x > side / 2) !== (y > side / 3) ? 250 : Math.floor(rng() * 20);
  });
}

async function encode(px: Uint8Array, side: number, opts: JpegOptions): Promise<Buffer> {
  return sharp(px, { raw: { width: side, height: side, channels: 3 } }).jpeg(opts).toBuffer();
}

/** What libjpeg through libvips gives for a file at its own size (no resize, no alpha, no orientation). */
async function reference(b: Buffer): Promise<Uint8Array> {
  return new Uint8Array(await sharp(b).removeAlpha().raw().toBuffer());
}

describe('small JPEG decoding', () => {
  it('gives the pixels libjpeg gives, for 4:2:0 and 4:4:4 at many sizes and qualities', async () => {
    let decoded = 0;
    for (const side of [16, 17, 28, 31, 32, 33, 64]) {
      for (let k = 0; k < 8; k++) {
        const quality = [1, 40, 75, 100][k % 4]!;
        const b = await encode(image(side, k % 4, 100 * side + k), side, { quality, chromaSubsampling: k % 2 ? '4:4:4' : '4:2:0', optimiseCoding: k % 3 !== 0 });
        const mine = decodeSmallJpeg(b, side);
        expect(mine, `side ${side} case ${k}`).not.toBeNull();
        expect(Buffer.from(mine!).equals(Buffer.from(await reference(b))), `side ${side} case ${k}`).toBe(true);
        decoded++;
      }
    }
    expect(decoded).toBe(56);
  });

  it('leaves other files to the usual decoder', async () => {
    const px = image(32, 3, 5);
    const plain = await encode(px, 32, { quality: 80 });
    expect(decodeSmallJpeg(plain, 32)).not.toBeNull();
    // Another grid, progressive coding, metadata (EXIF orientation), a truncated stream, bytes after the data, one component.
    expect(decodeSmallJpeg(plain, 28)).toBeNull();
    // A grid wider than the decoder's chroma rows.
    expect(decodeSmallJpeg(await encode(image(300, 1, 6), 300, { quality: 80 }), 300)).toBeNull();
    expect(decodeSmallJpeg(await encode(px, 32, { quality: 80, progressive: true }), 32)).toBeNull();
    expect(decodeSmallJpeg(await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer(), 32)).toBeNull();
    expect(decodeSmallJpeg(plain.subarray(0, plain.length - 40), 32)).toBeNull();
    expect(decodeSmallJpeg(Buffer.concat([plain.subarray(0, plain.length - 2), Buffer.from([0, 0xff, 0xd9])]), 32)).toBeNull();
    const grey = await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).toColourspace('b-w').jpeg().toBuffer();
    expect(decodeSmallJpeg(grey, 32)).toBeNull();
  });

  it('never throws on damaged files: each is decoded exactly or left to the usual decoder', async () => {
    const plain = await encode(image(32, 0, 11), 32, { quality: 75 });
    const rng = createRng(3);
    let exact = 0, left = 0;
    for (let t = 0; t < 300; t++) {
      const b = Buffer.from(plain);
      // One to four bytes set at random places, headers and entropy data alike.
      for (let k = 1 + Math.floor(rng() * 4); k > 0; k--) b[Math.floor(rng() * b.length)] = Math.floor(rng() * 256);
      const mine = decodeSmallJpeg(b, 32);
      if (mine === null) left++;
      else {
        expect(Buffer.from(mine).equals(Buffer.from(await reference(b))), `damaged copy ${t}`).toBe(true);
        exact++;
      }
    }
    expect(exact + left).toBe(300);
    expect(left).toBeGreaterThan(0);
  });

  it('decodeImage gives the same result whichever way a file is decoded', async () => {
    const b = await encode(image(32, 0, 9), 32, { quality: 90 });
    const d = await decodeImage(b, { grid: 32, pixelLimit: 1e8 });
    expect(Buffer.from(d.rgb).equals(Buffer.from(await reference(b)))).toBe(true);
    expect([d.format, d.width, d.height]).toEqual(['jpeg', 32, 32]);
  });
});
