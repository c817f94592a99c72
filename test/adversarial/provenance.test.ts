// Provenance tricks: the same picture with a small local patch behind an unchanged id (split-view trigger
// planting), a nightly baseline that would absorb an unreviewed finding, suppressions that must carry over when
// the same data is repacked in another container, and examples that must run without a published package.
import { copyFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan.js';
import { silentProgress } from '../../src/util/progress.js';
import { writeSyntheticFolder } from '../fixtures/synthetic-images.js';
import { runCli } from '../fixtures/run-cli.js';

let dir: string;
let clean: string;
const quiet = { quiet: true, progress: silentProgress, concurrency: 1 } as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-prov-'));
  clean = join(dir, 'clean');
  await writeSyntheticFolder(clean, ['cat', 'dog'], 20, 33);
  // The same picture under two labels: a medium label-conflict finding to review.
  await copyFile(join(clean, 'cat', '0001.jpg'), join(clean, 'dog', 'copy.jpg'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The picture with a size x size patch of alternating colours pasted at (x, y), saved as JPEG quality 75. */
async function withPatch(file: string, x: number, y: number, size: number): Promise<Buffer> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) for (let c = 0; c < 3; c++) {
    data[((y + dy) * info.width + x + dx) * 3 + c] = (dx + dy) % 2 ? [250, 20, 200][c]! : [10, 240, 30][c]!;
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 75 }).toBuffer();
}

describe('provenance', () => {
  it('verify tells a local edit (high, with its box) from a re-encode and from a different image', async () => {
    // tree: copy of clean/ with cat/0002 and dog/0003 patched (4 px at 20,6 and 5 px at 3,24), cat/0004 and
    // dog/0005 re-encoded at quality 90, cat/0006 replaced by dog/0010
    const manifest = join(dir, 'manifest.jsonl');
    expect((await runCli(['scan', clean, '--out', join(dir, 'm'), '--write-manifest', manifest, '--detectors', 'outlier', '--quiet'])).code).toBe(0);
    expect(JSON.parse((await readFile(manifest, 'utf8')).split('\n')[0]!).thumb).toMatch(/^t1:32:/);
    const copy = join(dir, 'copy');
    await cp(clean, copy, { recursive: true });
    await writeFile(join(copy, 'cat/0002.jpg'), await withPatch(join(clean, 'cat/0002.jpg'), 20, 6, 4));
    await writeFile(join(copy, 'dog/0003.jpg'), await withPatch(join(clean, 'dog/0003.jpg'), 3, 24, 5));
    for (const f of ['cat/0004.jpg', 'dog/0005.jpg']) await writeFile(join(copy, f), await sharp(join(clean, f)).jpeg({ quality: 90 }).toBuffer());
    await copyFile(join(clean, 'dog/0010.jpg'), join(copy, 'cat/0006.jpg'));
    const r = await runCli(['verify', copy, '--manifest', manifest, '--out', join(dir, 'v')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/content changed 1, re-encoded 2, .*locally edited 2/);
    const report = JSON.parse(await readFile(join(dir, 'v', 'report.json'), 'utf8'));
    const by = Object.fromEntries(report.findings.map((f: { evidence: { check: string } }) => [f.evidence.check, f]));
    expect(by['local-edit']).toMatchObject({ severity: 'high', samples: ['cat/0002.jpg', 'dog/0003.jpg'] });
    const box = by['local-edit'].evidence.boxes['cat/0002.jpg'];
    // The box covers the patch (20..23, 6..9) and not much more.
    expect(box.x).toBeLessThanOrEqual(20);
    expect(box.y).toBeLessThanOrEqual(6);
    expect(box.x + box.w).toBeGreaterThanOrEqual(24);
    expect(box.y + box.h).toBeGreaterThanOrEqual(10);
    expect(box.w * box.h).toBeLessThanOrEqual(64);
    expect(by['benign-reencode'].samples).toEqual(['cat/0004.jpg', 'dog/0005.jpg']);
    expect(by['content-change'].samples).toEqual(['cat/0006.jpg']);
  });

  it('diff --since-reviewed fails on a finding the baseline already had until it is suppressed with a reason', async () => {
    // command: two nightly scans of the same data (night 1 and night 2), then diff night1 night2
    const n1 = join(dir, 'night1'), n2 = join(dir, 'night2');
    for (const out of [n1, n2]) await scan({ dataset: clean, out, detectors: ['near-duplicate'], ...quiet });
    const conflict = JSON.parse(await readFile(join(n2, 'report.json'), 'utf8')).findings.find((f: { kind: string }) => f.kind === 'label-conflict');
    expect(conflict.severity).toBe('medium');
    const cfg = join(dir, 'empty.config.json');
    await writeFile(cfg, '{}');
    // The plain diff: nothing new since night 1, passes although nobody reviewed the finding.
    expect((await runCli(['diff', n1, n2, '--fail-on', 'medium', '--config', cfg])).code).toBe(0);
    const strict = await runCli(['diff', n1, n2, '--fail-on', 'medium', '--since-reviewed', '--config', cfg]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(new RegExp(`unreviewed at or above medium: 1[\\s\\S]*${conflict.fingerprint}`));
    const reviewed = join(dir, 'reviewed.config.json');
    await writeFile(reviewed, JSON.stringify({ suppressions: [{ fingerprint: conflict.fingerprint, reason: 'the same photo was filed under both classes by the vendor; harmless' }] }));
    expect((await runCli(['diff', n1, n2, '--fail-on', 'medium', '--since-reviewed', '--config', reviewed])).code).toBe(0);
  });

  it('gives the same finding fingerprints for the same images as a folder and as WebDataset shards', async () => {
    // tree: clean/ (folder ids cat/0001.jpg) and wds/shard-000000.tar (keys cat_0001 with .jpg and .cls)
    const wds = join(dir, 'wds');
    await rm(wds, { recursive: true, force: true });
    await (await import('node:fs/promises')).mkdir(wds);
    const tar = pack();
    const done = finished(tar.pipe(createWriteStream(join(wds, 'shard-000000.tar'))));
    for (const cls of ['cat', 'dog']) {
      for (const f of (await readdir(join(clean, cls))).sort()) {
        const key = `${cls}_${f.replace(/\.jpg$/, '')}`;
        tar.entry({ name: `${key}.jpg` }, await readFile(join(clean, cls, f)));
        tar.entry({ name: `${key}.cls` }, cls);
      }
    }
    tar.finalize();
    await done;
    const a = await scan({ dataset: clean, out: join(dir, 'fp-folder'), detectors: ['near-duplicate'], ...quiet });
    const b = await scan({ dataset: wds, out: join(dir, 'fp-wds'), detectors: ['near-duplicate'], ...quiet });
    expect(a.report.findings.length).toBeGreaterThan(0);
    expect(b.report.findings.map((f) => f.samples).flat()).toContain('cat_0001');
    const fps = (r: typeof a) => r.report.findings.map((f) => `${f.kind}:${f.fingerprint}`).sort();
    expect(fps(b)).toEqual(fps(a));
    // A suppression written for the folder scan covers the WebDataset scan's finding.
    const f = a.report.findings[0]!;
    const c = await scan({ dataset: wds, out: join(dir, 'fp-wds2'), detectors: ['near-duplicate'], suppressions: [{ fingerprint: f.fingerprint!, reason: 'reviewed' }], ...quiet });
    expect(c.report.findings.find((x) => x.fingerprint === f.fingerprint)?.suppressed).toEqual({ reason: 'reviewed' });
  });

  it('documents running from the repository or a packed tarball, never a global install of an unpublished package', async () => {
    const docs = join(process.cwd(), 'docs');
    const files = [join(docs, 'scheduled-scans.md'), join(docs, 'threat-model.md'), ...(await readdir(join(docs, 'examples'))).map((f) => join(docs, 'examples', f))];
    let sinceReviewed = 0;
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      expect(text, f).not.toMatch(/npm (install|i) (-g|--global) poisonscan\b/);
      if (/diff [^\n]*--since-reviewed/.test(text)) sinceReviewed++;
    }
    expect(sinceReviewed).toBeGreaterThan(0);
  });
});
