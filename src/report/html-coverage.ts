// The page's "what this scan could not see" section.
import type { Coverage } from '../types.js';
import { escapeHtml } from './html-text.js';
import { notRunGroups } from './coverage.js';

export function coverageHtml(c: Coverage): string {
  const ran = c.ran.map((r) => `<li><b>${escapeHtml(r.detector)}</b>${r.minGroup !== undefined ? ` — needs at least ${r.minGroup} samples sharing one poison` : ''}${r.blind.length ? `; blind to: ${r.blind.map(escapeHtml).join('; ')}` : ''}</li>`).join('');
  const notRun = c.notRun.length ? `<p>Did not run: ${notRunGroups(c).map((g) => `<b>${g.detectors.map(escapeHtml).join(', ')}</b> (${escapeHtml(g.why)})`).join('; ')}.</p>` : '';
  return `<section id="limits"><h2>What this scan could not see</h2>
<p>No finding is not the same as no poison. This scan read the data as <b>${escapeHtml(c.modality)}</b>${c.grid ? ` (images resampled to ${c.grid} x ${c.grid} pixels)` : ''}${c.skipped ? `; <b>${c.skipped}</b> samples could not be read and were not looked at` : ''}.</p>
<ul class="limits">${ran}</ul>${notRun}</section>`;
}
