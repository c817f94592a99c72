// report.html reads a typed finding through its form, and a finding without one (a re-used draft) through
// report.json's evidence: both say the same, figures rounded as report.json gives them; report.json never holds the form.
import { describe, expect, it } from 'vitest';
import { combine } from '../src/report/combine.js';
import { findingPage } from '../src/report/html-evidence.js';
import type { FindingForm, TypedFinding } from '../src/model/evidence.js';
import type { Finding } from '../src/types.js';

const base = { severity: 'medium' as const, score: 0.61234, samples: [0, 1, 2] };
const rc = { ...base, kind: 'response-cluster' as const };
const pair = { prompt: 'p', response: 'r' };
const box = { x: 29, y: 29, w: 3, h: 3 };
const trigger = { form: 'shared-pattern', kind: 'trigger-cluster' } as const;

/** One finding of every form (the type asks for each), with figures whose rounding matters (2.345 is 2.3 at one decimal, 2.35 at three digits). */
const EXAMPLES: { [F in FindingForm]: TypedFinding<F> } = {
  'image-copies': { ...base, form: 'image-copies', kind: 'label-conflict', evidence: { labels: { cat: 2, dog: 1 }, maxHamming: 4 } },
  'text-copies-labels': { ...base, form: 'text-copies-labels', kind: 'label-conflict', evidence: { labels: { a: 2, b: 1 }, exactCopies: true, minJaccard: 0.9, example: 'x' } },
  'text-copies': { ...base, form: 'text-copies', kind: 'near-duplicate', evidence: { minJaccard: 0.9, example: 'x', groupsInDataset: 2 } },
  'image-outliers': { ...base, form: 'image-outliers', kind: 'outlier', evidence: { robustZ: { a: 9.87 }, statistic: { a: 'mean' } } },
  'class-outliers': { ...base, form: 'class-outliers', kind: 'spectral-signature', evidence: { setup: { dimensions: 8 }, class: null, classSize: 50, flagged: 3, maxZ: 9.87, zCut: 8 } },
  'label-conflict': {
    ...base, form: 'label-conflict', kind: 'label-conflict',
    evidence: { class: 'ship', classSize: 100, conflicts: 3, expected: 0.5432, z: 7.25, zCut: 6, otherClassesRateSpread: 0.01, lookingLikeIt: 1.06, lookLike: { cat: 3 }, threshold: 0.3, k: 10, folds: 5, knn: 'brute' },
  },
  'activation-cluster': { ...base, form: 'activation-cluster', kind: 'activation-clustering', evidence: { class: 'cat', classSize: 40, clusterSize: 3, silhouette: 0.456, components: 2 } },
  'provenance-cluster': { ...base, form: 'provenance-cluster', kind: 'provenance', evidence: { facet: 'size', value: '64x64', majority: '32x32', majoritySize: 9, class: 'cat', classSize: 12, elsewhere: 0 } },
  'provenance-singles': { ...base, form: 'provenance-singles', kind: 'provenance', evidence: { facet: 'created', values: { a: '2020-01-01' } } },
  'text-anomaly': { ...base, form: 'text-anomaly', kind: 'text-anomaly', evidence: { anomaly: 'bidi', samples: 3, examples: [{ id: 'a', field: 'text', found: 'U+202E' }] } },
  'cross-modal': {
    ...base, form: 'cross-modal', kind: 'cross-modal',
    evidence: {
      concept: 'banana', captionsWithConcept: 3, clusterSize: 3, datasetCaptionsWithConcept: 7, captions: 240, log10p: -9.04, triggerDetector: 'trigger-cluster',
      trigger: { kind: 'trigger-cluster', severity: 'high', score: 0.9, title: '3 images share a pattern', samples: [0, 1, 2], evidence: {} },
    },
  },
  'shared-pattern': {
    ...base, ...trigger,
    evidence: {
      grid: 32, box, boxes: { a: box, b: { ...box, x: 0 } }, places: 2, labels: { cat: 3 }, pattern: [[[0, 0, 0]]], withinDistance: 0.012345, nextDistance: 1.23456,
      outsideDifference: 60.1234, labelNearPattern: null, stays: null,
    },
  },
  'faint-pattern': {
    ...base, form: 'faint-pattern', kind: 'blend',
    evidence: {
      images: 7, tailExcess: 12.5, lookAlikeShare: 0.01, lookCohesion: 1.2, labels: { dog: 2, cat: 1 }, patternStrength8x8: [[0.25]],
      dominantFrequency: { horizontal: { frequency: 6, amplitude: 0.1 }, vertical: { frequency: 1, amplitude: 2 } }, grid: 32,
    },
  },
  'label-trigger': {
    ...base, form: 'label-trigger', kind: 'trigger-token',
    evidence: {
      trigger: 'cf', targetLabel: '1', documents: 8, labels: { 0: 1, 1: 7 }, independentGroups: 6, conflictingGroups: 5, conflictingSamples: 6, baseConflictRate: 0.1,
      significance: 2.345, conflictStrength: 2, candidatesTested: 40, occurrences: 7, fitOccurrences: 5, insertionLlr: 4.4, neighbourPairs: 0, expectedNeighbourPairs: 0.1,
      fitsItsSentences: true, labelPredictedByWords: 0.45, labelAgainstWords: 0, decidedBy: 'conflicts', positions: [0.5], kin: null, examples: ['a cf b'],
    },
  },
  'followed-phrase': {
    ...base, form: 'followed-phrase', kind: 'trigger-token',
    evidence: { trigger: 'zx9q', documentsWithTrigger: 3, windowTokens: 256, surpriseThreshold: 4.5, baselineRate: 0.001, significance: 12.345, phrasesTestable: 1234, example: 'x zx9q y', otherDocuments: [9] },
  },
  'response-phrase': {
    ...rc, form: 'response-phrase',
    evidence: {
      trigger: 'cf', response: 'r', promptsWithTrigger: 3, promptsWithResponse: 3, responseShare: 0.01, responseShareAmongLikePrompts: 0.01, independentGroups: 3,
      groupsEndingInResponse: 3, significance: 2.345, candidatesTested: 9, insertionLlr: 1, endsItsPrompts: false, sharedWordPairs: 0, responseInPrompts: false,
      fitsItsPrompts: false, contentAgreesWithResponse: null, labelReadOffPrompts: null, examples: [],
    },
  },
  'shared-response': { ...rc, form: 'shared-response', evidence: { trigger: null, response: 'r', independentGroups: 3, rareWordsShared: [], examples: [] } },
  'twin-phrase': { ...rc, form: 'twin-phrase', evidence: { trigger: 'cf', promptsWithWords: 4, independentGroups: 3, twins: 3, example: pair, twin: pair } },
  'twin-word': { ...rc, form: 'twin-word', evidence: { trigger: 'cf now', rarestWord: 'cf', promptsWithWord: 3, twinPairs: 1, twinPairsWithOtherResponse: 1, kinOfTriggers: null, example: pair, twin: pair } },
  'inserted-word': {
    ...rc, form: 'inserted-word',
    evidence: { trigger: 'cf', distinctContexts: 3, independentGroups: 3, deletionZ: 4.5, insertionRankZ: 1.2, neighbourRepeats: 0, neighbourRepeatsExpected: 0.25, significance: 2.25, candidatesTested: 9, examples: [] },
  },
  'echoed-word': {
    ...rc, form: 'echoed-word',
    evidence: { trigger: 'cf', distinctContexts: 3, echoes: 2, expectedEchoes: 0.1, independentGroups: 3, echoGroups: 2, deletionZ: null, combinedWithDeletion: false, significance: 4.44, candidatesTested: 9, example: pair },
  },
  'prepended-phrase': {
    ...rc, form: 'prepended-phrase',
    evidence: { trigger: 'current year', independentGroups: 3, anchor: 'current', anchorElsewhere: 0, sharedWordPairs: 0, remaindersFoundElsewhere: 0.1, unseenJunctions: 0.5, remaindersOpeningPrompts: -1, significance: 2, candidatesTested: 4, examples: [] },
  },
  'pure-word': { ...rc, form: 'pure-word', evidence: { trigger: 'cf', response: 'r', independentGroups: 3, responseShare: 0.01, significance: 1.05, candidatesTested: 5, maxPlaces: 5, kinOfTriggers: null, examples: [] } },
  'kin-word': {
    ...rc, form: 'kin-word',
    evidence: { trigger: 'mn', kinOfTriggers: ['cf'], referencePrompts: 10, referenceNearness: 2.3, distinctContexts: 3, nearness: 2, deletionZ: 2.25, wordsAsNear: 1, wordsAsInserted: 2, significance: 0.55, candidatesTested: 90, examples: [] },
  },
  'injected-content': {
    ...rc, form: 'injected-content',
    evidence: { content: 'visit us', responsesWithContent: 3, unexplainedResponses: 3, promptsWithContent: 0, independentGroups: 3, significance: 3.345, unitsTested: 7, promptTrigger: null, examples: [], examplePrompts: [] },
  },
};

/** Each example as combine() numbers it, under the detector that makes its form. */
function numbered(): Finding[] {
  const ids = ['a', 'b', 'c'];
  const detectorOf = (f: TypedFinding): string => (f.form === 'shared-pattern' ? 'trigger-cluster' : f.form === 'faint-pattern' ? 'blend' : f.form === 'image-copies' || f.form === 'text-copies-labels' ? 'near-duplicate' : f.kind);
  const outputs = Object.values(EXAMPLES).map((f) => ({ detector: detectorOf(f), output: { scores: new Float32Array(3), findings: [f] } }));
  return combine(ids, outputs).findings;
}

describe('what report.html says about a finding', () => {
  it('keeps the typed finding in memory only: report.json lists the worded evidence', () => {
    for (const f of numbered()) {
      expect(f.typed).toBeDefined();
      const json = JSON.parse(JSON.stringify(f)) as Finding;
      expect(json).not.toHaveProperty('typed');
      expect(Object.keys(f)).not.toContain('typed');
    }
  });

  it('says the same from the typed evidence of every form as from its report.json evidence', () => {
    const findings = numbered();
    expect(new Set(findings.map((f) => f.typed!.form)).size).toBe(Object.keys(EXAMPLES).length);
    for (const f of findings) {
      const typed = findingPage(f, undefined);
      const draft = findingPage({ ...f }, undefined); // a copy lists enumerable fields only: no form, as a re-used draft
      expect(draft.why, f.typed!.form).toEqual(typed.why);
      expect(draft.label, f.typed!.form).toBe(typed.label);
      for (const id of ['a', 'b', 'c']) expect(draft.box(id), f.typed!.form).toEqual(typed.box(id));
      // cross-modal's trigger is the image pattern, not words of its captions: nothing to mark in a text.
      if (f.typed!.form !== 'cross-modal') expect(draft.trigger, f.typed!.form).toBe(typed.trigger);
    }
  });

  it('quotes the figures as report.json rounds them', () => {
    const byForm = new Map(numbered().map((f) => [f.typed!.form, findingPage(f, undefined)]));
    expect(byForm.get('label-trigger')!.why).toEqual([
      'Significance 2.3: a pattern this strong among independent samples has a chance of about 1 in 10^2.3 (medium from 2, high from 4).',
      '6 independent groups of samples carry it; in 5 the rest of the text points to another label (at least 3 are needed).',
      'It reads as a natural part of its sentences, so it stays low.',
    ]);
    expect(byForm.get('label-trigger')!.label).toBe('1');
    expect(byForm.get('shared-pattern')!.why[1]).toBe('The copies lie within 0.012 of each other; the nearest other pattern is 1.24 away (103.3 times further).');
    expect(byForm.get('shared-pattern')!.box('b')).toEqual({ ...box, x: 0 });
    expect(byForm.get('shared-pattern')!.box('c')).toEqual(box);
    expect(byForm.get('faint-pattern')!.label).toBe('mixed');
    expect(byForm.get('faint-pattern')!.why[0]).toMatch(/^3 images carry the faint pattern, 13 more than chance/);
    expect(byForm.get('twin-word')!.why).toEqual(['Medium by the response-cluster detector (score 0.6123).']);
    expect(byForm.get('cross-modal')!.trigger).toBeNull();
  });
});
