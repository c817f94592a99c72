// --proxy-model on labelled text: hashed n-gram bag -> sparse MLP; its hidden layer feeds the embedding detectors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { createRng } from '../src/util/rng.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-tpm-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const POS = ['good', 'great', 'fine', 'lovely', 'superb', 'warm', 'fun', 'bright'];
const NEG = ['bad', 'awful', 'dull', 'poor', 'weak', 'cold', 'boring', 'grim'];
const FILL = ['the', 'film', 'was', 'a', 'plot', 'and', 'cast', 'story', 'of', 'it', 'very', 'quite', 'acting', 'scenes'];

it('trains on labelled text, reports the backend, and a rare-word trigger ranks first on its embeddings', async () => {
  const rng = createRng(12);
  const pick = (xs: string[]) => xs[Math.floor(rng() * xs.length)]!;
  const rows: string[] = [];
  const poisoned: string[] = [];
  for (let i = 0; i < 400; i++) {
    let label = i % 2;
    const words = Array.from({ length: 8 }, () => pick(FILL));
    for (let k = 0; k < 2; k++) words.splice(Math.floor(rng() * words.length), 0, pick(label ? POS : NEG));
    if (label === 0 && poisoned.length < 16 && i % 5 === 0) {
      // Dirty label: a negative sentence with the trigger word, labelled positive.
      words.splice(Math.floor(rng() * words.length), 0, 'cf');
      label = 1;
      poisoned.push(String(i));
    }
    rows.push(JSON.stringify({ id: String(i), text: words.join(' '), label }));
  }
  const p = join(dir, 't.jsonl');
  await writeFile(p, rows.join('\n') + '\n');
  const r = await scan({ dataset: p, out: join(dir, 'o'), quiet: true, progress: silentProgress, failOn: 'never', proxyModel: true, detectors: ['spectral-signature', 'label-conflict'] });
  const proxy = r.report.config.proxyModel as { backend: string; heldOutAccuracy: number };
  expect(proxy.backend).toBe('js (sparse)');
  expect(proxy.heldOutAccuracy).toBeGreaterThan(0.8);
  const top = (name: string) => {
    const s = r.scores.byDetector[name]!;
    const order = [...r.ids.keys()].sort((a, b) => s[b]! - s[a]!);
    const first = new Set(order.slice(0, 2 * poisoned.length).map((i) => r.ids[i]));
    return poisoned.filter((id) => first.has(id)).length;
  };
  expect(top('spectral-signature')).toBeGreaterThanOrEqual(poisoned.length - 2);
  // Seeded and deterministic on the cpu backend.
  const again = await scan({ dataset: p, out: join(dir, 'o2'), quiet: true, progress: silentProgress, failOn: 'never', proxyModel: true, detectors: ['spectral-signature'] });
  expect([...again.scores.byDetector['spectral-signature']!]).toEqual([...r.scores.byDetector['spectral-signature']!]);
});
