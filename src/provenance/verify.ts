// verify: every sample against a manifest of content hashes. The defence against split-view poisoning
// (content swapped behind a URL after the index was made): a changed hash is a change. Re-encodes are common
// and mostly harmless, so a changed file whose image is near-identical is told apart from a change of content:
// with poisonscan's own manifests by the local fingerprint (local-fingerprint.ts: a re-encode differs a little
// everywhere, a local edit a lot in a few cells, a different image a lot everywhere), else by perceptual hash
// and aspect ratio.
import { popcount } from '../detect/near-duplicate.js';
import { localDifference, thumbOf, type LocalDifference } from './local-fingerprint.js';
import type { ImageFeatures } from '../model/image-features.js';
import { UsageError, type FindingDraft, type Json } from '../types.js';
import type { HashManifest, ManifestEntry } from './manifest.js';
import { phashHex } from './manifest.js';

/** Hamming distance (of 64 bits) up to which a changed file still shows the same image. */
export const REENCODE_MAX_PHASH_DISTANCE = 8;

/**
 * Local fingerprint limits, from re-encodes of clean images (JPEG quality 50 to 95 of quality-75 originals: mean
 * cell difference at most 11 levels, largest 2x2-window difference at most 4.3 times the mean + 1) and from
 * different pictures (mean difference at least 32 levels):
 * - a mean difference of DIFFERENT_IMAGE_MEAN or more is another picture;
 * - a window difference of at least LOCAL_EDIT_MIN_PEAK levels and LOCAL_EDIT_PEAK_RATIO times (mean + 1) is a
 *   local edit: the same picture with a part of it changed.
 */
export const DIFFERENT_IMAGE_MEAN = 20;
export const LOCAL_EDIT_MIN_PEAK = 10;
export const LOCAL_EDIT_PEAK_RATIO = 7;

export interface VerifyInput {
  manifest: HashManifest;
  ids: string[];
  images: ImageFeatures;
  /** Ids of samples that could not be read (they are in the report's errors). */
  unreadable: string[];
}

export interface VerifyResult {
  /** How manifest ids were matched to sample ids. */
  scheme: 'exact' | 'stem';
  unchanged: number[];
  reencoded: { index: number; distance: number; local?: LocalDifference }[];
  changed: { index: number; distance: number | null; local?: LocalDifference }[];
  /** The same picture with a part of it changed (poisonscan manifests with a local fingerprint). */
  localEdits: { index: number; distance: number; local: LocalDifference }[];
  missing: string[];
  unexpected: number[];
  unreadable: string[];
}

export function verifySamples(inp: VerifyInput): VerifyResult {
  const { manifest, ids, images } = inp;
  const { scheme, keyOf } = chooseIdScheme(manifest, [...ids, ...inp.unreadable]);
  const indexOf = new Map<string, number>();
  ids.forEach((id, i) => indexOf.set(keyOf(id), i));
  const unreadableKeys = new Set(inp.unreadable.map(keyOf));
  const hashes = manifest.algo === 'md5' ? images.file.md5 : images.file.sha256;
  const res: VerifyResult = { scheme, unchanged: [], reencoded: [], changed: [], localEdits: [], missing: [], unexpected: [], unreadable: [] };
  const seen = new Uint8Array(ids.length);
  for (const e of manifest.entries) {
    const i = indexOf.get(e.id);
    if (i === undefined) {
      if (unreadableKeys.has(e.id)) res.unreadable.push(e.id);
      else res.missing.push(e.id);
      continue;
    }
    seen[i] = 1;
    if (hashes[i] === e.hash) {
      res.unchanged.push(i);
      continue;
    }
    if (e.phash === null) {
      res.changed.push({ index: i, distance: null });
      continue;
    }
    const d = hamming(e.phash, images.phash[i]!);
    const aspect = sameAspect(e, images.file.width[i]!, images.file.height[i]!);
    const local = e.thumb ? localDifference(e.thumb, thumbOf(images, i)) ?? undefined : undefined;
    if (!aspect || (local && local.overall >= DIFFERENT_IMAGE_MEAN)) res.changed.push({ index: i, distance: d, ...(local ? { local } : {}) });
    else if (local && isLocalEdit(local)) res.localEdits.push({ index: i, distance: d, local });
    else if (d <= REENCODE_MAX_PHASH_DISTANCE) res.reencoded.push({ index: i, distance: d, ...(local ? { local } : {}) });
    else res.changed.push({ index: i, distance: d, ...(local ? { local } : {}) });
  }
  for (let i = 0; i < ids.length; i++) if (!seen[i]) res.unexpected.push(i);
  return res;
}

/**
 * Manifests name samples their own way: a relative path like ours, or a key (img2dataset's `000000123` for
 * `00000/000000123.jpg`). Exact ids first, else file stems; too little overlap is a different id scheme.
 */
function chooseIdScheme(m: HashManifest, sampleIds: string[]): { scheme: 'exact' | 'stem'; keyOf: (id: string) => string } {
  const exact = (id: string) => id;
  const stem = (id: string) => {
    const base = id.slice(id.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    return dot > 0 ? base.slice(0, dot) : base;
  };
  const overlap = (key: (id: string) => string) => {
    const keys = new Set(sampleIds.map(key));
    let n = 0;
    for (const e of m.entries) if (keys.has(e.id)) n++;
    return { n, unique: keys.size === sampleIds.length };
  };
  const ex = overlap(exact);
  const want = 0.1 * Math.min(m.entries.length, sampleIds.length);
  if (ex.n >= want && ex.n > 0) return { scheme: 'exact', keyOf: exact };
  const st = overlap(stem);
  if (st.unique && st.n >= want && st.n > 0) return { scheme: 'stem', keyOf: stem };
  throw new UsageError(
    `manifest ${m.file} uses a different id scheme: ${Math.max(ex.n, st.n)} of its ${m.entries.length} ids (column "${m.idColumn}", e.g. "${m.entries[0]!.id}") match this dataset's samples (e.g. "${sampleIds[0] ?? ''}")`,
  );
}

export function isLocalEdit(l: LocalDifference): boolean {
  return l.peak >= LOCAL_EDIT_MIN_PEAK && l.peak >= LOCAL_EDIT_PEAK_RATIO * (l.overall + 1);
}

function sameAspect(e: ManifestEntry, w: number, h: number): boolean {
  if (!e.width || !e.height || !w || !h) return true;
  return Math.abs(e.width / e.height - w / h) <= 0.02 * (w / h);
}

function hamming(a: bigint, b: bigint): number {
  const x = a ^ b;
  return popcount(Number(x >> 32n)) + popcount(Number(x & 0xffffffffn));
}

/** The kinds of finding verify emits. */
export const VERIFY_KINDS = ['integrity'] as const;

/** The verification as report findings (kind `integrity`) and per-sample scores. */
export function verifyFindings(r: VerifyResult, ids: string[], m: HashManifest, images: ImageFeatures): { findings: FindingDraft[]; scores: Float32Array; missingIds: string[] } {
  const scores = new Float32Array(ids.length);
  const findings: FindingDraft[] = [];
  const base = { manifest: m.file, hash: m.algo, idScheme: r.scheme };
  const knowsPhash = m.entries.some((e) => e.phash !== null);
  const content = r.changed;
  if (content.length) {
    for (const c of content) scores[c.index] = 1;
    const dist: Record<string, number> = {};
    for (const c of content) if (c.distance !== null) dist[ids[c.index]!] = c.distance;
    findings.push({
      kind: 'integrity',
      severity: knowsPhash ? 'high' : 'medium',
      score: knowsPhash ? 0.95 : 0.7,
      title: knowsPhash
        ? `${content.length} sample${s(content.length)} changed content since the manifest (a different image behind the same id)`
        : `${content.length} sample${s(content.length)} differ from their manifest ${m.algo} (the manifest has no perceptual hash to tell a re-encode from a content change)`,
      samples: content.map((c) => c.index),
      evidence: { ...base, check: 'content-change', phashDistance: dist, reencodeMaxDistance: REENCODE_MAX_PHASH_DISTANCE, currentPhash: Object.fromEntries(content.map((c) => [ids[c.index]!, phashHex(images.phash[c.index]!)])) },
    });
  }
  if (r.localEdits.length) {
    for (const c of r.localEdits) scores[c.index] = 1;
    const g = images.grid;
    const boxes: { [id: string]: Json } = {};
    const pixelBoxes: { [id: string]: Json } = {};
    const diff: { [id: string]: Json } = {};
    for (const c of r.localEdits) {
      const id = ids[c.index]!;
      const { box, side } = c.local;
      // Thumbnail cells to working-grid pixels (drawn in the report) and to the image's own pixels.
      const k = g / side;
      boxes[id] = { x: box.x * k, y: box.y * k, w: box.w * k, h: box.h * k };
      const sx = images.file.width[c.index]! / side, sy = images.file.height[c.index]! / side;
      pixelBoxes[id] = { x: Math.floor(box.x * sx), y: Math.floor(box.y * sy), w: Math.ceil(box.w * sx), h: Math.ceil(box.h * sy) };
      diff[id] = { peak: round1(c.local.peak), mean: round1(c.local.overall), phashDistance: c.distance };
    }
    findings.push({
      kind: 'integrity',
      severity: 'high',
      score: 0.95,
      title: `${r.localEdits.length} sample${s(r.localEdits.length)} locally edited since the manifest (the same picture with a part of it changed: the way to plant a trigger behind an unchanged id)`,
      samples: r.localEdits.map((c) => c.index),
      evidence: { ...base, check: 'local-edit', boxes, boxesInImagePixels: pixelBoxes, difference: diff, localEditMinPeak: LOCAL_EDIT_MIN_PEAK, localEditPeakRatio: LOCAL_EDIT_PEAK_RATIO },
    });
  }
  if (r.reencoded.length) {
    for (const c of r.reencoded) scores[c.index] = 0.3;
    findings.push({
      kind: 'integrity',
      severity: 'low',
      score: 0.3,
      title: `${r.reencoded.length} sample${s(r.reencoded.length)} re-encoded: bytes differ from the manifest but the image is near-identical (benign in most cases)`,
      samples: r.reencoded.map((c) => c.index),
      evidence: { ...base, check: 'benign-reencode', phashDistance: Object.fromEntries(r.reencoded.map((c) => [ids[c.index]!, c.distance])), reencodeMaxDistance: REENCODE_MAX_PHASH_DISTANCE },
    });
  }
  if (r.unexpected.length) {
    for (const i of r.unexpected) scores[i] = 0.6;
    findings.push({
      kind: 'integrity',
      severity: 'medium',
      score: 0.6,
      title: `${r.unexpected.length} sample${s(r.unexpected.length)} not in the manifest (added since it was made)`,
      samples: r.unexpected,
      evidence: { ...base, check: 'unexpected' },
    });
  }
  return { findings, scores, missingIds: r.missing };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function s(n: number): string {
  return n === 1 ? '' : 's';
}
