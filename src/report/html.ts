// report.html: one self-contained page (inline CSS, images as data URIs, no script, no network).
// Everything that comes from the dataset is escaped.
import sharp from 'sharp';
import type { ImageFeatures } from '../fingerprint/image-features.js';
import { imagePixels } from '../fingerprint/image-features.js';
import type { TextColumns } from '../ingest/text-columns.js';
import type { Finding, Json, Report } from '../types.js';
import { isWordToken } from '../text/tokenize.js';

export interface HtmlInputs {
  report: Report;
  /** Row index of each sample id, to find pixels or text. */
  indexOf: Map<string, number>;
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Samples shown per finding. */
  maxPerFinding?: number;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface Box { x: number; y: number; w: number; h: number }

function boxOf(ev: { [k: string]: Json }, sampleId: string): Box | null {
  // Detectors give one box for the group, or one per sample under evidence.boxes[id].
  const per = ev.boxes;
  const b = (per && typeof per === 'object' && !Array.isArray(per) ? (per as Record<string, Json>)[sampleId] : null) ?? ev.box;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return null;
  const o = b as Record<string, Json>;
  if ([o.x, o.y, o.w, o.h].every((v) => typeof v === 'number')) return { x: o.x as number, y: o.y as number, w: o.w as number, h: o.h as number };
  return null;
}

async function thumbnail(f: ImageFeatures, row: number, box: Box | null, scale: number): Promise<string> {
  const g = f.grid;
  const src = imagePixels(f, row);
  const side = g * scale;
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < side; x++) {
      const sx = Math.floor(x / scale);
      const o = (y * side + x) * 3;
      const s = (sy * g + sx) * 3;
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
    }
  }
  if (box) {
    // A one-pixel magenta frame around the pattern, drawn just outside it.
    const x0 = Math.max(0, box.x * scale - 1), y0 = Math.max(0, box.y * scale - 1);
    const x1 = Math.min(side - 1, (box.x + box.w) * scale), y1 = Math.min(side - 1, (box.y + box.h) * scale);
    const put = (x: number, y: number) => {
      const o = (y * side + x) * 3;
      out[o] = 255; out[o + 1] = 0; out[o + 2] = 255;
    };
    for (let x = x0; x <= x1; x++) { put(x, y0); put(x, y1); }
    for (let y = y0; y <= y1; y++) { put(x0, y); put(x1, y); }
  }
  const png = await sharp(out, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

async function crop(f: ImageFeatures, row: number, box: Box, scale: number): Promise<string> {
  const g = f.grid;
  const src = imagePixels(f, row);
  const w = Math.max(1, Math.min(box.w, g - box.x)), h = Math.max(1, Math.min(box.h, g - box.y));
  const out = new Uint8Array(w * scale * h * scale * 3);
  for (let y = 0; y < h * scale; y++) for (let x = 0; x < w * scale; x++) {
    const s = ((box.y + Math.floor(y / scale)) * g + box.x + Math.floor(x / scale)) * 3;
    const o = (y * w * scale + x) * 3;
    out[o] = src[s]!; out[o + 1] = src[s + 1]!; out[o + 2] = src[s + 2]!;
  }
  const png = await sharp(out, { raw: { width: w * scale, height: h * scale, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function textOf(t: TextColumns, row: number): string {
  const parts: string[] = [];
  if (t.prompt?.[row]) parts.push(`prompt: ${t.prompt[row]}`);
  if (t.response?.[row]) parts.push(`response: ${t.response[row]}`);
  if (t.text?.[row]) parts.push(t.text[row]!);
  return parts.join('\n');
}

const SHOWN_CHARS = 600;

/**
 * A sample's text, escaped, with the finding's trigger phrase marked. The phrase comes as lower-cased tokens
 * ("current year : 2024"), so it is matched case-insensitively with any spacing between its tokens ("Current
 * year: 2024"). Long texts are cut around the first match so that the trigger is always in view.
 */
export function markedText(text: string, trigger: string | null): string {
  const tokens = trigger ? trigger.split(' ').filter(Boolean) : [];
  // Whole words only at the ends: "mn" must not light up inside "column".
  const edge = (t: string | undefined) => t !== undefined && isWordToken(t);
  const body = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*');
  const re = tokens.length
    ? new RegExp(`${edge(tokens[0]![0]) ? '(?<![\\p{L}\\p{N}])' : ''}${body}${edge(tokens[tokens.length - 1]!.slice(-1)) ? '(?![\\p{L}\\p{N}])' : ''}`, 'giu')
    : null;
  const first = re ? text.search(re) : -1;
  let start = 0;
  if (first > SHOWN_CHARS - 200) start = first - 200;
  let shown = text.slice(start, start + SHOWN_CHARS);
  const prefix = start > 0 ? '…' : '';
  const suffix = start + SHOWN_CHARS < text.length ? '…' : '';
  if (!re) return prefix + escapeHtml(shown) + suffix;
  let out = '';
  let last = 0;
  for (const m of shown.matchAll(re)) {
    if (m[0] === '') continue;
    out += escapeHtml(shown.slice(last, m.index)) + '<mark>' + escapeHtml(m[0]) + '</mark>';
    last = m.index + m[0].length;
  }
  shown = out + escapeHtml(shown.slice(last));
  return prefix + shown + suffix;
}

/** Low findings rendered at most (high and medium: all). */
export const MAX_LOW_SHOWN = 200;

async function findingHtml(fd: Finding, inp: HtmlInputs): Promise<string> {
  const max = inp.maxPerFinding ?? 24;
  const cells: string[] = [];
  let cropHtml = '';
  const firstBox = inp.images && fd.samples.length ? boxOf(fd.evidence, fd.samples[0]!) : null;
  if (inp.images && firstBox) {
    const row = inp.indexOf.get(fd.samples[0]!);
    if (row !== undefined) cropHtml = `<div class="crop"><div>pattern (enlarged)</div><img alt="pattern crop" src="${await crop(inp.images, row, firstBox, 12)}"></div>`;
  }
  for (const id of fd.samples.slice(0, max)) {
    const row = inp.indexOf.get(id);
    if (row === undefined) continue;
    if (inp.images) {
      const src = await thumbnail(inp.images, row, boxOf(fd.evidence, id), Math.max(1, Math.round(96 / inp.images.grid)));
      cells.push(`<figure><img alt="" src="${src}"><figcaption>${escapeHtml(id)}</figcaption></figure>`);
    } else if (inp.texts) {
      const trigger = typeof fd.evidence.trigger === 'string' ? fd.evidence.trigger : null;
      cells.push(`<div class="text"><div class="tid">${escapeHtml(id)}</div><pre>${markedText(textOf(inp.texts, row), trigger)}</pre></div>`);
    }
  }
  const more = fd.samples.length > max ? `<p class="more">and ${fd.samples.length - max} more samples (see report.json)</p>` : '';
  return `<section class="finding ${fd.severity}">
<h2><span class="sev">${escapeHtml(fd.severity)}</span> ${escapeHtml(fd.id)} · ${escapeHtml(fd.title)}</h2>
<p class="meta">detector <b>${escapeHtml(fd.detector)}</b> · kind <b>${escapeHtml(fd.kind)}</b> · score ${fd.score.toFixed(3)} · ${fd.samples.length} samples</p>
${cropHtml}<div class="grid">${cells.join('')}</div>${more}
<details><summary>evidence</summary><pre>${escapeHtml(JSON.stringify(fd.evidence, null, 2))}</pre></details>
</section>`;
}

export async function renderHtml(inp: HtmlInputs): Promise<string> {
  const r = inp.report;
  const counts = { high: 0, medium: 0, low: 0 };
  for (const f of r.findings) counts[f.severity]++;
  const sections: string[] = [];
  // Every high and medium finding; low ones up to a cap (a million near-duplicate pairs would make a page no one
  // opens). report.json has them all.
  let low = 0;
  for (const f of r.findings) {
    if (f.severity === 'low' && ++low > MAX_LOW_SHOWN) continue;
    sections.push(await findingHtml(f, inp));
  }
  if (low > MAX_LOW_SHOWN) sections.push(`<p class="more">and ${low - MAX_LOW_SHOWN} more low findings (all are in report.json)</p>`);
  const labels = r.dataset.labels ? Object.entries(r.dataset.labels).map(([k, v]) => `${escapeHtml(k)}: ${v}`).join(', ') : 'none';
  const errors = r.errors.length
    ? `<section><h2>${r.errors.length} samples could not be read</h2><table>${r.errors.slice(0, 200).map((e) => `<tr><td>${escapeHtml(e.id)}</td><td>${escapeHtml(e.error)}</td></tr>`).join('')}</table>${r.errors.length > 200 ? '<p>(first 200; all are in report.json)</p>' : ''}</section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>poisonscan report: ${escapeHtml(r.dataset.path)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px} h2{font-size:16px;margin:0 0 4px}
.summary td{padding:2px 12px 2px 0}
.finding{border:1px solid #ddd;border-left:6px solid #999;padding:12px;margin:16px 0;border-radius:4px}
.finding.high{border-left-color:#c62828}.finding.medium{border-left-color:#ef6c00}.finding.low{border-left-color:#9e9e9e}
.sev{text-transform:uppercase;font-size:12px;padding:1px 6px;border-radius:3px;background:#eee}
.meta{color:#555;margin:0 0 8px}
.grid{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:0;width:104px;text-align:center}figure img{width:96px;height:96px;image-rendering:pixelated;border:1px solid #ccc}
figcaption{font-size:11px;word-break:break-all}
.crop{float:right;margin-left:12px;text-align:center;font-size:11px}.crop img{image-rendering:pixelated;border:1px solid #ccc}
.text{border:1px solid #eee;padding:6px;width:100%}mark{background:#ffe08a}.text pre,details pre{white-space:pre-wrap;word-break:break-word;margin:0}
.tid{font-size:11px;color:#666}
</style></head><body>
<h1>poisonscan report</h1>
<table class="summary">
<tr><td>dataset</td><td>${escapeHtml(r.dataset.path)} (${escapeHtml(r.dataset.format)}, ${escapeHtml(r.dataset.modality)})</td></tr>
<tr><td>samples</td><td>${r.dataset.samples} read, ${r.errors.length} unreadable</td></tr>
<tr><td>labels</td><td>${labels}</td></tr>
<tr><td>findings</td><td>${counts.high} high, ${counts.medium} medium, ${counts.low} low</td></tr>
<tr><td>time</td><td>${r.timing.seconds.toFixed(1)} s (${r.timing.samplesPerSecond.toFixed(0)} samples/s)</td></tr>
<tr><td>tool</td><td>poisonscan ${escapeHtml(r.tool.version)}</td></tr>
</table>
${r.findings.length ? '' : '<p>No findings.</p>'}
${sections.join('\n')}
${errors}
</body></html>
`;
}
