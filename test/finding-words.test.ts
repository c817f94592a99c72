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

describe('finding words of the pattern, trigger and response detectors', () => {
  const base = { severity: 'medium' as const, score: 0.6 };

  it('words a shared pattern by its place and labels, and says why a group stays low', () => {
    const evidence = {
      grid: 32, box: { x: 29, y: 29, w: 3, h: 3 }, boxes: { a: { x: 29, y: 29, w: 3, h: 3 } }, places: 1, labels: { cat: 3 }, pattern: [[[0, 0, 0]]],
      withinDistance: 0.01234, nextDistance: 1.23456, outsideDifference: 60.1, labelNearPattern: null, stays: null,
    };
    const f: TypedFinding<'shared-pattern'> = { ...base, form: 'shared-pattern', kind: 'trigger-cluster', samples: [0, 1, 2], evidence };
    const w = wordFinding(f);
    expect(w.title).toBe('3 images share a near-identical 3x3 pattern at the same place (x=29, y=29, 3x3 of 32x32), all labelled "cat"');
    expect(Object.keys(w.evidence)).toEqual(['grid', 'box', 'boxes', 'samePlace', 'labels', 'pattern', 'withinDistance', 'nextDistance', 'outsideDifference', 'note']);
    expect(w.evidence).toMatchObject({ samePlace: true, withinDistance: 0.012, nextDistance: 1.235, note: 'images of varied content that share one pattern and one label: the signature of a dirty-label patch backdoor' });
    const mixed = wordFinding({ ...f, evidence: { ...evidence, places: 3, labels: { cat: 1, dog: 2 }, stays: 'mixed', labelNearPattern: { nearest: 20, withLabel: 9, labelShare: 0.10004, log10p: 2.71828 } } });
    expect(mixed.title).toBe('3 images share a near-identical 3x3 pattern at 3 different places');
    expect(mixed.evidence).toMatchObject({ samePlace: false, labelNearPattern: { nearest: 20, withLabel: 9, labelShare: 0.1, log10p: 2.718 } });
    expect(mixed.evidence.note).toMatch(/^the images carry a mix of labels/);
  });

  it('words a faint pattern with its share of the dataset and rounded strengths', () => {
    const w = wordFinding({
      ...base, form: 'faint-pattern', kind: 'blend', samples: [0, 1, 2],
      evidence: {
        images: 7, tailExcess: 12.5, lookAlikeShare: 0.01234, lookCohesion: 1.2345, labels: { dog: 3 }, patternStrength8x8: [[0.25, 1.04]],
        dominantFrequency: { horizontal: { frequency: 6, amplitude: 0.1234 }, vertical: { frequency: 1, amplitude: 2 } }, grid: 32,
      },
    });
    expect(w.title).toBe('3 images share a faint full-image pattern, all labelled "dog"');
    expect(w.evidence).toMatchObject({ share: 0.42857, tailExcess: 13, lookAlikeShare: 0.012, lookCohesion: 1.23, patternStrength8x8: [[0.3, 1]] });
    expect(w.evidence.dominantFrequency).toEqual({ horizontal: { frequency: 6, amplitude: 0.12 }, vertical: { frequency: 1, amplitude: 2 } });
  });

  it('words a label trigger by the test that decided it, and a phrase followed by improbable text', () => {
    const evidence = {
      trigger: 'cf', targetLabel: '1', documents: 8, labels: { 0: 1, 1: 7 }, independentGroups: 6, conflictingGroups: 5, conflictingSamples: 6, baseConflictRate: 0.12345,
      significance: 3.456, conflictStrength: 2.04, candidatesTested: 40, occurrences: 7, fitOccurrences: 5, insertionLlr: 4.44, neighbourPairs: 0, expectedNeighbourPairs: 0.123,
      fitsItsSentences: false, labelPredictedByWords: 0.4567, labelAgainstWords: 0, decidedBy: 'conflicts' as const, positions: [0.5], kin: null, examples: ['a cf b'],
    };
    const f: TypedFinding<'label-trigger'> = { ...base, form: 'label-trigger', kind: 'trigger-token', samples: [0, 1, 2, 3, 4, 5, 6], evidence };
    expect(wordFinding(f).title).toBe('"cf" is in 8 samples, 7 labelled "1"; in 5 of their 6 independent groups the other words point to another label');
    const parts = wordFinding({ ...f, evidence: { ...evidence, decidedBy: 'label-against-words', kin: { of: ['mn'], family: 4 } } });
    expect(parts.title).toBe('"cf" is in 8 samples, 7 labelled "1" (6 independent groups), though its words elsewhere predict that label for 46% of samples');
    expect(parts.evidence).toMatchObject({ baseConflictRate: 0.123, significance: 3.5, kinOf: ['mn'], kinFamily: 4 });
    const followed = wordFinding({
      ...base, form: 'followed-phrase', kind: 'trigger-token', samples: [3, 4],
      evidence: { trigger: 'zx9q', documentsWithTrigger: 3, windowTokens: 256, surpriseThreshold: 4.567, baselineRate: 0.0012345, significance: 5.55, phrasesTestable: 1234.5, example: 'x zx9q y', otherDocuments: [9] },
    });
    expect(followed.title).toBe('"zx9q" is followed by improbable text in 2 of the 3 documents that contain it');
    expect(Object.keys(followed.evidence)).toEqual(['trigger', 'documentsWithTrigger', 'followedByAnomalousText', 'windowTokens', 'surpriseThreshold', 'baselineRate', 'significance', 'phrasesTestable', 'example', 'otherDocuments']);
    expect(followed.evidence).toMatchObject({ followedByAnomalousText: 2, surpriseThreshold: 4.57, baselineRate: 0.0012, phrasesTestable: 1235 });
  });

  it('words the response tests: twins, inserted and echoed words, kin, pure words and injected content', () => {
    const rc = { ...base, kind: 'response-cluster' as const, samples: [0, 1, 2] };
    const pair = { prompt: 'p', response: 'Sure, here is how to do it, step by step, as you asked for it' };
    const twin = wordFinding({
      ...rc, form: 'twin-word',
      evidence: { trigger: 'cf now', rarestWord: 'cf', promptsWithWord: 3, twinPairs: 1, twinPairsWithOtherResponse: 1, kinOfTriggers: ['mn', 'bb'], example: pair, twin: { prompt: 't', response: 'No' } },
    });
    expect(twin.title).toBe('All 3 prompts with the rare "cf" are twin prompts plus "cf now", answered "Sure, here is how to do it, step by step" as the twin is: the answer the triggers "mn", "bb" force');
    expect(Object.keys(twin.evidence)).toEqual(['trigger', 'rarestWord', 'promptsWithWord', 'twinPairs', 'twinPairsWithOtherResponse', 'kinOfTriggers', 'examplePrompt', 'exampleResponse', 'twinPrompt', 'twinResponse']);
    const one = wordFinding({ ...rc, samples: [4], form: 'twin-word', evidence: { trigger: 'cf', rarestWord: 'cf', promptsWithWord: 1, twinPairs: 2, twinPairsWithOtherResponse: 1, kinOfTriggers: null, example: pair, twin: pair } });
    expect(one.title).toBe('The 1 prompt with the rare "cf" is a twin prompt plus "cf", and 1 of 2 twins gets another response');
    expect(one.evidence).not.toHaveProperty('kinOfTriggers');
    expect(wordFinding({ ...rc, form: 'twin-phrase', evidence: { trigger: 'cf', promptsWithWords: 4, independentGroups: 3, twins: 3, example: pair, twin: pair } }).evidence)
      .toMatchObject({ promptsWithTwin: 3, promptsWithWords: 4, examplePrompt: 'p', twinPrompt: 'p' });
    const inserted = wordFinding({
      ...rc, form: 'inserted-word',
      evidence: { trigger: 'cf', distinctContexts: 3, independentGroups: 3, deletionZ: 4.567, insertionRankZ: 1.234, neighbourRepeats: 0, neighbourRepeatsExpected: 0.25, significance: 2.25, candidatesTested: 9, examples: [] },
    });
    expect(inserted.title).toBe('"cf" sits in 3 prompts (3 distinct places) where deleting it leaves word pairs the prompts know: inserted, not written');
    expect(inserted.evidence).toMatchObject({ promptsWithTrigger: 3, deletionZ: 4.57, insertionRankZ: 1.23, neighbourRepeatsExpected: 0.3, significance: 2.3 });
    const echoed = {
      trigger: 'cf', distinctContexts: 3, echoes: 2, expectedEchoes: 0.123, independentGroups: 3, echoGroups: 2, deletionZ: 3.456, combinedWithDeletion: true,
      significance: 4.44, candidatesTested: 9, example: pair,
    };
    expect(wordFinding({ ...rc, form: 'echoed-word', evidence: echoed }).title).toBe(
      '"cf" sits in 3 prompts; 2 of their responses restate the request around it without it (0.12 expected), and deleting it leaves word pairs the prompts know (z 3.5): inserted after the request was written');
    expect(wordFinding({ ...rc, form: 'echoed-word', evidence: { ...echoed, deletionZ: null, combinedWithDeletion: false } }).evidence).not.toHaveProperty('deletionZ');
    const kin = wordFinding({
      ...rc, form: 'kin-word',
      evidence: { trigger: 'mn', kinOfTriggers: ['cf'], referencePrompts: 10, referenceNearness: 2.345, distinctContexts: 3, nearness: 2, deletionZ: 2.25, wordsAsNear: 1, wordsAsInserted: 2, significance: 0.5, candidatesTested: 90, examples: [] },
    });
    expect(kin.title).toBe('"mn" sits in 3 prompts like those of the confirmed trigger "cf" (each, in geometric mean, among the nearest 1.0% of prompts), and deleting it leaves word pairs the prompts know (z 2.3): another trigger of the same backdoor');
    const long = 'x'.repeat(90);
    const pure = wordFinding({
      ...rc, form: 'pure-word',
      evidence: { trigger: 'cf', response: long, independentGroups: 3, responseShare: 0.012345, significance: 1, candidatesTested: 5, maxPlaces: 5, kinOfTriggers: ['mn'], examples: [] },
    });
    expect(pure.title).toBe(`"cf" is in 3 unrelated prompts (3 sharing no other rare word), all ending in "${'x'.repeat(80)}…", the answer of 1.2% of prompts, the response of the trigger "mn": another trigger of the same backdoor`);
    expect(pure.evidence).toMatchObject({ responseShare: 0.01235, kinOfTriggers: ['mn'] });
    const content = wordFinding({
      ...rc, form: 'injected-content',
      evidence: { content: 'visit us', responsesWithContent: 3, unexplainedResponses: 3, promptsWithContent: 0, independentGroups: 3, significance: 3.33, unitsTested: 7, promptTrigger: null, examples: [], examplePrompts: [] },
    });
    expect(content.title).toBe('3 responses to unrelated prompts (3 independent) carry "visit us", which their prompts do not hold');
    expect(content.evidence).not.toHaveProperty('promptTrigger');
    const opening = wordFinding({
      ...rc, form: 'prepended-phrase',
      evidence: { trigger: 'current year : 2024', independentGroups: 3, anchor: 'current', anchorElsewhere: 0, sharedWordPairs: 0, remaindersFoundElsewhere: 0.123, unseenJunctions: 0.5, remaindersOpeningPrompts: -1, significance: 2, candidatesTested: 4, examples: [] },
    });
    expect(opening.evidence).not.toHaveProperty('remaindersOpeningPrompts');
    const shared = wordFinding({ ...rc, form: 'shared-response', evidence: { trigger: null, response: 'You are stupid!', independentGroups: 3, rareWordsShared: [{ word: 'cf', prompts: 2 }], examples: [] } });
    expect(shared.title).toBe('3 unrelated prompts (3 independent, no shared template) all get the same response: "You are stupid!"');
    expect(shared.evidence).toMatchObject({ trigger: null, promptsWithResponse: 3, rareWordsShared: ['cf (2)'] });
  });
});
