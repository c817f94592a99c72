// Each scan option is declared once (src/config/options.ts): the command line's flags, the config file's keys and
// checks, and the options report.json repeats all come from that one declaration.
import { describe, expect, it } from 'vitest';
import { buildProgram, withConfigDefaults } from '../src/cli/main.js';
import { parseConfig } from '../src/config/config.js';
import { scanSettingsOf } from '../src/cli/dataset-options.js';
import { byGroup } from '../src/cli/options.js';
import { BENCH_OPTIONS } from '../src/cli/cmd-bench.js';
import { CLEAN_OPTIONS } from '../src/cli/cmd-clean.js';
import { DETECT_OPTIONS } from '../src/cli/cmd-detect.js';
import { DIFF_OPTIONS } from '../src/cli/cmd-diff.js';
import { INJECT_OPTIONS } from '../src/cli/cmd-inject.js';
import { REVIEW_OPTIONS } from '../src/cli/cmd-review.js';
import { VERIFY_OPTIONS } from '../src/cli/cmd-verify.js';
import { CONFIG_OPTIONS, FINGERPRINT_OPTIONS, LIBRARY_OPTIONS, OPTION_GROUPS, READ_OPTIONS, REPORTED_OPTIONS, SCAN_OPTIONS, type OptionSpec, type ScanOptionName } from '../src/config/options.js';

const scanCommand = () => buildProgram().commands.find((c) => c.name() === 'scan')!;
const names = Object.keys(SCAN_OPTIONS) as ScanOptionName[];

describe('scan options', () => {
  it('are the command line\'s, by name, flags and default, in their order by group', () => {
    const options = scanCommand().options;
    expect(options.map((o) => o.attributeName())).toEqual(byGroup(names, SCAN_OPTIONS));
    expect(options.map((o) => o.helpGroupHeading)).toEqual([...Array(10).fill('Reading:'), ...Array(8).fill('Fingerprinting:'), ...Array(8).fill('Embeddings:'), ...Array(6).fill('Detection:'), ...Array(5).fill('Output:')]);
    for (const o of options) {
      const spec: OptionSpec = SCAN_OPTIONS[o.attributeName() as ScanOptionName];
      expect(o.flags).toBe(spec.flags);
      expect(o.defaultValue).toBe(spec.default);
      expect(o.hidden).toBe(spec.hidden === true);
    }
  });

  it('parse their values on the command line: lists, whole numbers, shares, choices', () => {
    const cmd = scanCommand();
    cmd.parseOptions(['--detectors', 'outlier, blend,', '--grid', '16', '--max-unreadable', '0.5', '--fail-on', 'low', '--write-manifest']);
    expect(cmd.opts()).toMatchObject({ detectors: ['outlier', 'blend'], grid: 16, maxUnreadable: 0.5, failOn: 'low', writeManifest: true, seed: 0, out: './poisonscan-report' });
  });

  it('take every config-file key with a value of its kind, and none other', () => {
    const good: Record<string, unknown> = {
      out: 'o', format: 'jsonl', textColumn: 't', split: 'test', detectors: ['outlier'], failOn: 'never', concurrency: 3,
      seed: 7, grid: 16, writeManifest: 'm.jsonl', maxUnreadable: 0.2, embed: 'proxy', embedSize: 64,
    };
    expect(parseConfig({ scan: good }, 'c').scan).toEqual(good);
    expect(CONFIG_OPTIONS).toContain('format');
    expect(CONFIG_OPTIONS).not.toContain('inputFormat');
    expect(CONFIG_OPTIONS).not.toContain('quiet');
    const bad = (scan: Record<string, unknown>) => () => parseConfig({ scan }, 'c');
    expect(bad({ seed: -1 })).toThrow(/scan.seed must be a whole number >= 0/);
    expect(bad({ maxUnreadable: 2 })).toThrow(/scan.maxUnreadable must be a number between 0 and 1/);
    expect(bad({ failOn: 'sometimes' })).toThrow(/scan.failOn must be one of high, medium, low, never/);
    expect(bad({ format: 'xml' })).toThrow(/scan.format must be one of imagefolder, jsonl/);
    expect(bad({ detectors: 'outlier' })).toThrow(/scan.detectors must be a list of strings/);
    expect(bad({ writeManifest: true })).toThrow(/scan.writeManifest must be a string/);
    expect(bad({ quiet: true })).toThrow(/unknown scan option "quiet" \(known: out, format, /);
  });

  it('from the config file fill what the command line did not give, before the defaults', () => {
    const cmd = scanCommand();
    cmd.parseOptions(['--seed', '5']);
    const o = withConfigDefaults(cmd.opts(), { seed: 3, failOn: 'low', detectors: ['outlier'] }, cmd);
    expect(o).toMatchObject({ seed: 5, failOn: 'low', detectors: ['outlier'], concurrency: SCAN_OPTIONS.concurrency.default });
  });

  it('that report.json repeats are ones the config file may set too', () => {
    expect(REPORTED_OPTIONS).toEqual(['manifest', 'textColumn', 'labelColumn', 'idColumn', 'promptColumn', 'responseColumn', 'imageColumn', 'split', 'embeddingColumn', 'embeddings', 'embeddingIds', 'pixelLimit']);
    for (const k of REPORTED_OPTIONS) expect(CONFIG_OPTIONS).toContain(k);
  });

  it('reach the library\'s scan() by the same names, all but the command line\'s own', () => {
    expect(names.filter((k) => !(LIBRARY_OPTIONS as string[]).includes(k))).toEqual(['inputFormat', 'json', 'config', 'stage', 'shard']);
    const cmd = scanCommand();
    cmd.parseOptions([
      '--input-format', 'csv', '--text-column', 't', '--embed', 'proxy', '--embed-size', '64', '--detectors', 'outlier', '--grid', '16',
      '--json', '--write-manifest', '--checkpoint-every', '5', '--pixel-limit', '1000000', '--resume', '--max-unreadable', '0.5', '--model', 'm.json', '--layer', 'x',
    ]);
    const s = scanSettingsOf(cmd.opts());
    expect(s).toMatchObject({
      format: 'csv', textColumn: 't', embed: 'proxy', embedSize: 64, detectors: ['outlier'], grid: 16, checkpointEvery: 5, pixelLimit: 1_000_000, resume: true,
      maxUnreadable: 0.5, model: 'm.json', layer: 'x', quiet: true, writeManifest: expect.stringMatching(/poisonscan-report.manifest\.jsonl$/),
      out: './poisonscan-report', failOn: 'high', seed: 0,
    });
    expect(s).not.toHaveProperty('json');
    // A fingerprint shard records these: every shard of one detect must have read the dataset the same way.
    expect(READ_OPTIONS).toEqual(['format', 'manifest', 'textColumn', 'labelColumn', 'idColumn', 'promptColumn', 'responseColumn', 'imageColumn', 'split']);
    // ... and these, the read group's and those that change a fingerprint, which shards of one detect must share.
    expect(FINGERPRINT_OPTIONS).toEqual([...READ_OPTIONS, 'grid', 'pixelLimit']);
    expect(s).not.toHaveProperty('inputFormat');
  });
});

describe('the other commands\' options', () => {
  const declared: Record<string, Record<string, OptionSpec>> = {
    inject: INJECT_OPTIONS, bench: BENCH_OPTIONS, verify: VERIFY_OPTIONS, diff: DIFF_OPTIONS, detect: DETECT_OPTIONS, clean: CLEAN_OPTIONS, review: REVIEW_OPTIONS,
  };

  it('are their declarations, by name, flags, default and whether required, in their order by group', () => {
    const program = buildProgram();
    expect(program.commands.map((c) => c.name()).sort()).toEqual(['scan', ...Object.keys(declared)].sort());
    for (const [name, specs] of Object.entries(declared)) {
      const options = program.commands.find((c) => c.name() === name)!.options;
      expect(options.map((o) => o.attributeName()), name).toEqual(byGroup(Object.keys(specs), specs));
      for (const o of options) {
        const spec = specs[o.attributeName()]!;
        expect(o.flags).toBe(spec.flags);
        expect(o.mandatory).toBe(spec.required === true);
        expect(OPTION_GROUPS).toContain(spec.group);
        if (spec.default !== undefined) expect(o.defaultValue).toEqual(spec.default);
      }
    }
  });

  it('parse their values as declared: numbers, ranges, lists, negated flags', () => {
    const bench = buildProgram().commands.find((c) => c.name() === 'bench')!;
    bench.parseOptions(['--seeds', '3-5', '--count', '12', '--detectors', 'blend, trigger-cluster', '--no-reuse-fingerprints']);
    expect(bench.opts()).toMatchObject({ seeds: [3, 4, 5], count: 12, detectors: ['blend', 'trigger-cluster'], reuseFingerprints: false, target: 'airplane' });
    const seeds = (v: string) => {
      const b = buildProgram().commands.find((c) => c.name() === 'bench')!.exitOverride().configureOutput({ writeErr: () => undefined });
      b.parseOptions(['--seeds', v]);
      return b.opts().seeds as number[];
    };
    expect(seeds('2,7-9, 4')).toEqual([2, 7, 8, 9, 4]);
    expect(() => seeds('x')).toThrow(/--seeds takes N, A-B or a comma-separated list of them/);
    expect(() => seeds('9-7')).toThrow(/--seeds: 9-7 ends before it starts/);
    expect(() => seeds('1-5,3')).toThrow(/--seeds: 3 is named twice/);
    expect(() => seeds('1-999999999')).toThrow(/names more than 100000 numbers/);
  });
});
