// bench: inject a known poison into a copy of a dataset, scan it, measure recall/precision/AUROC and time.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { injectImageFolder, type Attack } from '../attack/image-inject.js';
import { listImageFolder } from '../ingest/imagefolder.js';
import { scan } from '../scan.js';
import { silentProgress } from '../util/progress.js';
import { evaluate, type Metrics } from './metrics.js';

export interface BenchCase {
  name: string;
  attack: Attack;
  count: number;
  target?: string;
  mode?: 'dirty' | 'clean';
}

export interface BenchRow {
  case: string;
  seed: number;
  metrics: Metrics;
  /** Poisoned samples that share one finding, at most (from the best finding). */
  bestFindingHits: number;
  scanSeconds: number;
  imagesPerSecond: number;
  maxRssMiB: number;
}

export interface BenchOptions {
  dataset: string;
  cases: BenchCase[];
  seeds: number[];
  concurrency: number;
  ks: number[];
  /** Keep the poisoned copies and reports under this folder instead of a temp dir. */
  workDir?: string;
  log?: (line: string) => void;
}

export async function runBench(o: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const work = o.workDir ?? (await mkdtemp(join(tmpdir(), 'poisonscan-bench-')));
  for (const c of o.cases) {
    for (const seed of o.seeds) {
      const data = join(work, `${c.name}-s${seed}`);
      const out = join(work, `${c.name}-s${seed}-report`);
      await rm(data, { recursive: true, force: true });
      const truth = await injectImageFolder({ source: o.dataset, out: data, attack: c.attack, count: c.count, target: c.target, mode: c.mode, seed, truth: join(work, `${c.name}-s${seed}-truth.json`) });
      const r = await scan({ dataset: data, out: out, seed, concurrency: o.concurrency, quiet: true, progress: silentProgress, failOn: 'never' });
      const poisoned = new Set(truth.poisoned);
      const metrics = evaluate(r.ids, r.scores.score, r.scores.flagged, poisoned, o.ks);
      const bestFindingHits = Math.max(0, ...r.report.findings.map((f) => f.samples.filter((s) => poisoned.has(s)).length));
      const row: BenchRow = {
        case: c.name, seed, metrics, bestFindingHits,
        scanSeconds: r.report.timing.seconds,
        imagesPerSecond: r.report.timing.samplesPerSecond,
        maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      rows.push(row);
      o.log?.(formatRow(row));
      await rm(data, { recursive: true, force: true });
    }
  }
  if (!o.workDir) await rm(work, { recursive: true, force: true });
  return rows;
}

export function formatRow(r: BenchRow): string {
  const m = r.metrics;
  const rec = Object.entries(m.recallAt).map(([k, v]) => `R@${k}=${v.toFixed(2)}`).join(' ');
  const ranks = m.ranks.length <= 12 ? ` ranks=[${m.ranks.join(',')}]` : ` ranks(max)=${Math.max(...m.ranks)}`;
  return `${r.case} seed=${r.seed} n=${m.samples} poisoned=${m.poisoned} ${rec} AUROC=${m.auroc.toFixed(4)} flagged=${m.flagged} (${m.flaggedPoisoned} poisoned) bestFinding=${r.bestFindingHits}${ranks} scan=${r.scanSeconds.toFixed(1)}s ${r.imagesPerSecond.toFixed(0)} img/s rss=${r.maxRssMiB}MiB`;
}

/** Decodes every image with sharp alone (same concurrency as a scan): the baseline for scan speed. */
export async function decodeBaseline(dataset: string, concurrency: number): Promise<{ images: number; seconds: number }> {
  const { samples } = await listImageFolder(dataset);
  const limit = pLimit(Math.max(1, concurrency * 2));
  const t0 = performance.now();
  await Promise.all(samples.map((s) => limit(async () => {
    await sharp(await readFile(s.path!)).raw().toBuffer();
  })));
  return { images: samples.length, seconds: (performance.now() - t0) / 1000 };
}
