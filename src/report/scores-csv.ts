// scores.csv and scores.arrow: one row per sample read.
import { writeFile } from 'node:fs/promises';
import { Bool, Float32, makeData, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import type { SampleScores } from './combine.js';

/** A CSV field, quoted when it must be (and when it has edge spaces a reader could trim); TSV fields are written as they are. */
export function csvField(s: string, separator: ',' | '\t' = ','): string {
  return separator === ',' && (/[",\r\n]/.test(s) || s !== s.trim()) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function scoresCsv(ids: string[], s: SampleScores): string {
  const lines = ['id,score,flagged,findings'];
  for (let i = 0; i < ids.length; i++) {
    lines.push(`${csvField(ids[i]!)},${fmt(s.score[i]!)},${s.flagged[i] ? 'true' : 'false'},${csvField(s.findings[i]!.join(';'))}`);
  }
  return lines.join('\n') + '\n';
}

function fmt(x: number): string {
  return (Math.round(x * 1e6) / 1e6).toString();
}

export function scoresArrow(ids: string[], s: SampleScores): Uint8Array {
  const columns: Record<string, ReturnType<typeof makeVector>> = {
    id: vectorFromArray(ids, new Utf8()),
    score: makeVector(s.score),
    flagged: vectorFromArray(Array.from(s.flagged, (f) => f === 1), new Bool()),
    findings: vectorFromArray(s.findings.map((f) => f.join(';')), new Utf8()),
  };
  for (const [name, col] of Object.entries(s.byDetector)) {
    columns[`score_${name}`] = makeVector(makeData({ type: new Float32(), length: col.length, data: col }));
  }
  return tableToIPC(new Table(columns), 'file');
}

export async function writeScores(dir: string, ids: string[], s: SampleScores): Promise<void> {
  await writeFile(`${dir}/scores.csv`, scoresCsv(ids, s));
  await writeFile(`${dir}/scores.arrow`, scoresArrow(ids, s));
}
