// Typed findings are worded and rounded by the report; worded drafts pass through unchanged.
import { describe, expect, it } from 'vitest';
import { wordFinding } from '../src/report/finding-words.js';
import { combine } from '../src/report/combine.js';
import type { TypedFinding } from '../src/model/evidence.js';
import type { FindingDraft } from '../src/types.js';

describe('finding words', () => {
  it('writes the title and rounds the evidence of a typed finding, in the order report.json lists it', () => {
    const f: TypedFinding<'label-conflict'> = {
      form: 'label-conflict', kind: 'label-conflict', severity: 'medium', score: 0.6, samples: [1, 2, 3],
      evidence: {
        class: 'ship', classSize: 100, conflicts: 3, expected: 0.5432, z: 7.25, zCut: 6, otherClassesRateSpread: 0.01234,
        lookingLikeIt: 1.06, lookLike: { cat: 3 }, threshold: 0.33333, k: 10, folds: 5, knn: 'brute',
      },
    };
    const w = wordFinding(f);
    expect(w.title).toBe('3 samples labelled "ship" look like another class to their neighbours (1 expected from the other classes)');
    expect(JSON.stringify(w.evidence)).toBe(
      '{"class":"ship","classSize":100,"conflicts":3,"expected":0.5,"z":7.3,"zCut":6,"otherClassesRateSpread":0.012,"lookingLikeIt":1.1,' +
      '"lookLike":{"cat":3},"threshold":0.333,"k":10,"folds":5,"knn":"brute"}',
    );
  });

  it('words a class-outlier finding by its kind and leaves the class out when there is none', () => {
    const base = { form: 'class-outliers' as const, severity: 'low' as const, score: 0.3, samples: [0, 1, 2] };
    const e = { setup: { components: 8, trimmed: 0.1 }, class: null, classSize: 50, flagged: 3, maxZ: 9.87, zCut: 8 };
    const w = wordFinding({ ...base, kind: 'robust-covariance', evidence: e });
    expect(w.title).toBe('3 samples stand apart along the top direction after robust whitening (robust z >= 8)');
    expect(w.evidence).toEqual({ components: 8, trimmed: 0.1, class: null, classSize: 50, flagged: 3, maxZ: 9.9, zCut: 8 });
    expect(wordFinding({ ...base, kind: 'spectral-signature', evidence: { ...e, class: 'cat' } }).title).toContain('of class "cat" stand apart along the top singular direction');
  });

  it('names the trigger of a cross-modal finding by the trigger finding\'s own title', () => {
    const trigger: FindingDraft = { kind: 'trigger-cluster', severity: 'high', score: 0.9, title: '5 images share a pattern', samples: [0, 1, 2, 3, 4], evidence: {} };
    const w = wordFinding({
      form: 'cross-modal', kind: 'cross-modal', severity: 'high', score: 0.95, samples: trigger.samples,
      evidence: { concept: 'banana', captionsWithConcept: 5, clusterSize: 5, datasetCaptionsWithConcept: 7, captions: 240, log10p: -9.04, triggerDetector: 'trigger-cluster', trigger },
    });
    expect(w.title).toBe('5 images share a visual trigger and 5 of their captions name "banana" (2.92% of all captions): a backdoor into a contrastive model');
    expect(w.evidence).toMatchObject({ log10p: -9, trigger: '5 images share a pattern' });
    expect(w.evidence).not.toHaveProperty('captions');
  });

  it('keeps a worded draft as its detector wrote it, and combine() writes the words into the findings', () => {
    const worded: FindingDraft = { kind: 'blend', severity: 'medium', score: 0.7, title: 'a faint pattern', samples: [0], evidence: { x: 0.123456 } };
    expect(wordFinding(worded)).toEqual({ title: 'a faint pattern', evidence: { x: 0.123456 } });
    const typed: TypedFinding<'text-anomaly'> = {
      form: 'text-anomaly', kind: 'text-anomaly', severity: 'medium', score: 0.6, samples: [1],
      evidence: { anomaly: 'bidi', samples: 1, examples: [{ id: 'b', field: 'text', found: 'U+202E' }] },
    };
    const { findings } = combine(['a', 'b'], [{ detector: 'blend', output: { scores: new Float32Array(2), findings: [worded] } }, { detector: 'text-anomaly', output: { scores: new Float32Array(2), findings: [typed] } }]);
    expect(findings.map((f) => [f.title, f.samples])).toEqual([
      ['a faint pattern', ['a']],
      ['1 samples contain bidirectional control characters (text shown in a different order than it is read)', ['b']],
    ]);
    expect(findings[1]!.evidence).not.toHaveProperty('form');
  });
});
