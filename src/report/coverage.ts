// The report's coverage: what the scan could not see. Built from the detectors' declared limits.
import type { Detector } from '../detect/detector.js';
import { KNOWN_LIMITS, limitsOf } from '../detect/limits.js';
import type { Coverage, Modality } from '../types.js';

export function coverageOf(opts: { modality: Modality; all: Detector[]; ran: string[]; only?: string[]; grid?: number; skipped: number }): Coverage {
  const ran = opts.ran.map((name) => {
    const d = opts.all.find((x) => x.name === name);
    const l = d ? limitsOf(d) : KNOWN_LIMITS[name];
    return { detector: name, ...(l?.minGroup !== undefined ? { minGroup: l.minGroup } : {}), blind: l?.blind ?? [] };
  });
  const notRun = opts.all.filter((d) => !opts.ran.includes(d.name)).map((d) => ({
    detector: d.name,
    why: opts.only?.length && !opts.only.includes(d.name) ? 'not selected (--detectors)' : `needs ${limitsOf(d)?.needs ?? 'data this scan does not have'}`,
  }));
  return { modality: opts.modality, ran, notRun, ...(opts.grid !== undefined ? { grid: opts.grid } : {}), skipped: opts.skipped };
}

/** Lines for the console summary. */
export function coverageLines(c: Coverage): string[] {
  const lines = [`not seen: ${c.skipped ? `${c.skipped} unreadable samples; ` : ''}detectors run: ${c.ran.map((r) => r.detector).join(', ') || 'none'}` +
    (c.notRun.length ? `; not run: ${c.notRun.map((n) => `${n.detector} (${n.why})`).join(', ')}` : '')];
  const groups = c.ran.filter((r) => r.minGroup !== undefined).map((r) => `${r.detector} ${r.minGroup}`);
  if (groups.length) lines.push(`  fewest samples per poison a finding needs: ${groups.join(', ')}${c.grid ? `; images seen at ${c.grid}x${c.grid}` : ''} (limits: report.html)`);
  return lines;
}
