// Writes a JSONL dataset whose embedding column is each image as 16x16 grey pixels, from a scan's
// fingerprints.arrow: a stand-in for model embeddings, to measure the embedding detectors on real images.
// usage: node scripts/pixel-embeddings.mjs <report-dir>/fingerprints.arrow <out.jsonl>
import { tableFromIPC } from 'apache-arrow';
import { readFileSync, writeFileSync } from 'node:fs';
const [fp, out] = process.argv.slice(2);
const t = tableFromIPC(readFileSync(fp));
const ids = t.getChild('id'), labels = t.getChild('label'), px = t.getChild('pixels');
const lines = [];
for (let i = 0; i < t.numRows; i++) {
  const p = px.get(i).toArray ? px.get(i).toArray() : px.get(i);
  const e = [];
  for (let y = 0; y < 32; y += 2) for (let x = 0; x < 32; x += 2) {
    let s = 0;
    for (const [dy, dx] of [[0,0],[0,1],[1,0],[1,1]]) { const o = ((y + dy) * 32 + x + dx) * 3; s += 0.299 * p[o] + 0.587 * p[o + 1] + 0.114 * p[o + 2]; }
    e.push(Math.round(s / 4) / 255);
  }
  lines.push(JSON.stringify({ id: ids.get(i), text: 'x', label: labels.get(i), embedding: e }));
}
writeFileSync(out, lines.join('\n') + '\n');
