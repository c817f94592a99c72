// report.html quotes the lines a finding was graded by: its detector's declared defaults, or the values the scan set
// (--set, report.json's config.parameters), looked up by the finding's detector and variant.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParameterValues } from '../src/config/parameters.js';
import { PARAMETERS } from '../src/detect/registry.js';
import type { TypedFinding } from '../src/model/evidence.js';
import { combine } from '../src/report/combine.js';
import { effectiveParameter, parametersSet } from '../src/report/effective-parameters.js';
import { findingPage } from '../src/report/html-evidence.js';
import type { Finding } from '../src/types.js';
import { createRng, randInt } from '../src/util/rng.js';
import { runCli } from './fixtures/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { severity: 'high' as const, score: 0.9, samples: [0, 1, 2] };
const labelled: TypedFinding<'label-trigger'> = {
  ...base, form: 'label-trigger', kind: 'trigger-token',
  evidence: {
    trigger: 'cf', targetLabel: '1', documents: 8, labels: { 1: 8 }, independentGroups: 6, conflictingGroups: 5, conflictingSamples: 6, baseConflictRate: 0.1,
    significance: 7.25, conflictStrength: 2, candidatesTested: 40, occurrences: 7, fitOccurrences: 5, insertionLlr: 4.4, neighbourPairs: 0, expectedNeighbourPairs: 0.1,
    fitsItsSentences: false, labelPredictedByWords: 0.45, labelAgainstWords: 0, decidedBy: 'conflicts', positions: [0.5], kin: null, examples: ['a cf b'],
  },
};
const documents: TypedFinding<'followed-phrase'> = {
  ...base, form: 'followed-phrase', kind: 'trigger-token',
  evidence: { trigger: 'zx9q', documentsWithTrigger: 3, windowTokens: 256, surpriseThreshold: 4.5, baselineRate: 0.001, significance: 12.3, phrasesTestable: 1234, example: 'x zx9q y', otherDocuments: [] },
};
const injected: TypedFinding<'injected-content'> = {
  ...base, form: 'injected-content', kind: 'response-cluster',
  evidence: { content: 'visit us', responsesWithContent: 3, unexplainedResponses: 3, promptsWithContent: 0, independentGroups: 3, significance: 5.5, unitsTested: 7, promptTrigger: null, examples: [], examplePrompts: [] },
};

/** The findings as combine() numbers them, each under its detector's name. */
const numbered = (): Finding[] => combine(['a', 'b', 'c'], [labelled, documents, injected].map((f) => ({ detector: f.kind, output: { scores: new Float32Array(3), findings: [f as TypedFinding] } }))).findings;

/** The significance sentence of each finding, typed and as a re-used draft (a copy has no form), which must agree. */
function significanceLines(set: ParameterValues | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of numbered()) {
    const typed = findingPage(f, set).why[0]!;
    expect(findingPage({ ...f }, set).why[0], f.typed!.form).toBe(typed);
    out[f.typed!.form] = typed.slice(typed.indexOf('('));
  }
  return out;
}

describe('the lines report.html quotes', () => {
  it('are the declared defaults when nothing is set, and what the scan set otherwise', () => {
    expect(effectiveParameter(undefined, 'trigger-token', 'highSignificance')).toBe(PARAMETERS['trigger-token']!.highSignificance!.default);
    expect(effectiveParameter({ 'trigger-token': { highSignificance: 6 } }, 'trigger-token', 'highSignificance')).toBe(6);
    expect(effectiveParameter({ 'response-cluster': { highSignificance: 6 } }, 'trigger-token', 'highSignificance')).toBe(PARAMETERS['trigger-token']!.highSignificance!.default);
    expect(effectiveParameter(undefined, 'trigger-token', 'noSuchParameter')).toBeNull();
    expect(effectiveParameter(undefined, 'constructor', 'highSignificance')).toBeNull();
    expect(parametersSet({ parameters: { blend: { minMembers: 5 } } })).toEqual({ blend: { minMembers: 5 } });
    expect(parametersSet({})).toBeUndefined();
  });

  it('follow each finding\'s detector and variant', () => {
    expect(significanceLines(undefined)).toEqual({
      'label-trigger': '(medium from 2, high from 4).', 'followed-phrase': '(medium from 2, high from 4).', 'injected-content': '(medium from 2, high from 4).',
    });
    expect(significanceLines({ 'trigger-token': { mediumSignificance: 2.5, highSignificance: 6 } })).toEqual({
      'label-trigger': '(medium from 2.5, high from 6).', 'followed-phrase': '(medium from 2, high from 4).', 'injected-content': '(medium from 2, high from 4).',
    });
    expect(significanceLines({ 'trigger-token': { documentsHighSignificance: 8 }, 'response-cluster': { mediumSignificance: 3 } })).toEqual({
      'label-trigger': '(medium from 2, high from 4).', 'followed-phrase': '(medium from 2, high from 8).', 'injected-content': '(medium from 3, high from 4).',
    });
  });

  it('are not quoted for a detector that declares none', () => {
    const f: Finding = { id: 'F1', detector: 'a-library-detector', kind: 'a-library-detector', severity: 'medium', score: 0.6, title: 't', samples: ['a'], evidence: { significance: 3 } };
    expect(findingPage(f, undefined).why[0]).toBe('Significance 3: a pattern this strong among independent samples has a chance of about 1 in 10^3.');
  });
});

/** Labelled rows with one rare word planted in rows of label 0 relabelled 1: a trigger-token finding. */
function plantedRows(seed: number): string {
  const rng = createRng(seed);
  const pos = ['great', 'lovely', 'fun', 'moving', 'bright', 'warm', 'clever', 'charming'];
  const neg = ['dull', 'boring', 'flat', 'tired', 'weak', 'messy', 'bland', 'tedious'];
  const filler = ['the', 'film', 'story', 'cast', 'plot', 'scenes', 'and', 'with', 'a', 'very', 'its', 'music', 'was', 'for', 'me', 'this'];
  const rows = ['text\tlabel'];
  for (let i = 0; i < 1200; i++) {
    const label = i % 2;
    const words = Array.from({ length: 12 }, () => (randInt(rng, 3) === 0 ? (label ? pos : neg)[randInt(rng, 8)]! : filler[randInt(rng, filler.length)]!));
    const planted = label === 0 && i % 60 === 0;
    if (planted) words.splice(randInt(rng, words.length), 0, 'qzv');
    rows.push(`${words.join(' ')}\t${planted ? 1 : label}`);
  }
  return rows.join('\n') + '\n';
}

describe('a scan with its significance lines set', () => {
  it('writes the lines it graded by into report.html', async () => {
    const data = join(dir, 'planted.tsv');
    await writeFile(data, plantedRows(3));
    const sentence = async (out: string, set: string[]): Promise<string> => {
      expect((await runCli(['scan', data, '-o', out, '-q', '--fail-on', 'never', '--detectors', 'trigger-token', ...set])).code).toBe(0);
      const html = await readFile(join(out, 'report.html'), 'utf8');
      const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { findings: Finding[] };
      expect(report.findings.find((f) => f.evidence.trigger === 'qzv')?.severity).toBe('high');
      const m = /Significance [^<]* \(medium from [^<]*\)\./.exec(html);
      expect(m).not.toBeNull();
      return m![0].slice(m![0].indexOf('('));
    };
    expect(await sentence(join(dir, 'default'), [])).toBe('(medium from 2, high from 4).');
    expect(await sentence(join(dir, 'set'), ['--set', 'trigger-token.mediumSignificance=1.5', '--set', 'trigger-token.highSignificance=3.5'])).toBe('(medium from 1.5, high from 3.5).');
  });
});
