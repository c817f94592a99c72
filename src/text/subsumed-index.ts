// dropSubsumed (phrases.ts) for tens of thousands of candidates: the same choices, found through an index from
// each sample to the kept phrases holding it, so a candidate meets only the kept phrases it shares a sample with
// instead of every one of them (a long-review corpus has ~30,000 label-pure n-grams, and the pairwise pass
// dominated a scan).
import type { PhraseCandidate } from './phrases.js';

const NONE: readonly number[] = [];

/**
 * Exactly dropSubsumed(cands, samplesOf) when every candidate lists each of its samples once (non-negative
 * integers): one finding per set of samples (80% shared), the most significant phrase, replaced by a longer one
 * that explains as many samples (90%) nearly as significantly; natural phrases last, never replacing another.
 */
export function dropSubsumedIndexed<T extends PhraseCandidate>(cands: T[], samplesOf: (c: T) => readonly number[]): T[] {
  cands.sort((a, b) => Number(Boolean(a.natural)) - Number(Boolean(b.natural)) || b.significance - a.significance || b.tokens.length - a.tokens.length);
  const K = cands.length;
  const samples = cands.map(samplesOf);
  let maxSample = -1;
  for (const s of samples) for (const i of s) if (i > maxSample) maxSample = i;
  // Per sample, the candidates ever kept that hold it; one replaced since is skipped (position -1).
  const holders: (number[] | undefined)[] = new Array(maxSample + 1);
  const position = new Int32Array(K).fill(-1);
  const shared = new Int32Array(K);
  const mark = new Int32Array(maxSample + 1);
  const out: number[] = [];
  const touched: number[] = [];
  const empties: number[] = [];
  for (let k = 0; k < K; k++) {
    const mine = samples[k]!;
    let size = 0;
    for (const i of mine) {
      if (mark[i] === k + 1) continue;
      mark[i] = k + 1;
      size++;
      for (const o of holders[i] ?? NONE) {
        if (position[o]! < 0) continue;
        if (shared[o] === 0) touched.push(o);
        shared[o]!++;
      }
    }
    // The first kept phrase, in the kept list's order, that shares enough (with no samples of its own a
    // candidate matches the first kept phrase; a kept phrase with none matches every candidate).
    let dup = size === 0 ? out[0] ?? -1 : -1;
    for (const o of touched) {
      if (dup < 0 || position[o]! < position[dup]!) if (shared[o]! >= 0.8 * Math.min(size, samples[o]!.length)) dup = o;
      shared[o] = 0;
    }
    touched.length = 0;
    for (const o of empties) if (position[o]! >= 0 && (dup < 0 || position[o]! < position[dup]!)) dup = o;
    if (dup >= 0) {
      const c = cands[k]!;
      const d = cands[dup]!;
      if (!c.natural && c.tokens.length > d.tokens.length && mine.length >= 0.9 * samples[dup]!.length && c.significance >= d.significance - 1) {
        const p = position[dup]!;
        out[p] = k;
        position[dup] = -1;
        position[k] = p;
        if (mine.length === 0) empties.push(k);
        for (const i of mine) (holders[i] ??= []).push(k);
      }
      continue;
    }
    position[k] = out.length;
    out.push(k);
    if (mine.length === 0) empties.push(k);
    for (const i of mine) (holders[i] ??= []).push(k);
  }
  return out.map((k) => cands[k]!);
}
