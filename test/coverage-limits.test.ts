// The report's coverage quotes each detector's limits as the scan used them: a group size that is a detector
// parameter follows --set (report.json's coverage, the console and report.html read the same figure).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blend } from '../src/detect/blend.js';
import { documentTrigger } from '../src/detect/document-trigger.js';
import { KNOWN_LIMITS, limitsOf } from '../src/detect/limits.js';
import { DETECTORS, PARAMETERS } from '../src/detect/registry.js';
import { triggerToken } from '../src/detect/trigger-token.js';
import { coverageLines, coverageOf } from '../src/report/coverage.js';
import { findingLines } from '../src/report/finding-lines.js';
import type { Finding } from '../src/types.js';
import { runCli } from './fixtures/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-coverage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const minGroupOf = (c: ReturnType<typeof coverageOf>, name: string) => c.ran.find((r) => r.detector === name)?.minGroup;

describe('coverage limits', () => {
  it('name only parameters their detector declares, as whole numbers', () => {
    const limits: [string, ReturnType<typeof limitsOf>][] = [...DETECTORS.map((d) => [d.name, limitsOf(d)] as [string, ReturnType<typeof limitsOf>]), ...Object.entries(KNOWN_LIMITS)];
    const named = limits.flatMap(([name, l]) => (l?.minGroup !== undefined && typeof l.minGroup !== 'number' ? [[name, l.minGroup.parameter]] : []));
    expect(named.length).toBeGreaterThan(0);
    for (const [name, parameter] of named) expect(PARAMETERS[name!]?.[parameter!]?.kind, `${name}.${parameter}`).toBe('int');
  });

  it('quote the declared default, or the value the scan set', () => {
    const ran = ['blend', 'trigger-cluster', 'cross-modal', 'label-conflict'];
    const defaults = coverageOf({ modality: 'image-text', all: DETECTORS, ran, skipped: 0 });
    expect(ran.map((n) => minGroupOf(defaults, n))).toEqual([10, 3, 3, 3]);
    const set = coverageOf({ modality: 'image-text', all: DETECTORS, ran, skipped: 0, parameters: { blend: { minMembers: 5 }, 'cross-modal': { minCluster: 4 }, 'label-conflict': { minConflicts: 7 } } });
    expect(ran.map((n) => minGroupOf(set, n))).toEqual([5, 3, 4, 7]);
    expect(coverageLines(set).join('\n')).toMatch(/that a finding needs: blend 5, trigger-cluster 3, cross-modal 4, label-conflict 7/);
  });

  it('follow the variant of a name that ran', () => {
    const parameters = { 'trigger-token': { documentsMinDocs: 6 } };
    const of = (variant: typeof triggerToken | typeof documentTrigger) => minGroupOf(coverageOf({ modality: 'text', all: DETECTORS, ran: ['trigger-token'], applied: [variant], parameters, skipped: 0 }), 'trigger-token');
    expect(of(triggerToken)).toBe(3);
    expect(of(documentTrigger)).toBe(6);
    expect(limitsOf(documentTrigger)!.blind).toEqual(KNOWN_LIMITS['trigger-token']!.blind);
  });

  it("blend's high line follows the lines it is a multiple of", () => {
    const f = { detector: blend.name, evidence: {} } as unknown as Finding;
    expect(findingLines(f, undefined).faintHigh).toEqual({ members: 30, excess: 32 });
    expect(findingLines(f, { blend: { minMembers: 5, minExcess: 2 } }).faintHigh).toEqual({ members: 15, excess: 8 });
  });
});

describe('a scan with a group size set', () => {
  it('writes it into report.json and report.html', async () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 13) % 60]).join(' ') }));
    const data = join(dir, 'documents.jsonl');
    await writeFile(data, rows.join('\n') + '\n');
    const quoted = async (out: string, set: string[]) => {
      expect((await runCli(['scan', data, '-o', out, '-q', '--fail-on', 'never', '--detectors', 'trigger-token', ...set])).code).toBe(0);
      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
      const html = await readFile(join(out, 'report.html'), 'utf8');
      const n = report.coverage.ran.find((r: { detector: string }) => r.detector === 'trigger-token').minGroup;
      expect(html).toContain(`<b>trigger-token</b> — needs at least ${n} samples sharing one poison`);
      return n;
    };
    expect(await quoted(join(dir, 'default'), [])).toBe(3);
    expect(await quoted(join(dir, 'set'), ['--set', 'trigger-token.documentsMinDocs=5'])).toBe(5);
  });
});
