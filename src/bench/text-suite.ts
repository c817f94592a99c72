// The randomised text attack suite and the clean-data runs: poison (or sample) a corpus per seed, write it as
// JSONL, scan it with every detector that applies, and measure against the known poisoned rows.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorpusWords, corpusSize, corpusTexts, subsample, toJsonl, type TextCorpus } from '../attack/text-corpus.js';
import { familyApplies, injectTextFamily } from '../attack/text-families.js';
import { scan } from '../scan.js';
import { silentProgress } from '../util/progress.js';
import { evaluate } from './metrics.js';
import type { CleanRow, SuiteRow } from './text-summary.js';

/** Reads a corpus by name (the loader table, or a test's generated corpus). */
export type CorpusLoader = (name: string) => Promise<TextCorpus>;

export interface SuiteOptions {
  families: string[];
  corpora: string[];
  seeds: number[];
  load: CorpusLoader;
  /** Fixed poison count (default: drawn per seed). */
  count?: number;
  /** Scan a seeded sample of this many rows of each corpus instead of all of it. */
  sample?: number;
  log?: (line: string) => void;
  /** Called with each row as soon as it is measured (a long run keeps what it finished). */
  onRow?: (row: SuiteRow) => void;
}

/** Seeds as `N`, `A-B` or a comma list of both. */
export function parseSeeds(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`seeds take N, A-B or a comma list (got ${part})`);
    for (let s = Number(m[1]); s <= Number(m[2] ?? m[1]); s++) out.push(s);
  }
  return out;
}

interface Scanned { ids: string[]; score: ArrayLike<number>; flagged: ArrayLike<number | boolean>; seconds: number; findings: { severity: string; title: string }[] }

async function scanCorpus(work: string, name: string, c: TextCorpus): Promise<Scanned> {
  const path = join(work, `${name}.jsonl`);
  await writeFile(path, toJsonl(c));
  const t = performance.now();
  const r = await scan({ dataset: path, out: join(work, `${name}-report`), quiet: true, progress: silentProgress, failOn: 'never' });
  const seconds = (performance.now() - t) / 1000;
  await rm(path, { force: true });
  await rm(join(work, `${name}-report`), { recursive: true, force: true });
  return { ids: r.ids, score: r.scores.score, flagged: r.scores.flagged, seconds, findings: r.report.findings };
}

export async function runSuite(o: SuiteOptions): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  const work = await mkdtemp(join(tmpdir(), 'poisonscan-text-suite-'));
  try {
    for (const corpusName of o.corpora) {
      const full = await o.load(corpusName);
      // Word statistics of the whole corpus, shared by every seed (long-tail words, the vocabulary, gibberish).
      const words = new CorpusWords(corpusTexts(full));
      for (const family of o.families) {
        if (!familyApplies(family, full.kind)) {
          o.log?.(`skip ${family} on ${corpusName}: a ${full.kind} corpus`);
          continue;
        }
        for (const seed of o.seeds) {
          const base = o.sample ? subsample(full, o.sample, seed) : full;
          const p = injectTextFamily(family, base, words, seed, o.count);
          const s = await scanCorpus(work, `${family}-${corpusName}-${seed}`, p.corpus);
          const k = p.poisoned.length;
          const m = evaluate(s.ids, s.score, s.flagged, new Set(p.poisoned.map(String)), []);
          const row: SuiteRow = {
            family, corpus: corpusName, seed, samples: m.samples, count: k, place: p.spec.place,
            ...(p.spec.trigger !== undefined ? { trigger: p.spec.trigger } : {}),
            ...(p.spec.target !== undefined ? { target: p.spec.target } : {}),
            ...(p.spec.payload ? { payload: p.spec.payload } : {}),
            // Over every poison written: one the scan dropped counts as missed.
            recallAtK: m.ranks.filter((r) => r <= k).length / k, recallAt2K: m.ranks.filter((r) => r <= 2 * k).length / k,
            bestRank: m.ranks[0] ?? 0, worstRank: m.ranks.length === k ? m.ranks[k - 1]! : 0,
            flagged: m.flagged, flaggedPoisoned: m.flaggedPoisoned, precision: m.flagged ? m.precisionFlagged : null,
            seconds: s.seconds,
          };
          rows.push(row);
          o.log?.(formatSuiteRow(row));
          o.onRow?.(row);
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

export function formatSuiteRow(r: SuiteRow): string {
  const trigger = r.trigger === undefined ? '' : ` trigger=${JSON.stringify(r.trigger)}`;
  const payload = r.payload ? ` payload=${JSON.stringify(r.payload.join(' / ').slice(0, 80))}` : '';
  return `${r.family} ${r.corpus} seed=${r.seed} n=${r.samples} poisons=${r.count} place=${r.place}${r.target === undefined ? '' : ` target=${r.target}`}${trigger}${payload} R@2k=${r.recallAt2K.toFixed(2)} ranks=${r.bestRank}..${r.worstRank} flagged=${r.flagged} (${r.flaggedPoisoned} poisoned) ${r.seconds.toFixed(1)}s`;
}

export interface CleanOptions {
  corpora: string[];
  /** Sample sizes; a size at or above a corpus's size means the whole corpus (scanned once). */
  sizes: number[];
  seeds: number[];
  load: CorpusLoader;
  log?: (line: string) => void;
  onRow?: (row: CleanRow) => void;
}

/** Clean samples of each corpus at each size: how many samples a scan flags with no poison present. */
export async function runClean(o: CleanOptions): Promise<CleanRow[]> {
  const rows: CleanRow[] = [];
  const work = await mkdtemp(join(tmpdir(), 'poisonscan-text-clean-'));
  try {
    for (const corpusName of o.corpora) {
      const full = await o.load(corpusName);
      const n = corpusSize(full);
      const sizes = [...new Set(o.sizes.map((s) => Math.min(s, n)))].sort((a, b) => a - b);
      for (const size of sizes) for (const seed of size === n ? [o.seeds[0]!] : o.seeds) {
        const s = await scanCorpus(work, `clean-${corpusName}-${size}-${seed}`, subsample(full, size, seed));
        let flagged = 0;
        for (let i = 0; i < s.ids.length; i++) if (s.flagged[i]) flagged++;
        const serious = s.findings.filter((f) => f.severity !== 'low');
        const row: CleanRow = { corpus: corpusName, size, seed, samples: s.ids.length, flagged, findings: serious.length, titles: serious.slice(0, 3).map((f) => f.title), seconds: s.seconds };
        rows.push(row);
        o.onRow?.(row);
        o.log?.(`clean ${corpusName} n=${row.samples} seed=${seed} flagged=${flagged} (${((100 * flagged) / Math.max(1, row.samples)).toFixed(3)}%) findings=${row.findings} ${s.seconds.toFixed(1)}s ${row.titles.map((t) => t.slice(0, 60)).join(' | ')}`);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}
