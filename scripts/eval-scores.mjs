// Recall@2x and AUROC of every score column of a scores.arrow against a poisonscan-truth.json.
// usage: node scripts/eval-scores.mjs <report-dir>/scores.arrow <dataset>/poisonscan-truth.json
import { tableFromIPC } from 'apache-arrow';
import { readFileSync } from 'node:fs';
const [arrow, truthPath] = process.argv.slice(2);
const t = tableFromIPC(readFileSync(arrow));
const truth = new Set(JSON.parse(readFileSync(truthPath, 'utf8')).poisoned);
const ids = t.getChild('id').toArray();
for (const f of t.schema.fields) {
  if (!f.name.startsWith('score')) continue;
  const s = t.getChild(f.name).toArray();
  const order = [...s.keys()].sort((a, b) => s[b] - s[a] || Number(truth.has(ids[a])) - Number(truth.has(ids[b])));
  const k = 2 * truth.size;
  const rec = order.slice(0, k).filter((i) => truth.has(ids[i])).length / truth.size;
  // AUROC
  const asc = [...s.keys()].sort((a, b) => s[a] - s[b]); let rs = 0, np = 0; let i = 0; const n = s.length;
  while (i < n) { let j = i; while (j + 1 < n && s[asc[j + 1]] === s[asc[i]]) j++; const avg = (i + j) / 2 + 1; for (let q = i; q <= j; q++) if (truth.has(ids[asc[q]])) { rs += avg; np++; } i = j + 1; }
  const auc = (rs - np * (np + 1) / 2) / (np * (n - np));
  console.log(`${f.name}: recall@${k}=${rec.toFixed(2)} AUROC=${auc.toFixed(3)}`);
}
