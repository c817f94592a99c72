// Small inline SVG charts for report.html: the score histogram with the flag line, and per-label bars with the
// flagged share. Pure strings; every label is escaped.
import { escapeHtml } from './html-text.js';

const BINS = 20;

/** Histogram of per-sample scores in [0,1] on a log count scale (a few suspects beside thousands of clean samples). */
export function scoreHistogram(score: Float32Array, flagAt = 0.5): string {
  const counts = new Float64Array(BINS);
  for (let i = 0; i < score.length; i++) counts[Math.min(BINS - 1, Math.max(0, Math.floor(score[i]! * BINS)))]!++;
  const W = 520, H = 150, left = 44, bottom = 24, top = 8;
  const plotW = W - left - 8, plotH = H - bottom - top;
  let max = 1;
  for (const c of counts) max = Math.max(max, c);
  const scale = Math.log10(1 + max);
  const bw = plotW / BINS;
  const bars: string[] = [];
  counts.forEach((c, b) => {
    if (c === 0) return;
    const h = Math.max(1, (Math.log10(1 + c) / scale) * plotH);
    const x = left + b * bw, y = top + plotH - h;
    const lo = (b / BINS).toFixed(2), hi = ((b + 1) / BINS).toFixed(2);
    bars.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" class="${b / BINS >= flagAt ? 'hot' : 'cold'}"><title>${c} samples scored ${lo}–${hi}</title></rect>`);
    bars.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y - 2).toFixed(1)}" class="n" text-anchor="middle">${c}</text>`);
  });
  const fx = left + flagAt * plotW;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => `<text x="${(left + t * plotW).toFixed(1)}" y="${H - 8}" class="t" text-anchor="middle">${t}</text>`).join('');
  return `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="score histogram">
<text x="4" y="${top + 10}" class="t" text-anchor="start">samples</text><text x="4" y="${top + 22}" class="t" text-anchor="start">(log)</text>
<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" class="axis"/>
${bars.join('')}
<line x1="${fx.toFixed(1)}" y1="${top}" x2="${fx.toFixed(1)}" y2="${top + plotH}" class="flag"/><text x="${(fx + 3).toFixed(1)}" y="${top + 10}" class="t" text-anchor="start">flagged from ${flagAt}</text>
${ticks}</svg>`;
}

/** Horizontal bars per label (the largest `max` labels): all samples, the flagged part in red, with counts and share. */
export function labelBars(labels: (string | null)[], flagged: Uint8Array, max = 20): string {
  const total = new Map<string, number>();
  const hot = new Map<string, number>();
  labels.forEach((l, i) => {
    const k = l ?? '(none)';
    total.set(k, (total.get(k) ?? 0) + 1);
    if (flagged[i]) hot.set(k, (hot.get(k) ?? 0) + 1);
  });
  // Labels with flagged samples first, then the largest; the rest summarised.
  const rows = [...total.entries()].sort((a, b) => (hot.get(b[0]) ?? 0) - (hot.get(a[0]) ?? 0) || b[1] - a[1]).slice(0, max);
  const most = Math.max(1, ...rows.map((r) => r[1]));
  const W = 520, row = 18, labelW = 130, barW = 250;
  const body = rows.map(([k, n], j) => {
    const f = hot.get(k) ?? 0;
    const y = j * row;
    const w = (n / most) * barW;
    const fw = Math.max(f ? 2 : 0, (f / most) * barW);
    const name = k.length > 20 ? k.slice(0, 19) + '…' : k;
    return `<text x="${labelW - 4}" y="${y + 13}" class="t" text-anchor="end">${escapeHtml(name)}</text>
<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="12" class="cold"/><rect x="${labelW}" y="${y + 3}" width="${fw.toFixed(1)}" height="12" class="hot"/>
<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}" class="t" text-anchor="start">${n}${f ? ` · ${f} flagged (${((100 * f) / n).toFixed(f / n < 0.01 ? 2 : 1)}%)` : ''}</text>`;
  }).join('\n');
  const more = total.size > rows.length ? `<p class="more">${total.size - rows.length} more labels without flagged samples</p>` : '';
  return `<svg class="chart" width="${W}" height="${rows.length * row + 4}" viewBox="0 0 ${W} ${rows.length * row + 4}" role="img" aria-label="samples per label">${body}</svg>${more}`;
}
