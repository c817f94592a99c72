#!/usr/bin/env node
// Renders a real report.html in headless Chromium (Debian's /usr/bin/chromium through playwright-core):
// checks that it renders, that no script runs (a file named like an XSS payload is shown as text, no dialog),
// and saves a screenshot. Usage: node scripts/check-html.mjs [OUT_DIR]   (needs `npm run build` first)
// node scripts/check-html.mjs --shoot REPORT_DIR OUT.png [HEIGHT]: opens REPORT_DIR/report.html, prints its page
// height and file size, and saves the top HEIGHT px (default 1400) at 1280 px wide as OUT.png.
import { mkdtemp, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import { injectImageFolder } from '../dist/attack/image-inject.js';
import { scan } from '../dist/scan.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`check-html: ${CHROMIUM} not found (apt-get install chromium)`);
  process.exit(2);
}
if (process.argv[2] === '--shoot') {
  const [dir, png, h] = process.argv.slice(3);
  const file = join(dir, 'report.html');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: Number(h ?? 1400) } });
    await page.goto(pathToFileURL(file).href, { timeout: 600_000 });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    const bytes = (await stat(file)).size;
    if (png) await page.screenshot({ path: png, fullPage: false });
    console.log(`${file}\theight ${height} px\tsize ${(bytes / 1e6).toFixed(2)} MB${png ? `\tscreenshot ${png}` : ''}`);
  } finally {
    await browser.close();
  }
  process.exit(0);
}
const work = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'ps-html-')));
const clean = join(work, 'clean');
const XSS = '<img src=x onerror=alert(1)>.png';

// 2 classes x 60 images of smooth random blobs.
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
for (const cls of ['cat', 'dog']) {
  await mkdir(join(clean, cls), { recursive: true });
  for (let k = 0; k < 60; k++) {
    const px = new Uint8Array(32 * 32 * 3);
    const c = [rnd() * 255, rnd() * 255, rnd() * 255];
    const cx = rnd() * 32, cy = rnd() * 32, r = 4 + rnd() * 10;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let ch = 0; ch < 3; ch++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      px[(y * 32 + x) * 3 + ch] = Math.max(0, Math.min(255, (inside ? c[ch] : 255 - c[ch]) + (rnd() - 0.5) * 30));
    }
    await writeFile(join(clean, cls, `${String(k).padStart(3, '0')}.png`), await sharp(px, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
  }
}
const data = join(work, 'poisoned');
const truth = await injectImageFolder({ source: clean, out: data, attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'random' }, count: 4, target: 'cat', seed: 1, truth: join(work, 'truth.json') });
// One poisoned file gets a name that would run script if it were not escaped.
const victim = truth.poisoned[0];
await rename(join(data, victim), join(data, 'cat', XSS));
const out = join(work, 'report');
const r = await scan({ dataset: data, out, quiet: true, failOn: 'never' });
console.log(`scanned ${r.ids.length} images, ${r.report.findings.length} findings; files: ${(await readdir(out)).join(', ')}`);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let dialogs = 0;
  page.on('dialog', async (d) => {
    dialogs++;
    await d.dismiss();
  });
  const requests = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) requests.push(req.url());
  });
  await page.goto(pathToFileURL(join(out, 'report.html')).href);
  await page.waitForTimeout(500);
  const text = await page.innerText('body');
  if (dialogs) problems.push(`${dialogs} dialog(s) fired: dataset text ran as script`);
  if (!text.includes(`cat/${XSS}`)) problems.push('the XSS-like file name is not shown as text');
  if (requests.length) problems.push(`the page made network requests: ${requests.join(' ')}`);
  const imgs = await page.$$eval('img', (els) => els.filter((e) => e.naturalWidth > 0).length);
  if (imgs < 4) problems.push(`only ${imgs} images rendered`);
  if (!/trigger-cluster/.test(text)) problems.push('no trigger-cluster finding in the page');
  await page.screenshot({ path: join(work, 'report.png'), fullPage: false });
  console.log(`screenshot: ${join(work, 'report.png')} (${imgs} images rendered)`);
} finally {
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`check-html: ${p}`);
  process.exit(1);
}
console.log('check-html: report renders, escapes dataset text, runs no script, loads nothing from the network');
