// Modality variants are registered entries of their own under one name: at most one of a name applies to a scan,
// and the names, --detectors and the report's detectors not run count a name once.
import { describe, expect, it } from 'vitest';
import { DETECTORS, DETECTOR_NAMES, detectorsFor } from '../src/detect/registry.js';
import type { ScanContext } from '../src/detect/detector.js';
import type { ImageFeatures } from '../src/model/image-features.js';
import { coverageOf } from '../src/report/coverage.js';
import { silentProgress } from '../src/util/progress.js';

const ids = ['a', 'b', 'c', 'd'];
const text = ['one text', 'two texts', 'three texts', 'four texts'];
const ctx = (c: Partial<ScanContext>): ScanContext => ({ modality: 'text', ids, labels: ids.map(() => null), seed: 1, concurrency: 1, progress: silentProgress, ...c });
/** Detectors only ask whether there are images; the features themselves are never read here. */
const images = {} as ImageFeatures;

const scans: [string, ScanContext][] = [
  ['labelled images', ctx({ modality: 'image', images, labels: ['x', 'y', 'x', 'y'] })],
  ['images with captions', ctx({ modality: 'image-text', images, texts: { text } })],
  ['labelled texts', ctx({ texts: { text }, labels: ['0', '1', '0', '1'] })],
  ['documents', ctx({ texts: { text } })],
  ['instruction pairs', ctx({ modality: 'instruction', texts: { prompt: text, response: text } })],
];

describe('modality variants', () => {
  it('registers more entries than names, each name once in DETECTOR_NAMES', () => {
    expect(DETECTORS.length).toBeGreaterThan(DETECTOR_NAMES.length);
    expect(new Set(DETECTOR_NAMES).size).toBe(DETECTOR_NAMES.length);
    expect([...new Set(DETECTORS.map((d) => d.name))]).toEqual(DETECTOR_NAMES);
  });

  it.each(scans)('runs at most one variant of a name on %s', (_, c) => {
    const names = detectorsFor(c).map((d) => d.name);
    expect(names).toEqual([...new Set(names)]);
  });

  it('picks the variant that fits the data', () => {
    const of = (c: ScanContext, name: string) => detectorsFor(c, [name]);
    const [images, , labelled, documents] = scans.map((s) => s[1]);
    expect(of(images!, 'near-duplicate')).not.toEqual(of(labelled!, 'near-duplicate'));
    expect(of(labelled!, 'trigger-token')).toHaveLength(1);
    expect(of(documents!, 'trigger-token')).toHaveLength(1);
    expect(of(labelled!, 'trigger-token')).not.toEqual(of(documents!, 'trigger-token'));
  });

  it('lists a name not run once in the report\'s coverage', () => {
    const c = coverageOf({ modality: 'image', all: DETECTORS, ran: ['trigger-cluster'], skipped: 0 });
    const names = c.notRun.map((n) => n.detector);
    expect(names).toEqual([...new Set(names)]);
    expect(names).toEqual(DETECTOR_NAMES.filter((n) => n !== 'trigger-cluster'));
  });
});
