// The short summary printed at the end of a scan.
import type { Report } from '../types.js';

export function consoleSummary(r: Report, outDir: string): string {
  const c = { high: 0, medium: 0, low: 0 };
  for (const f of r.findings) c[f.severity]++;
  const lines = [
    `poisonscan: ${r.dataset.samples} samples (${r.dataset.modality}, ${r.dataset.format}) in ${r.timing.seconds.toFixed(1)} s` +
      (r.errors.length ? `, ${r.errors.length} unreadable` : ''),
    `findings: ${c.high} high, ${c.medium} medium, ${c.low} low`,
  ];
  for (const f of r.findings.filter((x) => x.severity !== 'low').slice(0, 10)) {
    lines.push(`  ${f.id} [${f.severity}] ${f.title} (${f.samples.length} samples)`);
  }
  lines.push(`report: ${outDir}/report.html`);
  return lines.join('\n');
}
