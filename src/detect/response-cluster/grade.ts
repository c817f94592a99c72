// The one grading of response-cluster's findings: a finding's strength (its significance among independent prompts,
// or its count of independent groups) read against the significance lines gives its severity and score.
import type { Severity } from '../../types.js';
import { MIN_GROUPS } from './common.js';

/**
 * The significance lines every finding is graded by: significance is log10 of one over a pattern's chance among
 * independent prompts; medium from `medium`, high from `high` (the detector's parameters).
 */
export interface SignificanceLines {
  readonly medium: number;
  readonly high: number;
}
/** The lines' defaults. */
export const MEDIUM_SIGNIFICANCE = 2;
export const HIGH_SIGNIFICANCE = 4;
/** Groups beyond this add nothing to a score. */
const MAX_SCORED_GROUPS = 10;

/**
 * A score below medium: fixed, or rising with significance (`base + slope * significance`, within [min, max]). Each
 * step ranks its lows where its shape belongs among the others (templates judged natural lowest).
 */
export type LowRank = number | { readonly base: number; readonly slope: number; readonly min?: number; readonly max: number };

/** What a finding's grade is read from. */
export type Strength =
  /**
   * Significance against the lines; `groups` (independent prompt groups) raise a score above medium. `lowOnly`: the
   * shape is one clean data also has, so the finding is ranked (`low`) and never flagged.
   */
  | { readonly significance: number; readonly groups?: number; readonly lowOnly?: boolean; readonly low: LowRank }
  /** Ranked, never flagged, where the step computes no significance. */
  | { readonly significance: null; readonly lowOnly: true; readonly low: number }
  /**
   * No chance computed, only a count of independent prompt groups (at least MIN_GROUPS): medium, high from
   * `highGroups`, the score rising by `perGroup` each up to MAX_SCORED_GROUPS.
   */
  | { readonly significance?: undefined; readonly groups: number; readonly highGroups: number; readonly perGroup: number };

export interface Grade {
  severity: Severity;
  score: number;
}

/** The severity and score of a finding of the given strength. */
export function grade(lines: SignificanceLines, s: Strength): Grade {
  if (s.significance === undefined) {
    return { severity: s.groups >= s.highGroups ? 'high' : s.groups >= MIN_GROUPS ? 'medium' : 'low', score: 0.5 + s.perGroup * Math.min(s.groups, MAX_SCORED_GROUPS) };
  }
  if (s.significance === null) return { severity: 'low', score: s.low };
  const sig = s.significance;
  const severity: Severity = s.lowOnly ? 'low' : sig >= lines.high ? 'high' : sig >= lines.medium ? 'medium' : 'low';
  if (severity !== 'low') return { severity, score: Math.min(1, 0.5 + 0.05 * (sig - lines.medium) + 0.01 * Math.min(s.groups ?? 0, MAX_SCORED_GROUPS)) };
  const low = s.low;
  return { severity, score: typeof low === 'number' ? low : Math.max(low.min ?? -Infinity, Math.min(low.max, low.base + low.slope * sig)) };
}
