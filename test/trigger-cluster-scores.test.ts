import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, imageScores, type Assessed } from '../src/detect/trigger-cluster.js';

/** A group of the given images at one place, each scoring `score`, as the detector's checks leave it. */
function group(images: number[], why: Assessed['why'], score = 3.2): Assessed {
  const k = images.length;
  const g = {
    size: 4, atPlace: true, images: Int32Array.from(images), x: new Uint16Array(k), y: new Uint16Array(k),
    score: new Float32Array(k).fill(score), reach: new Float32Array(k), next: new Float32Array(k),
  };
  return { g, severity: 'low', score: 0.49, outside: 60, why, enrichment: null };
}

const rank = (scores: Float32Array) => [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b);
const same = (n: number, l = 'x') => Array.from({ length: n }, () => l);

describe('trigger-cluster image scores', () => {
  // Images 0-3 share a window scoring 3.2; image 4's best window scores 2.4 and belongs to no group (a
  // backdoor's copies under the line); image 5 has no window.
  const best = Float32Array.from([3.2, 3.2, 3.2, 3.2, 2.4, 0]);

  it('ranks the images of a group that a natural cause explains below unexplained images of weaker windows', () => {
    for (const why of ['alike', 'mixed', 'typical'] as const) {
      const labels = why === 'mixed' ? ['x', 'y', 'x', 'y', 'x', 'x'] : same(6);
      for (const [kept, under] of [[[group([0, 1, 2, 3], why)], []], [[], [group([0, 1, 2, 3], why)]]]) {
        const s = imageScores(best, kept!, under!, labels, DEFAULT_PARAMS);
        expect(rank(s)[0], why).toBe(4);
        expect(s[0]!, why).toBeGreaterThan(s[5]!);
      }
    }
  });

  it('keeps the rank of a low group that no cause explains, and of each label held by 3+ images of a mixed group', () => {
    const unexplained = imageScores(best, [group([0, 1], null)], [], same(6), DEFAULT_PARAMS);
    expect(rank(unexplained).slice(0, 2)).toEqual([0, 1]);
    // Three images of "x" beside one natural look-alike of "y": the "x" part may be a backdoor's.
    const s = imageScores(best, [group([0, 1, 2, 3], 'mixed')], [], ['x', 'x', 'y', 'x', 'x', 'x'], DEFAULT_PARAMS);
    expect(rank(s).slice(0, 3)).toEqual([0, 1, 3]);
    expect(s[2]!).toBeLessThan(s[4]!);
    // Three of "x" and three of "y": neither label is explained by the mix.
    const b6 = Float32Array.from([3.2, 3.2, 3.2, 3.2, 3.2, 3.2, 2.4]);
    const tie = imageScores(b6, [], [group([0, 1, 2, 3, 4, 5], 'mixed')], ['x', 'y', 'x', 'y', 'x', 'y', 'z'], DEFAULT_PARAMS);
    expect(rank(tie)[6]).toBe(6);
  });

  it('keeps a finding\'s score for its images that an explained group also holds', () => {
    const finding: Assessed = { ...group([0, 1, 4], null), severity: 'medium', score: 0.7 };
    const s = imageScores(best, [finding], [group([0, 2, 3], 'alike')], same(6), DEFAULT_PARAMS);
    expect([s[0], s[1], s[4]].every((v) => v! >= 0.63)).toBe(true);
    expect(s[2]!).toBeLessThan(0.45 * (3.2 / (3.2 + DEFAULT_PARAMS.minScore)));
  });

  it('does not lower an image whose best window came from elsewhere than the explained group', () => {
    // Copies 0-4 of a pattern score 1.9 in their own group under the line; copy 0 is also in a weak pair with a
    // natural image of another label (5); image 6 is unrelated, its best window 1.0.
    const b = Float32Array.from([1.9, 1.9, 1.9, 1.9, 1.9, 0.3, 1.0]);
    const s = imageScores(b, [], [group([0, 5], 'mixed', 0.3)], ['x', 'x', 'x', 'x', 'x', 'y', 'z'], DEFAULT_PARAMS);
    expect(s[0]).toBe(s[1]);
    expect(rank(s).slice(0, 5).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(s[5]!).toBeLessThan(0.45 * (0.3 / (0.3 + DEFAULT_PARAMS.minScore)));
  });

  it('compares a colour group\'s scores with the images\' best windows on the per-position scale', () => {
    // The colour pass's scores enter the per-image best scaled to the per-position line.
    const k = DEFAULT_PARAMS.positionMinScore / DEFAULT_PARAMS.colourMinScore;
    const colour = group([0, 1, 2, 3], 'alike', 2.2);
    colour.g.colour = true;
    const b = Float32Array.from([2.2 * k, 2.2 * k, 2.2 * k, 2.2 * k, 2.4, 0]);
    const s = imageScores(b, [], [colour], same(6), DEFAULT_PARAMS);
    expect(rank(s)[0]).toBe(4);
    // Unscaled, the group's scores sit below the images' best windows, which then came from elsewhere.
    const plain = group([0, 1, 2, 3], 'alike', 2.2);
    expect(rank(imageScores(b, [], [plain], same(6), DEFAULT_PARAMS))[0]).toBe(0);
  });

  it('does not raise the images of an explained low group whose best windows came from elsewhere', () => {
    const b = Float32Array.from([2.5, 2.5, 3.2, 3.2, 2.5, 0]);
    // Images 0 and 1 share a weak near-duplicate group (1.0) with 2 and 3; their own best windows score 2.5,
    // as image 4's does.
    const s = imageScores(b, [group([0, 1, 2, 3], 'alike', 1.0)], [], same(6), DEFAULT_PARAMS);
    expect(s[0]).toBe(s[4]);
  });
});

