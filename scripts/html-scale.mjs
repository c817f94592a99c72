#!/usr/bin/env node
// Measures report.html at scale: renders synthetic reports of N findings (1% high, 4% medium, the rest low; image
// findings of 10 images on the working grid, or instruction findings of 5 rows with 2,000-character prompts)
// with the built renderer, opens each in headless Chromium and prints the page height and the file size.
// Usage: node scripts/html-scale.mjs [N ...]   (needs `npm run build`; default 10000 100000)
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderHtml } from '../dist/report/html.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`html-scale: ${CHROMIUM} not found (apt-get install chromium)`);
  process.exit(2);
}
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const work = await mkdtemp(join(tmpdir(), 'ps-html-scale-'));

let seed = 3;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const words = 'the a model answer data train write list explain why how what story poem code number city river'.split(' ');
const sentence = (n) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');

function report(n, modality) {
  const per = modality === 'image' ? 10 : 5;
  const samples = n * per;
  const findings = [];
  for (let k = 0; k < n; k++) {
    const severity = k < n * 0.01 ? 'high' : k < n * 0.05 ? 'medium' : 'low';
    const ids = Array.from({ length: per }, (_, j) => (modality === 'image' ? `c${j % 10}/${k}-${j}.png` : `${k * per + j}`));
    const evidence = modality === 'image'
      ? { grid: 32, box: { x: 27, y: 27, w: 3, h: 3 }, samePlace: true, labels: { c0: per }, withinDistance: 0.05, nextDistance: 0.4, note: 'a shared pattern',
          pattern: Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => [Math.floor(rnd() * 255), 0, 0])) }
      : { trigger: 'cf', targetLabel: 'yes', significance: 5.2, independentGroups: 5, examples: [sentence(40)] };
    findings.push({ id: `F${k + 1}`, detector: modality === 'image' ? 'trigger-cluster' : 'response-cluster', kind: modality === 'image' ? 'trigger-cluster' : 'response-cluster', severity, score: severity === 'low' ? 0.3 : 0.9, title: `${per} samples share a pattern`, samples: ids, evidence, fingerprint: k.toString(16).padStart(16, '0') });
  }
  return {
    report: {
      schema: 'poisonscan/report@1', tool: { name: 'poisonscan', version: 'scale' },
      dataset: { path: '/data/synthetic', format: modality === 'image' ? 'imagefolder' : 'jsonl', modality, samples },
      config: { detectors: [findings[0].detector] }, timing: { seconds: 1, samplesPerSecond: samples, stages: {} }, findings, errors: [],
    },
    ids: findings.flatMap((f) => f.samples),
  };
}

function columns(modality, ids) {
  if (modality === 'image') {
    const grid = 32;
    const pixels = new Uint8Array(ids.length * grid * grid * 3);
    for (let i = 0; i < pixels.length; i += 97) pixels[i] = 200;
    return { images: { grid, pixels, phash: new BigUint64Array(ids.length), stats: {}, file: {} } };
  }
  const prompt = ids.map(() => `${sentence(150)} cf ${sentence(200)}`);
  const response = ids.map(() => sentence(80));
  return { texts: { prompt, response } };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const n of sizes.length ? sizes : [10_000, 100_000]) {
    for (const modality of ['image', 'instruction']) {
      const { report: r, ids } = report(n, modality);
      const indexOf = new Map(ids.map((id, i) => [id, i]));
      const cols = columns(modality, ids);
      const t0 = performance.now();
      const html = await renderHtml({ report: r, indexOf, ...cols });
      const renderSeconds = (performance.now() - t0) / 1000;
      const file = join(work, `${modality}-${n}.html`);
      await writeFile(file, html);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const t1 = performance.now();
      await page.goto(pathToFileURL(file).href, { timeout: 600_000 });
      const loadSeconds = (performance.now() - t1) / 1000;
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.close();
      const bytes = (await stat(file)).size;
      console.log(`${modality}\t${n} findings\theight ${height} px\tsize ${(bytes / 1e6).toFixed(2)} MB\trender ${renderSeconds.toFixed(1)} s\tload ${loadSeconds.toFixed(1)} s`);
    }
  }
} finally {
  await browser.close();
}
