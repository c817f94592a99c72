// Distributions over seeds for the text attack suite and the clean-data runs, and their JSON and Markdown forms.

/** One poisoned scan: a family drawn for one seed on one corpus. */
export interface SuiteRow {
  family: string;
  corpus: string;
  seed: number;
  samples: number;
  count: number;
  place: string;
  trigger?: string;
  target?: string;
  payload?: string[];
  /** Share of the poisons among the top k and 2k scores (k = count). */
  recallAtK: number;
  recallAt2K: number;
  /** Best and worst 1-based rank of a poison (worst 0: the scan dropped a poison). */
  bestRank: number;
  worstRank: number;
  flagged: number;
  flaggedPoisoned: number;
  /** flaggedPoisoned / flagged; null when nothing was flagged. */
  precision: number | null;
  seconds: number;
}

/** One clean scan: a seeded sample of a corpus. */
export interface CleanRow {
  corpus: string;
  size: number;
  seed: number;
  samples: number;
  flagged: number;
  /** Findings of severity medium or high, and the first few titles. */
  findings: number;
  titles: string[];
  seconds: number;
}

/** The p-quantile by nearest rank: the smallest value with at least a share p of the values at or below it. */
export function quantile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
}

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface SuiteCell {
  family: string;
  corpus: string;
  seeds: number;
  counts: [number, number];
  recallAt2K: { median: number; p10: number };
  recallAtK: { median: number };
  /** Over the seeds where something was flagged. */
  precision: { median: number; p10: number; seeds: number };
  /** Median share of the poisons flagged (0 where nothing was). */
  flaggedRecall: number;
  /** Largest number of clean samples flagged in one seed. */
  maxFalseFlags: number;
}

/** Per family x corpus, in first-seen order. */
export function summariseSuite(rows: readonly SuiteRow[]): SuiteCell[] {
  const groups = new Map<string, SuiteRow[]>();
  for (const r of rows) {
    const k = `${r.family}\u0000${r.corpus}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const prec = g.flatMap((r) => (r.precision === null ? [] : [r.precision]));
    const r2k = g.map((r) => r.recallAt2K);
    return {
      family: g[0]!.family, corpus: g[0]!.corpus, seeds: g.length,
      counts: [Math.min(...g.map((r) => r.count)), Math.max(...g.map((r) => r.count))],
      recallAt2K: { median: median(r2k), p10: quantile(r2k, 0.1) },
      recallAtK: { median: median(g.map((r) => r.recallAtK)) },
      precision: { median: median(prec), p10: quantile(prec, 0.1), seeds: prec.length },
      flaggedRecall: median(g.map((r) => (r.count ? r.flaggedPoisoned / r.count : 0))),
      maxFalseFlags: Math.max(...g.map((r) => r.flagged - r.flaggedPoisoned)),
    };
  });
}

const f2 = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));
const cellText = (s: string | undefined, max = 48) => (s === undefined ? '' : JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s).replace(/\|/g, '\\|'));

export function suiteMarkdown(rows: readonly SuiteRow[], command: string): string {
  const out = [`Command: \`${command}\``, '', '| family | corpus | seeds | poisons | recall@2k median | recall@2k p10 | recall@k median | flagged precision median | p10 | seeds with flags | flagged recall median | most clean flagged |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const c of summariseSuite(rows)) {
    out.push(`| ${c.family} | ${c.corpus} | ${c.seeds} | ${c.counts[0] === c.counts[1] ? c.counts[0] : `${c.counts[0]}-${c.counts[1]}`} | ${f2(c.recallAt2K.median)} | ${f2(c.recallAt2K.p10)} | ${f2(c.recallAtK.median)} | ${f2(c.precision.median)} | ${f2(c.precision.p10)} | ${c.precision.seeds} | ${f2(c.flaggedRecall)} | ${c.maxFalseFlags} |`);
  }
  out.push('', '<details><summary>per seed</summary>', '', '| family | corpus | seed | n | poisons | place | target | trigger | payload | recall@2k | best/worst rank | flagged (poisoned) | s |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    out.push(`| ${r.family} | ${r.corpus} | ${r.seed} | ${r.samples} | ${r.count} | ${r.place} | ${r.target ?? ''} | ${cellText(r.trigger)} | ${cellText(r.payload?.join(' / '))} | ${f2(r.recallAt2K)} | ${r.bestRank}/${r.worstRank} | ${r.flagged} (${r.flaggedPoisoned}) | ${r.seconds.toFixed(0)} |`);
  }
  out.push('', '</details>', '');
  return out.join('\n');
}

export interface CleanCell {
  corpus: string;
  size: number;
  seeds: number;
  samples: number;
  /** Largest and median share of samples flagged over the seeds. */
  maxShare: number;
  medianShare: number;
  maxFlagged: number;
  maxFindings: number;
}

export function summariseClean(rows: readonly CleanRow[]): CleanCell[] {
  const groups = new Map<string, CleanRow[]>();
  for (const r of rows) groups.set(`${r.corpus}\u0000${r.size}`, [...(groups.get(`${r.corpus}\u0000${r.size}`) ?? []), r]);
  return [...groups.values()].map((g) => {
    const share = g.map((r) => (r.samples ? r.flagged / r.samples : 0));
    return {
      corpus: g[0]!.corpus, size: g[0]!.size, seeds: g.length, samples: g[0]!.samples,
      maxShare: Math.max(...share), medianShare: median(share),
      maxFlagged: Math.max(...g.map((r) => r.flagged)), maxFindings: Math.max(...g.map((r) => r.findings)),
    };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(3)}%`;

export function cleanMarkdown(rows: readonly CleanRow[], command: string, floor: number): string {
  const out = [`Command: \`${command}\``, '', `| corpus | rows | seeds | flagged share, max | median | most flagged | most medium/high findings | within ${pct(floor)} |`, '|---|---|---|---|---|---|---|---|'];
  for (const c of summariseClean(rows)) out.push(`| ${c.corpus} | ${c.samples} | ${c.seeds} | ${pct(c.maxShare)} | ${pct(c.medianShare)} | ${c.maxFlagged} | ${c.maxFindings} | ${c.maxShare <= floor ? 'yes' : '**no**'} |`);
  out.push('', '<details><summary>per seed</summary>', '', '| corpus | rows | seed | flagged | findings | first titles | s |', '|---|---|---|---|---|---|---|');
  for (const r of rows) out.push(`| ${r.corpus} | ${r.samples} | ${r.seed} | ${r.flagged} | ${r.findings} | ${r.titles.map((t) => cellText(t, 60)).join('; ')} | ${r.seconds.toFixed(0)} |`);
  out.push('', '</details>', '');
  return out.join('\n');
}
