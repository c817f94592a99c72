// Detector parameters: declared beside each detector, set by --set or the config file's "detectors", checked against
// the declarations, read by the detector (defaults when unset) and repeated in report.json's config.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAssignment, checkParameterValues, mergeParameterValues, parameterValues, type ParameterSpecs } from '../src/config/parameters.js';
import { parseConfig } from '../src/config/config.js';
import { DETECTORS, PARAMETERS } from '../src/detect/registry.js';
import { parametersOf } from '../src/detect/detector.js';
import { givenParameters, parametersHelp } from '../src/cli/parameters.js';
import { buildProgram } from '../src/cli/main.js';
import { scan } from '../src/scan.js';
import { silentProgress } from '../src/util/progress.js';
import { runCli } from './fixtures/run-cli.js';
import { writeSyntheticFolder } from './fixtures/synthetic-images.js';

const SPECS = {
  cut: { kind: 'number', default: 6, min: 0, help: 'a cut' },
  count: { kind: 'int', default: 3, min: 1, max: 9, help: 'a count' },
} as const satisfies ParameterSpecs;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-params-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parameter declarations', () => {
  it('give each detector its values: those set, else the defaults', () => {
    expect(parameterValues(SPECS, undefined)).toEqual({ cut: 6, count: 3 });
    expect(parametersOf({ parameters: { d: { count: 5 } } }, 'd', SPECS)).toEqual({ cut: 6, count: 5 });
    expect(parametersOf({ parameters: { other: { count: 5 } } }, 'd', SPECS)).toEqual({ cut: 6, count: 3 });
  });

  it('are each a default within its bounds, with help, in the registry under the detector\'s name', () => {
    expect(Object.keys(PARAMETERS).length).toBeGreaterThan(5);
    for (const [d, specs] of Object.entries(PARAMETERS)) {
      for (const [name, spec] of Object.entries(specs)) {
        expect(name, d).toMatch(/^[a-z][A-Za-z]*$/);
        expect(spec.help.length, `${d}.${name}`).toBeGreaterThan(5);
        expect(checkParameterValues({ [d]: { [name]: spec.default } }, PARAMETERS, 'x'), `${d}.${name}`).toEqual({ [d]: { [name]: spec.default } });
      }
    }
    for (const d of DETECTORS) if (d.parameters) expect(PARAMETERS[d.name]).toMatchObject(d.parameters);
  });

  it('parse detector.name=value from the command line, a later one winning', () => {
    const v = addAssignment('b.count=4', addAssignment('a.cut=2.5', addAssignment('a.cut=1')));
    expect(v).toEqual({ a: { cut: 2.5 }, b: { count: 4 } });
    expect(() => addAssignment('cut=2')).toThrow(/--set takes detector.parameter=value/);
    expect(() => addAssignment('a.cut=')).toThrow(/--set takes/);
    expect(() => addAssignment('a.cut=x')).toThrow(/--set a.cut: "x" is not a number/);
  });

  it('check names and values against the declarations, and order them as declared', () => {
    const declared = { d: SPECS, e: {} };
    expect(checkParameterValues({ d: { count: 9, cut: 0 } }, declared, 'w')).toEqual({ d: { cut: 0, count: 9 } });
    expect(JSON.stringify(checkParameterValues({ d: { count: 9, cut: 0 } }, declared, 'w'))).toBe('{"d":{"cut":0,"count":9}}');
    const bad = (v: unknown) => () => checkParameterValues(v, declared, 'w');
    expect(bad({ x: { cut: 1 } })).toThrow('w: unknown detector "x" (detectors with parameters: d)');
    expect(bad({ e: { cut: 1 } })).toThrow('w: e has no parameters');
    expect(bad({ d: { cutt: 1 } })).toThrow("w: unknown parameter d.cutt (d's: cut, count)");
    expect(bad({ d: { count: 10 } })).toThrow('w: d.count must be a whole number from 1 to 9, not 10');
    expect(bad({ d: { count: 2.5 } })).toThrow(/whole number/);
    expect(bad({ d: { cut: -1 } })).toThrow('w: d.cut must be a number >= 0, not -1');
    expect(bad({ d: { cut: '1' } })).toThrow(/not "1"/);
    expect(bad({ d: 3 })).toThrow('w.d must be an object');
  });

  it('merge the command line\'s over the config file\'s, parameter by parameter', () => {
    expect(mergeParameterValues({ a: { x: 1, y: 2 }, b: { z: 3 } }, { a: { y: 5 } })).toEqual({ a: { x: 1, y: 5 }, b: { z: 3 } });
    const first = Object.keys(PARAMETERS).find((d) => Object.keys(PARAMETERS[d]!).length > 0)!;
    const [p1, spec] = Object.entries(PARAMETERS[first]!)[0]!;
    expect(givenParameters({ path: 'c.json', detectors: { [first]: { [p1]: spec.default } } }, undefined)).toEqual({ [first]: { [p1]: spec.default } });
    expect(() => givenParameters({ path: 'c.json', detectors: { nope: { a: 1 } } }, undefined)).toThrow(/^config c.json: detectors: unknown detector "nope"/);
    expect(() => givenParameters({ path: null, detectors: {} }, { [first]: { nope: 1 } })).toThrow(/^--set: unknown parameter/);
  });

  it('come from the config file\'s "detectors" object, numbers only', () => {
    expect(parseConfig({ detectors: { outlier: { zReport: 9 } } }, 'c').detectors).toEqual({ outlier: { zReport: 9 } });
    expect(parseConfig({}, 'c').detectors).toEqual({});
    expect(() => parseConfig({ detectors: [] }, 'c')).toThrow(/"detectors" must be an object/);
    expect(() => parseConfig({ detectors: { outlier: 9 } }, 'c')).toThrow(/detectors.outlier must be an object/);
    expect(() => parseConfig({ detectors: { outlier: { zReport: 'x' } } }, 'c')).toThrow(/detectors.outlier.zReport must be a number/);
    expect(() => parseConfig({ scan: { set: {} } }, 'c')).toThrow(/unknown scan option "set"/);
  });

  it('are listed by scan --help with their defaults', () => {
    const help = parametersHelp();
    for (const [d, specs] of Object.entries(PARAMETERS)) for (const [name, spec] of Object.entries(specs)) expect(help).toContain(`${d}.${name}=${spec.default} `);
    const scanCommand = buildProgram().commands.find((c) => c.name() === 'scan')!;
    scanCommand.parseOptions(['--set', 'outlier.zReport=9', '--set', 'outlier.maxListed=3']);
    expect(scanCommand.opts().set).toEqual({ outlier: { zReport: 9, maxListed: 3 } });
  });
});

/** Rows whose texts are one 8-word span said six times: a repeated-span anomaly each, by default. */
function repeatedRows(): Record<string, string>[] {
  return Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, text: i % 3 ? `an ordinary review number ${i} of a film` : Array(6).fill(`this span of eight words comes back again ${i}`).join(' ') }));
}

describe('a scan with detector parameters', () => {
  it('runs the detector with the values set and repeats them in report.json; with none, the config has no key', async () => {
    const run = async (name: string, set?: Record<string, Record<string, number>>) => {
      const out = join(dir, name);
      const r = await scan({ dataset: name, rows: repeatedRows(), out, quiet: true, progress: silentProgress, failOn: 'never', detectors: ['text-anomaly'], ...(set ? { set } : {}) });
      return { r, json: JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { config: Record<string, unknown> } };
    };
    const plain = await run('plain');
    expect(plain.r.report.findings.map((f) => f.evidence.anomaly)).toEqual(['repeated-span']);
    expect(plain.json.config).not.toHaveProperty('parameters');
    const strict = await run('strict', { 'text-anomaly': { repeatTimes: 7 } });
    expect(strict.r.report.findings).toEqual([]);
    expect(strict.json.config.parameters).toEqual({ 'text-anomaly': { repeatTimes: 7 } });
    await expect(run('bad', { 'text-anomaly': { repeatTimes: 1 } })).rejects.toThrow('set: text-anomaly.repeatTimes must be a whole number >= 2, not 1');
  });

  it('on the command line: --set over the config file, and a bad name is exit 2 with one line', async () => {
    const data = join(dir, 'rows.jsonl');
    await writeFile(data, repeatedRows().map((r) => JSON.stringify(r)).join('\n') + '\n');
    const config = join(dir, 'c.json');
    await writeFile(config, JSON.stringify({ detectors: { 'text-anomaly': { repeatTimes: 7, repeatWords: 8 } } }));
    const out = join(dir, 'cli');
    expect((await runCli(['scan', data, '-o', out, '-q', '--detectors', 'text-anomaly', '--config', config, '--set', 'text-anomaly.repeatTimes=5'])).code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.config.parameters).toEqual({ 'text-anomaly': { repeatWords: 8, repeatTimes: 5 } });
    expect(report.findings.map((f: { evidence: { anomaly: string } }) => f.evidence.anomaly)).toEqual(['repeated-span']);
    const bad = await runCli(['scan', data, '-o', join(dir, 'cli2'), '-q', '--set', 'text-anomaly.repeatTime=5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("poisonscan: --set: unknown parameter text-anomaly.repeatTime (text-anomaly's: repeatWords, repeatTimes, repeatShare, repeatMinWords)\n");
  });

  it('does not re-use a baseline scanned with other values', async () => {
    const images = join(dir, 'images');
    await writeSyntheticFolder(images, ['cat', 'dog'], 40, 7);
    const base = join(dir, 'base');
    expect((await runCli(['scan', images, '-o', base, '-q', '--detectors', 'outlier'])).code).toBe(0);
    const again = async (name: string, ...set: string[]) => {
      expect((await runCli(['scan', images, '-o', join(dir, name), '-q', '--detectors', 'outlier', '--baseline', base, ...set])).code).toBe(0);
      return JSON.parse(await readFile(join(dir, name, 'report.json'), 'utf8')) as { timing: { stages: Record<string, number> } };
    };
    expect((await again('same')).timing.stages).toHaveProperty('detect:reused');
    expect((await again('other', '--set', 'outlier.zReport=1')).timing.stages).not.toHaveProperty('detect:reused');
  });
});
