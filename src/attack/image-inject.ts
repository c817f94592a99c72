// Writes a poisoned copy of an image folder plus a ground-truth file. Untouched files are copied byte for
// byte; poisoned ones are re-encoded like the original (same format, JPEG quality and subsampling) so the
// file format never gives them away. With `link`, untouched files are hard links to the source instead (a 1M-image
// benchmark set is then poisoned without a second copy on disk); poisoned files are always new files.
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import pLimit from 'p-limit';
import { listImageFolder } from '../ingest/imagefolder.js';
import { parseJpeg, sniffFormat } from '../fingerprint/file-facts.js';
import { UsageError, type Json } from '../types.js';
import { createRng, sampleIndices } from '../util/rng.js';
import {
  additivePattern, applyAdditive, applyBlend, applySig, blendPattern, cornerPosition, makePatch, pastePatch,
  type AdditiveKind, type Corner, type Patch, type PatchKind,
} from './patterns.js';

export type Attack =
  | { type: 'patch'; pattern: PatchKind; size: number; position: Corner | 'random'; margin?: number; colour?: [number, number, number]; patternSeed?: number }
  /** Given pixels (width x height x 3, row-major RGB); `place`: one place as fractions of the free span, or per image. */
  | { type: 'stamp'; width: number; height: number; rgb: number[]; place: { x: number; y: number } | 'random' }
  /** `luma`: grey noise instead of colour noise (ignored with `image`). */
  | { type: 'blend'; alpha: number; patternSeed?: number; image?: string; luma?: boolean }
  | { type: 'sig'; delta: number; freq: number; angle?: number; phase?: number }
  /** A fixed additive pattern of L-inf `linf` (0-255 units). */
  | { type: 'additive'; pattern: AdditiveKind; linf: number; luma: boolean; patternSeed: number };

export interface InjectOptions {
  source: string;
  out: string;
  attack: Attack;
  /** How many images to poison. */
  count: number;
  /** Dirty-label: poisoned images move to this class folder. Clean-label: poisoned images are drawn from it. */
  target?: string;
  mode?: 'dirty' | 'clean';
  seed: number;
  /** Ground-truth JSON path; default: <out>/poisonscan-truth.json. */
  truth?: string;
  concurrency?: number;
  /** Hard-link untouched files instead of copying them (falls back to a copy across file systems). */
  link?: boolean;
  /** A trigger drawn from a family (attack/families.ts): recorded in the ground truth. */
  drawn?: DrawnRecord;
}

/** What a family draw chose, for the ground truth. */
export interface DrawnRecord {
  family: string;
  seed: number;
  params: { [k: string]: Json };
}

export interface GroundTruth {
  source: string;
  attack: Attack;
  mode: 'dirty' | 'clean';
  target: string | null;
  seed: number;
  /** Sample ids (relative paths) of the poisoned images in the poisoned copy. */
  poisoned: string[];
  /** Where each poisoned image came from (id in the source). */
  origin: Record<string, string>;
  /** Patch position per poisoned id, in the image's own pixels. */
  positions?: Record<string, { x: number; y: number; w: number; h: number }>;
  /** The family and drawn parameters, when the trigger was drawn from a family. */
  drawn?: DrawnRecord;
}

export async function injectImageFolder(o: InjectOptions): Promise<GroundTruth> {
  const listing = await listImageFolder(o.source);
  const samples = listing.samples;
  if (samples.length === 0) throw new UsageError(`no images found in ${o.source}`);
  const mode = o.mode ?? 'dirty';
  const target = o.target ?? null;
  const labelled = samples.every((s) => s.label !== null);
  if (target !== null && !labelled) throw new UsageError('--target needs an ImageFolder layout with class subfolders');
  // Dirty-label poisons come from the other classes, clean-label ones from the target class.
  const pool = samples
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => target === null || (mode === 'clean' ? s.label === target : s.label !== target));
  if (pool.length < o.count) throw new UsageError(`only ${pool.length} images can be poisoned, asked for ${o.count}`);
  const rng = createRng(o.seed);
  const chosen = new Set(sampleIndices(rng, pool.length, o.count).map((k) => pool[k]!.i));
  const patternSeed = 'patternSeed' in o.attack && o.attack.patternSeed !== undefined ? o.attack.patternSeed : o.seed;
  const a = o.attack;
  const patch: Patch | null = a.type === 'patch' ? makePatch(a.pattern, a.size, patternSeed, a.colour)
    : a.type === 'stamp' ? { width: a.width, height: a.height, rgb: Uint8Array.from(a.rgb) } : null;
  let blendImg: { data: Uint8Array; w: number; h: number } | null = null;
  if (o.attack.type === 'blend' && o.attack.image) {
    const { data, info } = await sharp(o.attack.image).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    blendImg = { data: new Uint8Array(data), w: info.width, h: info.height };
  }
  // Random positions are drawn up front so the result does not depend on the order files finish in.
  const draws = new Map<number, number>();
  for (const i of [...chosen].sort((a, b) => a - b)) draws.set(i, rng());

  const truth: GroundTruth = {
    source: o.source, attack: o.attack, mode, target, seed: o.seed, poisoned: [], origin: {}, positions: patch ? {} : undefined,
    ...(o.drawn ? { drawn: o.drawn } : {}),
  };
  await mkdir(o.out, { recursive: true });
  const limit = pLimit(o.concurrency ?? 4);
  await Promise.all(
    samples.map((s, i) =>
      limit(async () => {
        const srcPath = s.path!;
        let id = s.id;
        // Relabelled copies keep their origin in the name so they cannot collide with the target's own files.
        if (chosen.has(i) && mode === 'dirty' && target !== null) id = `${target}/${s.label}-${s.id.split('/').slice(1).join('-')}`;
        const dst = join(o.out, id);
        await mkdir(dirname(dst), { recursive: true });
        if (!chosen.has(i)) {
          await (o.link ? linkOrCopy(srcPath, dst) : copyFile(srcPath, dst));
          return;
        }
        const bytes = await readFile(srcPath);
        const { data, info } = await sharp(bytes).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        const img = new Uint8Array(data);
        const { width, height } = info;
        if (patch && (a.type === 'patch' || a.type === 'stamp')) {
          const p = patch;
          let x0: number, y0: number;
          if (a.type === 'stamp' && a.place !== 'random') {
            // One place for every image, as a share of the span where the patch fits.
            x0 = Math.round(a.place.x * Math.max(0, width - p.width));
            y0 = Math.round(a.place.y * Math.max(0, height - p.height));
          } else if (a.type === 'stamp' || a.position === 'random') {
            const r = draws.get(i)!;
            const fw = Math.max(1, width - p.width + 1), fh = Math.max(1, height - p.height + 1);
            const k = Math.floor(r * fw * fh);
            x0 = k % fw;
            y0 = Math.floor(k / fw);
          } else {
            [x0, y0] = cornerPosition(a.position, width, height, p, a.margin ?? 0);
          }
          pastePatch(img, width, height, 3, p, x0, y0);
          truth.positions![id] = { x: x0, y: y0, w: p.width, h: p.height };
        } else if (a.type === 'blend') {
          const pat = blendImg ?? { data: blendPattern(width, height, patternSeed, a.luma), w: width, h: height };
          applyBlend(img, width, height, 3, pat.data, pat.w, pat.h, a.alpha);
        } else if (a.type === 'sig') {
          applySig(img, width, height, 3, a.delta, a.freq, a.angle, a.phase);
        } else if (a.type === 'additive') {
          applyAdditive(img, width, height, 3, additivePattern(a.pattern, width, height, a.patternSeed, a.luma), a.linf);
        }
        const encoded = await encodeLike(bytes, img, width, height);
        // A new file, never a write through an old hard link into the source (a re-run into a linked folder).
        await rm(dst, { force: true });
        await writeFile(dst, encoded);
        truth.poisoned.push(id);
        truth.origin[id] = s.id;
      }),
    ),
  );
  truth.poisoned.sort();
  // Copies finish in any order: the maps are written in id order, so one seed always gives the same file.
  truth.origin = Object.fromEntries(Object.entries(truth.origin).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (truth.positions) truth.positions = Object.fromEntries(Object.entries(truth.positions).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFile(o.truth ?? join(o.out, 'poisonscan-truth.json'), JSON.stringify(truth, null, 2) + '\n');
  return truth;
}

async function linkOrCopy(src: string, dst: string): Promise<void> {
  await rm(dst, { force: true });
  try {
    await link(src, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(src, dst);
  }
}

/** Re-encodes raw RGB the way the original file was encoded. */
async function encodeLike(original: Uint8Array, rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  let img = sharp(rgb, { raw: { width, height, channels: 3 } });
  // A grey source stays grey (a colour trigger is written as its luma): one channel more would give the file away.
  const meta = await sharp(original).metadata();
  if (meta.space === 'b-w' || meta.channels === 1) img = img.toColourspace('b-w');
  const fmt = sniffFormat(original);
  if (fmt === 'jpeg') {
    const j = parseJpeg(original);
    const q = j && j.quality > 0 ? j.quality : 75;
    const sub = j?.chroma === '4:4:4' ? '4:4:4' : '4:2:0';
    // Standard Huffman tables and the original's APPn/COM segments: the same markers as its neighbours.
    const encoded = await img.jpeg({ quality: q, chromaSubsampling: sub, optimiseCoding: false }).toBuffer();
    return Buffer.concat([encoded.subarray(0, 2), jpegAppSegments(original), encoded.subarray(2)]);
  }
  if (fmt === 'webp') return img.webp({ quality: 80 }).toBuffer();
  return img.png().toBuffer();
}

/** The APPn and COM segments that follow SOI in a JPEG (JFIF, EXIF, ...), as raw bytes. */
function jpegAppSegments(b: Uint8Array): Uint8Array {
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff && ((b[i + 1]! >= 0xe0 && b[i + 1]! <= 0xef) || b[i + 1] === 0xfe)) {
    i += 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
  return b.subarray(2, Math.min(i, b.length));
}
