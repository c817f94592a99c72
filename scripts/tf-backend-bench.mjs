#!/usr/bin/env node
// cpu vs wasm for the image proxy model (and the text proxy's own time) (after `npm run build`): each backend in its own process
// (POISONSCAN_TF_BACKEND), on the same seeded synthetic data.
//   node scripts/tf-backend-bench.mjs [images N] [texts N]
import { spawnSync } from 'node:child_process';

const [nImages = '1000', nTexts = '2000'] = process.argv.slice(2);
if (process.env.BENCH_CHILD) {
  const { createRng } = await import('../dist/util/rng.js');
  const { silentProgress } = await import('../dist/util/progress.js');
  const rng = createRng(1);
  const labels = [];
  if (process.env.BENCH_CHILD === 'image') {
    const { proxyEmbeddings } = await import('../dist/embed/proxy-model.js');
    const n = Number(nImages);
    const g = 32;
    const pixels = new Uint8Array(n * g * g * 3);
    for (let i = 0; i < n; i++) {
      const c = i % 10;
      labels.push(String(c));
      for (let k = 0; k < g * g * 3; k++) pixels[i * g * g * 3 + k] = Math.min(255, Math.floor(rng() * 200) + (k % 10 === c ? 55 : 0));
    }
    const r = await proxyEmbeddings({ grid: g, pixels }, labels, 1, silentProgress);
    console.log(JSON.stringify({ what: `image proxy, ${n} 32x32 images`, backend: r.backend, seconds: r.seconds, acc: r.heldOutAccuracy }));
  } else {
    const { textProxyEmbeddings } = await import('../dist/embed/text-proxy-model.js');
    const n = Number(nTexts);
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`);
    const text = [];
    for (let i = 0; i < n; i++) {
      labels.push(String(i % 2));
      text.push(Array.from({ length: 12 }, () => words[Math.floor(rng() * words.length)]).join(' ') + (i % 2 ? ' good' : ' bad'));
    }
    const r = await textProxyEmbeddings({ text }, labels, 1, silentProgress);
    console.log(JSON.stringify({ what: `text proxy, ${n} texts`, backend: r.backend, seconds: r.seconds, acc: r.heldOutAccuracy }));
  }
} else {
  // The text proxy model is our own sparse code (no tfjs backend): timed once.
  for (const [kind, backend] of [['image', 'wasm'], ['image', 'cpu'], ['text', 'none']]) {
    const r = spawnSync(process.execPath, [import.meta.filename, nImages, nTexts], { env: { ...process.env, BENCH_CHILD: kind, POISONSCAN_TF_BACKEND: backend }, encoding: 'utf8' });
    process.stdout.write(r.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n') + '\n');
    if (r.status) process.stderr.write(r.stderr);
  }
}
