// The report's coverage: what the scan could not see. Built from the detectors' declared limits.
import type { AnyDetector, DetectorLimits } from '../detect/detector.js';
import { KNOWN_LIMITS, limitsOf } from '../detect/limits.js';
import type { ParameterValues } from '../config/parameters.js';
import type { Coverage, Modality } from '../types.js';
import { effectiveParameter } from './effective-parameters.js';

export interface CoverageInput {
  modality: Modality;
  all: AnyDetector[];
  /** The names of the detectors and later checks whose outputs the report combines. */
  ran: string[];
  /** The detectors that applied (of a name with variants, the variant that ran). */
  applied?: AnyDetector[];
  only?: string[];
  /** Detector parameters the scan set: a limit that is a parameter is quoted as the scan used it. */
  parameters?: ParameterValues;
  grid?: number;
  skipped: number;
}

export function coverageOf(opts: CoverageInput): Coverage {
  const ran = opts.ran.map((name) => {
    const d = opts.applied?.find((x) => x.name === name) ?? opts.all.find((x) => x.name === name);
    const l = d ? limitsOf(d) : KNOWN_LIMITS[name];
    const minGroup = l ? minGroupOf(l, name, opts.parameters) : null;
    return { detector: name, ...(minGroup !== null ? { minGroup } : {}), blind: l?.blind ?? [] };
  });
  // Variants of one name (near-duplicate of images or texts) are one detector here: the first stands for them.
  const notRun = opts.all.filter((d, k) => !opts.ran.includes(d.name) && opts.all.findIndex((x) => x.name === d.name) === k).map((d) => ({
    detector: d.name,
    why: opts.only?.length && !opts.only.includes(d.name) ? 'not selected (--detectors)' : `needs ${limitsOf(d)?.needs ?? 'data this scan does not have'}`,
  }));
  return { modality: opts.modality, ran, notRun, ...(opts.grid !== undefined ? { grid: opts.grid } : {}), skipped: opts.skipped };
}

/** The fewest samples sharing one poison that `detector`'s findings need in this scan, or null when it declares none. */
function minGroupOf(l: DetectorLimits, detector: string, set: ParameterValues | undefined): number | null {
  if (l.minGroup === undefined) return null;
  return typeof l.minGroup === 'number' ? l.minGroup : effectiveParameter(set, detector, l.minGroup.parameter);
}

/** Detectors not run, grouped by what they need: "a, b (needs x)". */
export function notRunGroups(c: Coverage): { detectors: string[]; why: string }[] {
  const groups = new Map<string, string[]>();
  for (const n of c.notRun) groups.set(n.why, [...(groups.get(n.why) ?? []), n.detector]);
  return [...groups.entries()].map(([why, detectors]) => ({ detectors, why }));
}

/** Lines for the console summary. */
export function coverageLines(c: Coverage): string[] {
  const lines = [`coverage: ran ${c.ran.map((r) => r.detector).join(', ') || 'no detector'}; ${c.skipped} samples unreadable (not looked at)`];
  const notRun = notRunGroups(c);
  if (notRun.length) lines.push(`  not run: ${notRun.map((g) => `${g.detectors.join(', ')} (${g.why})`).join('; ')}`);
  const groups = c.ran.filter((r) => r.minGroup !== undefined).map((r) => `${r.detector} ${r.minGroup}`);
  if (groups.length) lines.push(`  fewest samples sharing one poison that a finding needs: ${groups.join(', ')}${c.grid ? `; images seen at ${c.grid}x${c.grid}` : ''} (what each cannot see: report.html)`);
  return lines;
}
