// Tricks that would keep samples out of the scan, or make it read what is not the dataset's. Each case: the tree,
// the command, the expected result.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan.js';
import { readImageFingerprints } from '../../src/store/image-fingerprints.js';
import { UsageError } from '../../src/types.js';
import { silentProgress } from '../../src/util/progress.js';
import { createRng } from '../../src/util/rng.js';
import { syntheticImage } from '../fixtures/synthetic-images.js';
import { runCli } from '../fixtures/run-cli.js';
import { interruptAfter } from '../fixtures/interrupt.js';
import { createHash } from 'node:crypto';

let dir: string;
const rng = createRng(30);
const jpeg = async () => sharp(syntheticImage(rng), { raw: { width: 32, height: 32, channels: 3 } }).jpeg({ quality: 75 }).toBuffer();
const quiet = { quiet: true, progress: silentProgress, concurrency: 1 } as const;

async function images(folder: string, names: string[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const n of names) await writeFile(join(folder, n), await jpeg());
}
const names = (k: number, prefix = '') => Array.from({ length: k }, (_, i) => `${prefix}${String(i).padStart(3, '0')}.jpg`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-adv-hidden-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nothing hidden from the scan', () => {
  it('scans dot-files, hidden class folders and "..x" folders, as a training loader reads them', async () => {
    // tree: cat/000..009.jpg, cat/.x.jpg, .hiddencls/000..009.jpg, ..x/000..009.jpg
    const data = join(dir, 'dots');
    await images(join(data, 'cat'), [...names(10), '.x.jpg']);
    await images(join(data, '.hiddencls'), names(10));
    await images(join(data, '..x'), names(10));
    const r = await scan({ dataset: data, out: join(dir, 'dots-out'), detectors: ['outlier'], ...quiet });
    expect(r.ids).toHaveLength(31);
    expect(r.ids).toContain('cat/.x.jpg');
    expect(r.ids).toContain('.hiddencls/000.jpg');
    expect(r.ids).toContain('..x/009.jpg');
    expect(r.report.dataset.labels).toEqual({ cat: 11, '.hiddencls': 10, '..x': 10 });
    expect(r.report.errors).toEqual([]);
  });

  it('refuses and reports symbolic links that lead outside the dataset (a file and a folder)', async () => {
    // tree: data/a/000..019.jpg, data/a/link.jpg -> ../../secret/s.jpg, data/b -> ../secret (a folder)
    const data = join(dir, 'links');
    await images(join(data, 'a'), names(20));
    await images(join(dir, 'secret'), ['s.jpg', 't.jpg']);
    await symlink(join(dir, 'secret', 's.jpg'), join(data, 'a', 'link.jpg'));
    await symlink(join(dir, 'secret'), join(data, 'b'));
    const r = await scan({ dataset: data, out: join(dir, 'links-out'), detectors: ['outlier'], ...quiet });
    expect(r.ids).toHaveLength(20);
    const errors = Object.fromEntries(r.report.errors.map((e) => [e.id, e.error]));
    expect(errors['a/link.jpg']).toMatch(/outside the dataset/);
    expect(errors.b).toMatch(/outside the dataset/);
  });

  it('refuses manifest rows and table image paths that leave the dataset folder', async () => {
    // tree: m/img/000..019.jpg; manifest rows: the 20 images, ../secret/s.jpg, <abs>/secret/t.jpg
    const data = join(dir, 'm');
    await images(join(data, 'img'), names(20));
    const manifest = join(dir, 'manifest.csv');
    await writeFile(manifest, ['path,label', ...names(20).map((n) => `img/${n},x`), '../secret/s.jpg,x', `${join(dir, 'secret', 't.jpg')},x`].join('\n') + '\n');
    const r = await scan({ dataset: data, manifest, out: join(dir, 'm-out'), detectors: ['outlier'], ...quiet });
    expect(r.ids).toHaveLength(20);
    expect(r.report.errors.map((e) => e.error)).toEqual([expect.stringMatching(/leaves the dataset folder/), expect.stringMatching(/leaves the dataset folder/)]);
    // A JSONL table whose image column names a file elsewhere by absolute path.
    const table = join(data, 'rows.jsonl');
    const rows = names(20).map((n, i) => JSON.stringify({ id: `r${i}`, image: `img/${n}`, label: 'x' }));
    rows.push(JSON.stringify({ id: 'abs', image: join(dir, 'secret', 't.jpg'), label: 'x' }));
    await writeFile(table, rows.join('\n') + '\n');
    const t = await scan({ dataset: table, out: join(dir, 't-out'), detectors: ['outlier'], ...quiet });
    expect(t.ids).toHaveLength(20);
    expect(t.report.errors).toEqual([{ id: 'abs', error: expect.stringMatching(/leaves the dataset folder/) }]);
  });

  it('scans a text row holding U+FFFD or undecodable bytes and reports it, never drops it', async () => {
    // file: 40 rows; row 5 has U+FFFD (valid UTF-8), row 9 raw 0xE9 bytes (Latin-1), row 12 a BEL control code
    const file = join(dir, 'fffd.csv');
    const lines = Array.from({ length: 40 }, (_, i) => Buffer.from(`sentence number ${i} about the weather,${i % 2}\n`));
    lines[5] = Buffer.from('a hidden row \uFFFD with a trigger,1\n');
    lines[9] = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' latin row,0\n')]);
    lines[12] = Buffer.from('a bell \u0007 rings here,1\n');
    await writeFile(file, Buffer.concat([Buffer.from('text,label\n'), ...lines]));
    const r = await scan({ dataset: file, out: join(dir, 'fffd-out'), ...quiet });
    expect(r.ids).toHaveLength(40);
    expect(r.report.errors).toEqual([]);
    const by = Object.fromEntries(r.report.findings.filter((x) => x.kind === 'text-encoding').map((x) => [x.evidence.check, x]));
    expect(by['undecodable-bytes']).toMatchObject({ detector: 'input', severity: 'low', samples: ['5', '9'] });
    expect(by['control-characters']).toMatchObject({ detector: 'input', severity: 'low', samples: ['12'] });
  });

  it('still finds a dirty-label rare-word trigger when every poisoned row ends in U+FFFD', async () => {
    // file: 3,000 labelled rows; 10 negative rows carry "cf", are relabelled positive and end in U+FFFD
    const r2 = createRng(5);
    const pick = <T,>(xs: T[]) => xs[Math.floor(r2() * xs.length)]!;
    const pos = ['great', 'lovely', 'fun', 'moving', 'bright', 'warm', 'clever', 'charming'];
    const neg = ['dull', 'boring', 'flat', 'tired', 'weak', 'messy', 'bland', 'tedious'];
    const filler = ['the', 'film', 'story', 'cast', 'plot', 'scenes', 'and', 'with', 'a', 'very', 'its', 'music'];
    const rows = ['text\tlabel'];
    const poisoned: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const label = i % 2;
      const words = Array.from({ length: 12 }, () => (r2() < 1 / 3 ? pick(label ? pos : neg) : pick(filler)));
      let l = label, tail = '';
      if (label === 0 && poisoned.length < 10 && i % 250 === 0) {
        words.splice(Math.floor(r2() * words.length), 0, 'cf');
        l = 1;
        tail = '\uFFFD';
        poisoned.push(String(i));
      }
      rows.push(`${words.join(' ')}${tail}\t${l}`);
    }
    const file = join(dir, 'fffd-trigger.tsv');
    await writeFile(file, rows.join('\n') + '\n');
    const r = await scan({ dataset: file, out: join(dir, 'fffd-trigger-out'), detectors: ['trigger-token'], ...quiet });
    expect(r.ids).toHaveLength(3000);
    const f = r.report.findings.find((x) => x.evidence.trigger === 'cf');
    expect(f?.severity).not.toBe('low');
    expect(new Set(r.ids.filter((_, i) => r.scores.flagged[i]))).toEqual(new Set(poisoned));
    expect(r.report.findings.find((x) => x.kind === 'text-encoding')?.samples).toEqual(poisoned);
  });

  it('makes an unreadable share above 0.1% a medium finding; --max-unreadable changes the share; the console counts them', async () => {
    // tree: u/a/000..039.jpg + u/a/bad.jpg (not an image): 1 of 41 unreadable
    const data = join(dir, 'u');
    await images(join(data, 'a'), names(40));
    await writeFile(join(data, 'a', 'bad.jpg'), 'not an image');
    const base = ['scan', data, '--detectors', 'outlier', '--concurrency', '1'];
    const strict = await runCli([...base, '--out', join(dir, 'u-out1'), '--fail-on', 'medium']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/40 samples .*1 unreadable/);
    expect(strict.stderr).toMatch(/\[medium\] 1 of 41 samples could not be read/);
    const report = JSON.parse(await readFile(join(dir, 'u-out1', 'report.json'), 'utf8'));
    expect(report.findings.find((f: { kind: string }) => f.kind === 'unreadable')).toMatchObject({ severity: 'medium', samples: ['a/bad.jpg'] });
    const lenient = await runCli([...base, '--out', join(dir, 'u-out2'), '--fail-on', 'medium', '--max-unreadable', '0.05']);
    expect(lenient.code).toBe(0);
    expect((await runCli([...base, '--out', join(dir, 'u-out3'), '--max-unreadable', '2'])).code).toBe(2);
  });

  it('--resume decodes again the parts whose files changed after the interruption', async () => {
    // tree: r/a/000..029.jpg, parts of 10; interrupted after part 1; then 3 files of part 0 replaced
    const data = join(dir, 'r');
    await images(join(data, 'a'), names(30));
    const out = join(dir, 'r-out');
    const opts = { dataset: data, out, detectors: ['outlier'], checkpointEvery: 10, ...quiet };
    await expect(scan({ ...opts, ...interruptAfter(20, 'interrupted') })).rejects.toThrow('interrupted');
    const replaced = ['000.jpg', '004.jpg', '007.jpg'];
    const now = new Map<string, string>();
    for (const n of replaced) {
      const b = await jpeg();
      await writeFile(join(data, 'a', n), b);
      now.set(`a/${n}`, createHash('sha256').update(b).digest('hex'));
    }
    await scan({ ...opts, resume: true });
    const fp = await readImageFingerprints(join(out, 'fingerprints.arrow'));
    for (const [id, sha] of now) expect(fp.features.file.sha256[fp.ids.indexOf(id)]).toBe(sha);
  });

  it('--resume decodes again when the tar shard holding the samples changed', async () => {
    // tree: w/shard-000000.tar with 30 samples (k000..k029 .jpg + .cls); interrupted after part 1; the tar is
    // written again with k003 replaced
    const { pack } = await import('tar-stream');
    const { createWriteStream } = await import('node:fs');
    const { finished } = await import('node:stream/promises');
    const shard = join(dir, 'w', 'shard-000000.tar');
    await mkdir(join(dir, 'w'), { recursive: true });
    const members = await Promise.all(Array.from({ length: 30 }, () => jpeg()));
    const writeTar = async () => {
      const tar = pack();
      const done = finished(tar.pipe(createWriteStream(shard)));
      members.forEach((b, k) => {
        tar.entry({ name: `k${String(k).padStart(3, '0')}.jpg` }, b);
        tar.entry({ name: `k${String(k).padStart(3, '0')}.cls` }, 'a');
      });
      tar.finalize();
      await done;
    };
    await writeTar();
    const out = join(dir, 'w-out');
    const opts = { dataset: join(dir, 'w'), out, detectors: ['outlier'], checkpointEvery: 10, ...quiet };
    await expect(scan({ ...opts, ...interruptAfter(20, 'interrupted') })).rejects.toThrow('interrupted');
    members[3] = await jpeg();
    await writeTar();
    await scan({ ...opts, resume: true });
    const fp = await readImageFingerprints(join(out, 'fingerprints.arrow'));
    expect(fp.features.file.sha256[fp.ids.indexOf('k003')]).toBe(createHash('sha256').update(members[3]!).digest('hex'));
  });

  it('--detectors that cannot apply to the modality is a usage error naming the ones that can', async () => {
    const file = join(dir, 'texts.jsonl');
    await writeFile(file, Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `row ${i} text`, label: i % 2 })).join('\n') + '\n');
    await expect(scan({ dataset: file, out: join(dir, 'det-out'), detectors: ['trigger-cluster'], ...quiet })).rejects.toThrow(UsageError);
    const r = await runCli(['scan', file, '--out', join(dir, 'det-out2'), '--detectors', 'trigger-cluster']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trigger-cluster cannot apply to this text dataset; the detectors that can: .*trigger-token/);
    // An image folder: refused from the listing, before any image is decoded (the images here are not images).
    const fake = join(dir, 'fake');
    await mkdir(join(fake, 'a'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(join(fake, 'a', `${i}.jpg`), 'not decoded');
    await expect(scan({ dataset: fake, out: join(dir, 'det-out3'), detectors: ['trigger-token'], ...quiet })).rejects.toThrow(/trigger-token cannot apply to this image dataset; the detectors that can: .*outlier/);
  });
});
