import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, imageScores, type Assessed } from '../src/detect/trigger-cluster.js';

/** A low group of the given images, as the detector's checks leave it. */
function lowGroup(images: number[], why: Assessed['why']): Assessed {
  const k = images.length;
  const g = {
    size: 4, atPlace: true, images: Int32Array.from(images), x: new Uint16Array(k), y: new Uint16Array(k),
    score: new Float32Array(k).fill(3), reach: new Float32Array(k), next: new Float32Array(k),
  };
  return { g, severity: 'low', score: 0.49, outside: 60, why, enrichment: null };
}

describe('trigger-cluster image scores', () => {
  // Images 0-3 share a window scoring 3.2 (a group the checks explain); image 4's best window scores 2.4 and
  // belongs to no group (a backdoor's copies below the line); image 5 has no window.
  const best = Float32Array.from([3.2, 3.2, 3.2, 3.2, 2.4, 0]);
  const rank = (scores: Float32Array) => [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b);

  it('ranks the images of a group that a natural cause explains below unexplained images of weaker windows', () => {
    for (const why of ['alike', 'mixed', 'typical'] as const) {
      const labels = why === 'mixed' ? ['x', 'y', 'x', 'y', 'x', 'x'] : ['x', 'x', 'x', 'x', 'x', 'x'];
      const s = imageScores(best, [lowGroup([0, 1, 2, 3], why)], [], labels, DEFAULT_PARAMS);
      expect(rank(s).slice(0, 1), why).toEqual([4]);
      expect(s[0]!, why).toBeGreaterThan(s[5]!);
      expect(s[0]!, why).toBeLessThan(0.5);
    }
  });

  it('keeps the rank of a low group that no cause explains, and of a mixed group\'s 3+ images of one label', () => {
    const unexplained = imageScores(best, [lowGroup([0, 1, 2, 3], null)], [], ['x', 'x', 'x', 'x', 'x', 'x'], DEFAULT_PARAMS);
    expect(rank(unexplained).slice(0, 4).sort()).toEqual([0, 1, 2, 3]);
    // Three images of "x" beside one natural look-alike of "y": the "x" part may be a backdoor's.
    const mixed = { ...lowGroup([0, 1, 2, 3], 'mixed') };
    const s = imageScores(best, [mixed], [], ['x', 'x', 'y', 'x', 'x', 'x'], DEFAULT_PARAMS);
    expect(rank(s).slice(0, 3).sort()).toEqual([0, 1, 3]);
    expect(s[2]!).toBeLessThan(s[4]!);
  });

  it('keeps a finding\'s score for its images that another group, explained, also holds', () => {
    const finding: Assessed = { ...lowGroup([0, 1, 4], null), severity: 'medium', score: 0.7 };
    const s = imageScores(best, [finding], [lowGroup([0, 2, 3], 'alike')], ['x', 'x', 'x', 'x', 'x', 'x'], DEFAULT_PARAMS);
    expect([s[0], s[1], s[4]].every((v) => v! >= 0.63)).toBe(true);
    expect(s[2]!).toBeLessThan(0.45 * (3.2 / (3.2 + DEFAULT_PARAMS.minScore)));
  });
});
