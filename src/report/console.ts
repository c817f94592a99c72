// The short summary printed at the end of a scan.
import type { Report } from '../types.js';
import { coverageLines } from './coverage.js';

export function consoleSummary(r: Report, outDir: string): string {
  const c = { high: 0, medium: 0, low: 0 };
  let suppressed = 0, fresh = 0;
  for (const f of r.findings) {
    if (f.suppressed) suppressed++;
    else c[f.severity]++;
    if (f.newSinceBaseline) fresh++;
  }
  const lines = [
    `poisonscan: ${r.dataset.samples} samples (${r.dataset.modality}, ${r.dataset.format}) in ${r.timing.seconds.toFixed(1)} s` +
      (r.errors.length ? `, ${r.errors.length} unreadable` : ''),
    `findings: ${c.high} high, ${c.medium} medium, ${c.low} low` + (suppressed ? `, ${suppressed} suppressed (reviewed)` : '') +
      (r.config.baseline !== undefined ? `; ${fresh} new since the baseline` : ''),
  ];
  for (const f of r.findings.filter((x) => x.severity !== 'low').slice(0, 10)) {
    const tags = (f.newSinceBaseline ? ' [new]' : '') + (f.suppressed ? ` [suppressed: ${f.suppressed.reason}]` : '');
    lines.push(`  ${f.id} [${f.severity}]${tags} ${f.title} (${f.samples.length} samples)`);
  }
  if (r.coverage) lines.push(...coverageLines(r.coverage));
  lines.push(`report: ${outDir}/report.html`);
  return lines.join('\n');
}
