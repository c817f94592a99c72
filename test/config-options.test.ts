// Each scan option is declared once (src/config/options.ts): the command line's flags come from that declaration.
import { describe, expect, it } from 'vitest';
import { buildProgram, withConfigDefaults } from '../src/cli/main.js';
import { SCAN_OPTIONS, type OptionSpec, type ScanOptionName } from '../src/config/options.js';

const scanCommand = () => buildProgram().commands.find((c) => c.name() === 'scan')!;
const names = Object.keys(SCAN_OPTIONS) as ScanOptionName[];

describe('scan options', () => {
  it('are the command line\'s, by name, flags and default, in their order', () => {
    const options = scanCommand().options;
    expect(options.map((o) => o.attributeName())).toEqual(names);
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

  it('from the config file fill what the command line did not give, before the defaults', () => {
    const cmd = scanCommand();
    cmd.parseOptions(['--seed', '5']);
    const o = withConfigDefaults(cmd.opts(), { seed: 3, failOn: 'low', detectors: ['outlier'] }, cmd);
    expect(o).toMatchObject({ seed: 5, failOn: 'low', detectors: ['outlier'], concurrency: SCAN_OPTIONS.concurrency.default });
  });
});
