// The verify command as a library call: load the dataset, compare with the manifest, write a report folder.
import { resolve } from 'node:path';
import { loadColumns } from '../stages/fingerprint.js';
import { round, type SampleScores } from '../report/combine.js';
import { writeReportFiles } from '../report/write.js';
import { exitCodeFor } from '../model/exit-code.js';
import { applySuppressions, type Suppression } from '../config/config.js';
import { UsageError, type DatasetFormat, type FailOn, type Finding, type Report } from '../types.js';
import { createProgress } from '../util/progress.js';
import { VERSION } from '../version.js';
import { findingFingerprint } from '../model/finding-fingerprint.js';
import { readHashManifest } from './manifest.js';
import { verifyFindings, verifySamples, type VerifyResult } from './verify.js';
import { SEVERITY_RANK } from '../types.js';
import { checkOutDir, checkOutFile, lockOutDir } from '../store/out-dir.js';
import { StagedOutputs } from '../store/staged-outputs.js';

export interface VerifyOptions {
  dataset: string;
  manifest: string;
  out?: string;
  format?: DatasetFormat;
  idColumn?: string;
  hashColumn?: string;
  failOn?: FailOn;
  concurrency?: number;
  quiet?: boolean;
  sarif?: string;
  suppressions?: Suppression[];
}

export interface VerifyRunResult {
  report: Report;
  result: VerifyResult;
  outDir: string;
  exitCode: 0 | 1;
}

export async function runVerify(o: VerifyOptions): Promise<VerifyRunResult> {
  const t0 = performance.now();
  const progress = createProgress({ quiet: o.quiet });
  const outDir = resolve(o.out ?? 'poisonscan-verify');
  await checkOutDir(outDir, o.dataset);
  if (o.sarif) await checkOutFile(o.sarif, o.dataset, '--sarif');
  // The manifest is checked before the long work of reading every sample.
  const manifest = await readHashManifest(resolve(o.manifest), { idColumn: o.idColumn, hashColumn: o.hashColumn });
  const data = await loadColumns(o.dataset, { format: o.format, concurrency: o.concurrency ?? 2, progress });
  if (!data.images) throw new UsageError(`verify checks image datasets; ${o.dataset} is ${data.modality} data`);
  const tv = performance.now();
  const result = verifySamples({ manifest, ids: data.ids, images: data.images, unreadable: data.errors.map((e) => e.id) });
  const { findings: drafts, scores: verifyScores, missingIds } = verifyFindings(result, data.ids, manifest, data.images);

  const n = data.ids.length;
  const perSample: string[][] = Array.from({ length: n }, () => []);
  const flagged = new Uint8Array(n);
  const all = drafts.map((f) => ({ f, ids: f.samples.map((i) => data.ids[i]!) }));
  if (missingIds.length) {
    all.push({
      f: { kind: 'integrity', severity: 'medium', score: 0.6, title: `${missingIds.length} sample${missingIds.length === 1 ? '' : 's'} in the manifest are missing from the dataset`, samples: [], evidence: { manifest: manifest.file, hash: manifest.algo, idScheme: result.scheme, check: 'missing' } },
      ids: missingIds,
    });
  }
  all.sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || b.f.score - a.f.score);
  const findings: Finding[] = all.map(({ f, ids }, k) => {
    const id = `F${k + 1}`;
    for (const i of f.samples) {
      perSample[i]!.push(id);
      if (f.severity !== 'low') flagged[i] = 1;
    }
    return { id, detector: 'verify', kind: f.kind, severity: f.severity, score: round(f.score), title: f.title, samples: ids, evidence: f.evidence, fingerprint: findingFingerprint('verify', f.kind, ids) };
  });
  applySuppressions(findings, o.suppressions ?? []);
  const scores: SampleScores = { score: verifyScores, byDetector: { verify: verifyScores }, flagged, findings: perSample };
  const failOn = o.failOn ?? 'high';
  const stages: Record<string, number> = { ...data.stages, verify: (performance.now() - tv) / 1000 };
  const report: Report = {
    schema: 'poisonscan/report@1',
    tool: { name: 'poisonscan', version: VERSION },
    dataset: { path: data.path, format: data.format, modality: data.modality, samples: n },
    config: {
      command: 'verify', manifest: manifest.file, manifestHash: manifest.algo, manifestIdColumn: manifest.idColumn, idScheme: result.scheme, failOn,
      counts: { unchanged: result.unchanged.length, reencoded: result.reencoded.length, changed: result.changed.length, localEdits: result.localEdits.length, missing: result.missing.length, unexpected: result.unexpected.length, unreadable: result.unreadable.length },
    },
    timing: { seconds: 0, samplesPerSecond: 0, stages },
    findings,
    errors: data.errors,
  };
  const release = await lockOutDir(outDir);
  const staged = await new StagedOutputs(outDir).begin();
  try {
    await staged.guard('report files in', outDir, () => writeReportFiles({
      outDir: staged.dir, report, ids: data.ids, scores, images: data.images, sarif: o.sarif ? staged.externalPath(resolve(o.sarif)) : undefined,
      settleTiming: () => {
        const s = (performance.now() - t0) / 1000;
        report.timing.seconds = round(s, 3);
        report.timing.samplesPerSecond = round(n / Math.max(s, 1e-9), 1);
        for (const k of Object.keys(stages)) stages[k] = round(stages[k]!, 3);
      },
    }));
    await staged.commit();
  } finally {
    await staged.abort();
    await release();
  }
  return { report, result, outDir, exitCode: exitCodeFor(findings, failOn) };
}
