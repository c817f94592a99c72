// How many of a report's high/medium trigger-cluster findings consist only of copies of one original image, for
// sets built by scripts/replicate-images.mjs (file names `<copy>-<original>.jpg`).
// usage: node scripts/count-copy-clusters.mjs <report dir>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const report = JSON.parse(readFileSync(join(process.argv[2], 'report.json'), 'utf8'));
const strong = report.findings.filter((f) => f.detector === 'trigger-cluster' && f.severity !== 'low');
const original = (id) => String(id).replace(/^.*\/\d+-/, '');
const copies = strong.filter((f) => new Set(f.samples.map(original)).size === 1).length;
console.log(`high or medium trigger-cluster findings: ${strong.length}; all members copies of one original: ${copies}`);
