// bench --families: per family and seed, draw a trigger, inject it into a hard-linked copy of the dataset, scan,
// score. The clean dataset is scanned once first; each seed's scan re-uses its fingerprints for every file whose
// bytes are unchanged (the --baseline mechanism), so a seed decodes only its poisoned images.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDraw, drawTrigger } from '../attack/families.js';
import { injectImageFolder } from '../attack/image-inject.js';
import { listImageFolder } from '../ingest/imagefolder.js';
import { readReport } from '../provenance/baseline.js';
import { scan, type ScanOptions } from '../scan.js';
import type { Json } from '../types.js';
import { silentProgress } from '../util/progress.js';
import { evaluate, type Metrics } from './metrics.js';

export interface FamilyRow {
  family: string;
  seed: number;
  target: string | null;
  mode: 'dirty' | 'clean';
  /** Poison count k. */
  poisoned: number;
  /** Recall among the 2k highest scores. */
  recallAt2k: number;
  metrics: Metrics;
  /** Most poisoned samples that share one finding (any severity). */
  bestFindingHits: number;
  trigger: string;
  params: { [k: string]: Json };
  seconds: { inject: number; scan: number; fingerprint: number };
}

export interface FamilyBenchOptions {
  dataset: string;
  families: string[];
  seeds: number[];
  concurrency: number;
  /** Extra recall@k cut-offs besides 2k. */
  ks?: number[];
  /** Re-use the clean scan's fingerprints for unchanged files (default true). */
  reuseFingerprints?: boolean;
  /** Keep the poisoned copies' reports here instead of a temp dir. */
  workDir?: string;
  /** A finished scan of the clean dataset (its report folder with fingerprints.arrow) to use instead of scanning it again. */
  cleanReport?: string;
  /** Called after each seed (partial results survive an interrupted run). */
  onRow?: (rows: FamilyRow[], clean: FamilyBenchResult['clean']) => Promise<void>;
  count?: number;
  mode?: 'dirty' | 'clean';
  detectors?: string[];
  /** The embedding of every scan (clean and per seed); the seeds carry the clean scan's vectors over. */
  embedding?: Pick<ScanOptions, 'embed' | 'embedSize' | 'proxyModel'>;
  log?: (line: string) => void;
}

export interface FamilyBenchResult {
  clean: { samples: number; flagged: number; seconds: number };
  rows: FamilyRow[];
}

export async function runFamilyBench(o: FamilyBenchOptions): Promise<FamilyBenchResult> {
  const work = o.workDir ?? (await mkdtemp(join(tmpdir(), 'poisonscan-bench-')));
  const reuse = o.reuseFingerprints !== false;
  const { samples } = await listImageFolder(o.dataset);
  const cleanOut = o.cleanReport ?? join(work, 'clean-report');
  const clean = o.cleanReport ? await cleanSummary(o.cleanReport) : await scanClean(o, cleanOut);
  o.log?.(`clean n=${clean.samples} flagged=${clean.flagged} scan=${clean.seconds.toFixed(1)}s`);
  const rows: FamilyRow[] = [];
  // Seed by seed over the families: an interrupted run leaves every family with about as many seeds.
  for (const seed of o.seeds) {
    for (const family of o.families) {
      const name = `${family}-s${seed}`;
      const data = join(work, name);
      await rm(data, { recursive: true, force: true });
      const t0 = performance.now();
      const d = await drawTrigger(family, seed, samples, { count: o.count, mode: o.mode });
      const truth = await injectImageFolder({
        source: o.dataset, out: data, attack: d.attack, count: d.count, target: d.target ?? undefined, mode: d.mode, seed,
        truth: join(work, `${name}-truth.json`), link: true, drawn: d.record, concurrency: Math.max(4, o.concurrency * 2),
      });
      const injectSeconds = (performance.now() - t0) / 1000;
      const r = await scan({
        dataset: data, out: join(work, `${name}-report`), seed, concurrency: o.concurrency, quiet: true, progress: silentProgress,
        failOn: 'never', detectors: o.detectors, baseline: reuse ? cleanOut : undefined, writeFingerprints: false, ...o.embedding,
      });
      const poisoned = new Set(truth.poisoned);
      const k2 = 2 * poisoned.size;
      const metrics = evaluate(r.ids, r.scores.score, r.scores.flagged, poisoned, [...new Set([k2, ...(o.ks ?? [])])]);
      const row: FamilyRow = {
        family, seed, target: d.target, mode: d.mode, poisoned: poisoned.size,
        recallAt2k: metrics.recallAt[String(k2)]!,
        metrics,
        bestFindingHits: Math.max(0, ...r.report.findings.map((f) => f.samples.filter((s) => poisoned.has(s)).length)),
        trigger: describeDraw(d.record),
        params: d.record.params,
        seconds: { inject: round1(injectSeconds), scan: round1(r.report.timing.seconds), fingerprint: round1(r.report.timing.stages.fingerprint ?? 0) },
      };
      rows.push(row);
      o.log?.(formatFamilyRow(row));
      await o.onRow?.(rows, clean);
      await rm(data, { recursive: true, force: true });
    }
  }
  if (!o.workDir) await rm(work, { recursive: true, force: true });
  return { clean, rows };
}

async function scanClean(o: FamilyBenchOptions, out: string): Promise<FamilyBenchResult['clean']> {
  const c = await scan({ dataset: o.dataset, out, concurrency: o.concurrency, quiet: true, progress: silentProgress, failOn: 'never', detectors: o.detectors, ...o.embedding });
  let flagged = 0;
  for (let i = 0; i < c.ids.length; i++) if (c.scores.flagged[i]) flagged++;
  return { samples: c.ids.length, flagged, seconds: c.report.timing.seconds };
}

/** The same figures from a finished clean scan's report. */
async function cleanSummary(dir: string): Promise<FamilyBenchResult['clean']> {
  const r = await readReport(dir, '--clean-report');
  const flagged = new Set(r.findings.filter((f) => f.severity !== 'low').flatMap((f) => f.samples));
  return { samples: r.dataset.samples, flagged: flagged.size, seconds: r.timing.seconds };
}

export function formatFamilyRow(r: FamilyRow): string {
  const m = r.metrics;
  const ranks = m.ranks.length <= 12 ? `[${m.ranks.join(',')}]` : `max ${Math.max(...m.ranks)}`;
  return `${r.family} seed=${r.seed} target=${r.target ?? '-'} k=${r.poisoned} R@2k=${r.recallAt2k.toFixed(2)} flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) bestFinding=${r.bestFindingHits} ranks=${ranks} AUROC=${m.auroc.toFixed(3)} inject=${r.seconds.inject}s scan=${r.seconds.scan}s (fingerprint ${r.seconds.fingerprint}s) | ${r.trigger}`;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
