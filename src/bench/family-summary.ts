// Distributions over seeds per family (median, 10th percentile) and their Markdown tables.
import type { FamilyBenchResult, FamilyRow } from './family-bench.js';

export interface Spread {
  median: number;
  p10: number;
}

export interface FamilySummary {
  family: string;
  seeds: number;
  /** Median poison count. */
  poisoned: number;
  recallAt2k: Spread;
  /** Share of the poisons in medium/high findings. */
  flaggedRecall: Spread;
  /** Share of the flagged samples that are poisoned, over the seeds that flag anything. */
  flaggedPrecision: Spread | null;
  seedsFlagging: number;
  /** Falsely flagged samples per seed. */
  falselyFlagged: Spread;
  /** Share of the poisons in the best finding (any severity). */
  bestFindingShare: Spread;
  scanSeconds: number;
}

/**
 * Nearest-rank percentile: the smallest value with at least q of the values at or below it (q = 0.1 of 20 seeds is
 * the 2nd lowest), so that at least 90% of the seeds reach the 10th percentile.
 */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const spread = (v: number[]): Spread => ({ median: median(v), p10: percentile(v, 0.1) });

export function summariseFamilies(rows: FamilyRow[]): FamilySummary[] {
  const families = [...new Set(rows.map((r) => r.family))];
  return families.map((family) => {
    const rs = rows.filter((r) => r.family === family);
    const flagging = rs.filter((r) => r.metrics.flagged > 0);
    return {
      family,
      seeds: rs.length,
      poisoned: median(rs.map((r) => r.poisoned)),
      recallAt2k: spread(rs.map((r) => r.recallAt2k)),
      flaggedRecall: spread(rs.map((r) => r.metrics.recallFlagged)),
      flaggedPrecision: flagging.length ? spread(flagging.map((r) => r.metrics.precisionFlagged)) : null,
      seedsFlagging: flagging.length,
      falselyFlagged: spread(rs.map((r) => r.metrics.flagged - r.metrics.flaggedPoisoned)),
      bestFindingShare: spread(rs.map((r) => (r.poisoned ? r.bestFindingHits / r.poisoned : 0))),
      scanSeconds: median(rs.map((r) => r.seconds.inject + r.seconds.scan)),
    };
  });
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const sp = (s: Spread | null) => (s ? `${f2(s.median)} / ${f2(s.p10)}` : '-');

export function familyMarkdown(res: FamilyBenchResult, heading: string): string {
  const sum = summariseFamilies(res.rows);
  const lines = [
    heading,
    '',
    `Clean scan: ${res.clean.samples} samples, ${res.clean.flagged} flagged, ${res.clean.seconds.toFixed(1)} s.`,
    '',
    'Median / 10th percentile (nearest rank) over seeds. k = poison count; flagged = in a medium/high finding; precision over the seeds that flag anything; best finding = share of the poisons in the finding that holds most of them (any severity).',
    '',
    '| family | seeds | k | recall@2k | flagged recall | flagged precision (seeds) | false flags | best finding | s/seed |',
    '|---|---|---|---|---|---|---|---|---|',
    ...sum.map((s) => `| ${s.family} | ${s.seeds} | ${s.poisoned} | ${sp(s.recallAt2k)} | ${sp(s.flaggedRecall)} | ${sp(s.flaggedPrecision)} (${s.seedsFlagging}) | ${sp(s.falselyFlagged)} | ${sp(s.bestFindingShare)} | ${s.scanSeconds.toFixed(1)} |`),
    '',
    '| family | seed | target | k | recall@2k | flagged (poisoned) | best finding | ranks | trigger |',
    '|---|---|---|---|---|---|---|---|---|',
    ...[...res.rows].sort((a, b) => sum.findIndex((s) => s.family === a.family) - sum.findIndex((s) => s.family === b.family) || a.seed - b.seed).map((r) => {
      const ranks = r.metrics.ranks.length <= 10 ? r.metrics.ranks.join(', ') : `${r.metrics.ranks.slice(0, 10).join(', ')}, …`;
      return `| ${r.family} | ${r.seed} | ${r.target ?? '-'} | ${r.poisoned} | ${f2(r.recallAt2k)} | ${r.metrics.flagged} (${r.metrics.flaggedPoisoned}) | ${r.bestFindingHits} | ${ranks} | ${r.trigger.replace(/\|/g, '/')} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
