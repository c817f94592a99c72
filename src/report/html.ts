// report.html: one self-contained page (inline CSS and SVG, images as data URIs, no script, no network).
// Everything that comes from the dataset is escaped. Built to stay usable at any number of findings: a summary
// table and a table of contents on top, findings folded by severity (low ones closed), and caps on everything
// rendered (report.json has it all).
import type { ImageFeatures } from '../model/image-features.js';
import type { TextColumns } from '../model/text-columns.js';
import type { ParameterValues } from '../config/parameters.js';
import type { Finding, Report, Severity } from '../types.js';
import type { SampleScores } from './combine.js';
import { labelBars, scoreHistogram } from './html-charts.js';
import { evidenceTable, findingPage, oneLineReason, rawEvidence } from './html-evidence.js';
import type { PageWords } from './page-words.js';
import { figure, gridThumbnail, hashHalves, nearestClean, patternCrop, sourceThumbnail, type HashHalves } from './html-images.js';
import { STYLE } from './html-style.js';
import { coverageHtml } from './html-coverage.js';
import { parametersSet } from './effective-parameters.js';
import { escapeHtml, markedText, withoutTrigger } from './html-text.js';

export { escapeHtml, markedText } from './html-text.js';

export interface HtmlInputs {
  report: Report;
  /** Row index of each sample id, to find pixels or text. */
  indexOf: Map<string, number>;
  images?: ImageFeatures;
  texts?: TextColumns;
  /** Per-sample scores and flags (the histogram, the per-label bars, the clean neighbours). */
  scores?: SampleScores;
  /** Class label per row (the per-label bars). */
  labels?: (string | null)[];
  /** The source bytes of an image sample, for thumbnails at their real resolution; the working grid otherwise. */
  readImage?: (id: string) => Promise<Buffer | null>;
}

/** What the page renders at most; report.json has everything. */
export const CAPS = {
  /** Rows of the summary table. */
  summaryRows: 300,
  /** Findings rendered per severity (folded beyond `open`). */
  shown: { high: 100, medium: 100, low: 50 } as Record<Severity, number>,
  /** High and medium findings shown open; the rest are folded, like every low one. */
  open: 10,
  /** Flagged rows of the summary table shown before the rest is folded. */
  summaryOpen: 50,
  /** Samples shown per finding. */
  samples: { high: 12, medium: 12, low: 6 } as Record<Severity, number>,
  /** Text rows shown per finding. */
  rows: { high: 3, medium: 3, low: 2 } as Record<Severity, number>,
  /** Findings that get a side-by-side comparison with a clean sample. */
  comparisons: 40,
  errors: 200,
};

const EXCERPT = 360, LEAD = 140;

interface PageState {
  inp: HtmlInputs;
  /** The detector parameters the scan set (report.json's config.parameters): the lines its findings were graded by. */
  set: ParameterValues | undefined;
  hashes?: HashHalves;
  /** Rows in a medium or high finding: never offered as the clean neighbour. */
  flagged?: Uint8Array;
  comparisons: number;
}

async function thumb(st: PageState, id: string, row: number): Promise<{ src: string; px: boolean }> {
  const bytes = st.inp.readImage ? await st.inp.readImage(id) : null;
  const src = bytes ? await sourceThumbnail(bytes) : null;
  return src ? { src, px: false } : { src: await gridThumbnail(st.inp.images!, row), px: true };
}

async function imageBody(fd: Finding, page: PageWords, st: PageState): Promise<string> {
  const f = st.inp.images!;
  const max = CAPS.samples[fd.severity];
  const cells: string[] = [];
  for (const id of fd.samples.slice(0, max)) {
    const row = st.inp.indexOf.get(id);
    if (row === undefined) continue;
    const t = await thumb(st, id, row);
    cells.push(figure(t.src, id, page.box(id), f.grid, t.px));
  }
  let extra = '';
  const first = fd.samples[0];
  const row0 = first !== undefined ? st.inp.indexOf.get(first) : undefined;
  if (row0 !== undefined) {
    const box = page.box(first!);
    const crop = box ? `<div class="crop"><div class="lbl">the pattern (working grid, enlarged)</div><img alt="pattern" src="${await patternCrop(f, row0, box)}"></div>` : '';
    let cmp = '';
    if (fd.severity !== 'low' && st.comparisons < CAPS.comparisons && f.phash.length === st.inp.indexOf.size) {
      st.comparisons++;
      st.hashes ??= hashHalves(f);
      const excluded = new Uint8Array(st.flagged ?? new Uint8Array(f.phash.length));
      for (const id of fd.samples) {
        const r = st.inp.indexOf.get(id);
        if (r !== undefined) excluded[r] = 1;
      }
      const near = nearestClean(st.hashes, row0, excluded);
      if (near >= 0) {
        const nearId = idAt(st.inp.indexOf, near);
        const a = await thumb(st, first!, row0), b = await thumb(st, nearId, near);
        const lbl = (r: number) => (st.inp.labels?.[r] != null ? ` · label ${escapeHtml(st.inp.labels[r]!)}` : '');
        cmp = `<div><div class="lbl">flagged${lbl(row0)}</div>${figure(a.src, first!, box, f.grid, a.px)}</div>` +
          `<div><div class="lbl">nearest unflagged image${lbl(near)}</div>${figure(b.src, nearId, null, f.grid, b.px)}</div>`;
      }
    }
    if (crop || cmp) extra = `<div class="pair">${cmp}${crop}</div>`;
  }
  return `${extra}<div class="grid">${cells.join('')}</div>`;
}

/** Ids by row, built once per page when a comparison needs one. */
const idCache = new WeakMap<Map<string, number>, string[]>();
function idAt(indexOf: Map<string, number>, row: number): string {
  let ids = idCache.get(indexOf);
  if (!ids) {
    ids = [];
    for (const [id, r] of indexOf) ids[r] = id;
    idCache.set(indexOf, ids);
  }
  return ids[row] ?? String(row);
}

function textBody(fd: Finding, trigger: string | null, st: PageState): string {
  const t = st.inp.texts!;
  const out: string[] = [];
  const rows = fd.samples.slice(0, CAPS.rows[fd.severity]);
  rows.forEach((id, k) => {
    const row = st.inp.indexOf.get(id);
    if (row === undefined) return;
    const parts: string[] = [];
    const main = t.prompt?.[row] ?? t.text?.[row] ?? '';
    const label = t.prompt ? 'prompt' : 'text';
    parts.push(`<pre><b>${label}:</b> ${markedText(main, trigger, EXCERPT, LEAD)}</pre>`);
    const resp = t.response?.[row];
    if (resp) parts.push(`<pre><b>response:</b> ${markedText(resp, trigger, 240, 80)}</pre>`);
    // The first row also without its trigger, side by side: what the sample says apart from it.
    const bare = k === 0 && fd.severity !== 'low' ? withoutTrigger(main, trigger) : null;
    if (bare !== null) {
      out.push(`<div class="text"><div class="tid">${escapeHtml(id)}: with and without the trigger</div><div class="cmp"><div>${parts[0]}</div><div><pre><b>without:</b> ${markedText(bare, null, EXCERPT, LEAD)}</pre></div></div>${parts.slice(1).join('')}</div>`);
    } else out.push(`<div class="text"><div class="tid">${escapeHtml(id)}</div>${parts.join('')}</div>`);
  });
  return out.join('');
}

async function findingHtml(fd: Finding, st: PageState, open: boolean): Promise<string> {
  const page = findingPage(fd, st.set);
  const body = st.inp.images && fd.samples.some((id) => st.inp.indexOf.has(id)) ? await imageBody(fd, page, st)
    : st.inp.texts ? textBody(fd, page.trigger, st) : '';
  const shown = st.inp.images ? CAPS.samples[fd.severity] : CAPS.rows[fd.severity];
  const more = fd.samples.length > shown ? `<p class="more">${shown} of ${fd.samples.length} samples shown; all are in report.json and scores.csv</p>` : '';
  const tags = (fd.suppressed ? ` · reviewed: ${escapeHtml(fd.suppressed.reason)}` : '') + (fd.newSinceBaseline ? ' · new since the baseline' : '');
  const label = page.label;
  return `<details class="finding ${fd.severity}" id="${escapeHtml(fd.id)}"${open ? ' open' : ''}>
<summary><span class="sev ${fd.severity}">${fd.severity}</span> <h3>${escapeHtml(fd.id)} · ${escapeHtml(fd.title)}</h3></summary>
<p class="meta">detector <b>${escapeHtml(fd.detector)}</b> · kind ${escapeHtml(fd.kind)} · score ${fd.score.toFixed(3)} · ${fd.samples.length} samples${label ? ` · label ${escapeHtml(label)}` : ''}${fd.fingerprint ? ` · fingerprint <code>${escapeHtml(fd.fingerprint)}</code>` : ''}${tags}</p>
<ul class="why">${page.why.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
${body}${more}
${evidenceTable(fd.evidence)}${rawEvidence(fd.evidence)}
</details>`;
}

function summaryRows(findings: Finding[], set: ParameterValues | undefined): string {
  return findings.map((f) => `<tr><td><span class="sev ${f.severity}">${f.severity}</span></td><td><a href="#${escapeHtml(f.id)}">${escapeHtml(f.id)}</a></td><td class="d">${escapeHtml(f.detector)}${f.kind !== f.detector ? `<br><small>${escapeHtml(f.kind)}</small>` : ''}</td><td class="n">${f.samples.length}</td><td>${escapeHtml(findingPage(f, set).label)}</td><td>${escapeHtml(oneLineReason(f))}${f.suppressed ? ' (reviewed)' : ''}</td></tr>`).join('');
}

/** High and medium findings in a table; low ones in the same table folded below them. Capped in all. */
function summaryTable(findings: Finding[], set: ParameterValues | undefined): string {
  if (!findings.length) return '<p>No findings.</p>';
  const head = '<thead><tr><th>severity</th><th>finding</th><th>detector</th><th>size</th><th>label</th><th>reason</th></tr></thead>';
  const shown = findings.slice(0, CAPS.summaryRows);
  const flagged = shown.filter((f) => f.severity !== 'low'), low = shown.filter((f) => f.severity === 'low');
  const lowTotal = findings.filter((f) => f.severity === 'low').length;
  const more = findings.length > CAPS.summaryRows ? `<p class="more">the first ${CAPS.summaryRows} of ${findings.length} findings (most severe first); all are in report.json</p>` : '';
  const first = flagged.slice(0, CAPS.summaryOpen), rest = flagged.slice(CAPS.summaryOpen);
  return (flagged.length ? `<table class="sum">${head}<tbody>${summaryRows(first, set)}</tbody></table>` : '<p>No high or medium findings.</p>') +
    (rest.length ? `<details><summary>${rest.length} more high and medium findings</summary><table class="sum">${head}<tbody>${summaryRows(rest, set)}</tbody></table></details>` : '') +
    (low.length ? `<details><summary>${lowTotal} low findings (ranked, not flagged)</summary><table class="sum">${head}<tbody>${summaryRows(low, set)}</tbody></table></details>` : '') + more;
}

export async function renderHtml(inp: HtmlInputs): Promise<string> {
  const r = inp.report;
  const bySev: Record<Severity, Finding[]> = { high: [], medium: [], low: [] };
  for (const f of r.findings) bySev[f.severity].push(f);
  let flagged: Uint8Array | undefined;
  if (inp.images) {
    flagged = inp.scores?.flagged;
    if (!flagged) {
      flagged = new Uint8Array(inp.images.phash.length);
      for (const f of r.findings) if (f.severity !== 'low') for (const id of f.samples) {
        const row = inp.indexOf.get(id);
        if (row !== undefined) flagged[row] = 1;
      }
    }
  }
  const st: PageState = { inp, set: parametersSet(r.config), flagged, comparisons: 0 };
  const sections: string[] = [];
  const toc: string[] = ['<li><a href="#summary">Summary of findings</a></li>'];
  if (inp.scores) toc.push('<li><a href="#charts">Scores and labels</a></li>');
  for (const sev of ['high', 'medium', 'low'] as const) {
    const list = bySev[sev];
    if (!list.length) continue;
    const shown = list.slice(0, CAPS.shown[sev]);
    const parts: string[] = [];
    for (const [k, f] of shown.entries()) parts.push(await findingHtml(f, st, sev !== 'low' && k < CAPS.open));
    const rest = list.length - shown.length;
    const more = rest > 0 ? `<p class="more">${rest} more ${sev} findings are listed in report.json (and the first ones in the summary table).</p>` : '';
    sections.push(`<section id="sev-${sev}"><h2>${cap(sev)} findings (${list.length})</h2>${sev === 'low' ? '<p class="more">Low findings are folded: open one to see it. They do not flag samples.</p>' : list.length > CAPS.open ? `<p class="more">The first ${CAPS.open} are open; open the others to see them.</p>` : ''}${parts.join('\n')}${more}</section>`);
    toc.push(`<li><a href="#sev-${sev}">${cap(sev)} (${list.length})</a></li>`);
  }
  if (r.coverage) toc.push('<li><a href="#limits">What this scan could not see</a></li>');
  if (r.errors.length) toc.push('<li><a href="#errors">Unreadable samples</a></li>');
  const labelList = r.dataset.labels ? Object.entries(r.dataset.labels) : [];
  const labels = labelList.length
    ? `${labelList.length} labels: ` + labelList.slice(0, 12).map(([k, v]) => `${escapeHtml(k)} ${v}`).join(', ') + (labelList.length > 12 ? ', …' : '')
    : 'none';
  const charts = inp.scores
    ? `<section id="charts"><h2>Scores and labels</h2><div class="charts"><div><div>How many samples got each score (the combined score, maximum over detectors; log scale)</div>${scoreHistogram(inp.scores.score)}</div>` +
      (inp.labels && inp.labels.some((l) => l !== null) ? `<div><div>Samples per label, flagged share in red</div>${labelBars(inp.labels, inp.scores.flagged)}</div>` : '') + '</div></section>'
    : '';
  const errors = r.errors.length
    ? `<section id="errors"><h2>${r.errors.length} samples could not be read</h2><table class="sum">${r.errors.slice(0, CAPS.errors).map((e) => `<tr><td>${escapeHtml(e.id)}</td><td>${escapeHtml(e.error)}</td></tr>`).join('')}</table>${r.errors.length > CAPS.errors ? `<p class="more">the first ${CAPS.errors}; all are in report.json</p>` : ''}</section>`
    : '';
  const c = { high: bySev.high.length, medium: bySev.medium.length, low: bySev.low.length };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>poisonscan report: ${escapeHtml(r.dataset.path)}</title>
<style>${STYLE}</style></head><body>
<h1>poisonscan report</h1>
<table class="facts">
<tr><td>dataset</td><td>${escapeHtml(r.dataset.path)} (${escapeHtml(r.dataset.format)}, ${escapeHtml(r.dataset.modality)})</td></tr>
<tr><td>samples</td><td>${r.dataset.samples} read, ${r.errors.length} unreadable</td></tr>
<tr><td>labels</td><td>${labels}</td></tr>
<tr><td>findings</td><td><span class="sev high">${c.high}</span> high, <span class="sev medium">${c.medium}</span> medium, <span class="sev low">${c.low}</span> low</td></tr>
<tr><td>time</td><td>${r.timing.seconds.toFixed(1)} s (${r.timing.samplesPerSecond.toFixed(0)} samples/s) · poisonscan ${escapeHtml(r.tool.version)}</td></tr>
</table>
<nav><ul>${toc.join('')}</ul></nav>
<section id="summary"><h2>Summary of findings</h2>${summaryTable(r.findings, st.set)}</section>
${charts}
${sections.join('\n')}
${r.coverage ? coverageHtml(r.coverage) : ''}
${errors}
</body></html>
`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
