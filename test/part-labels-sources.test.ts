import { describe, expect, it } from 'vitest';
import { PartLabels } from '../src/text/part-labels.js';

/**
 * Word 1's other rows all carry label 1: in one corpus they are phrases cut from one sentence (one source), in the
 * other they are unrelated rows. Rows 0-5 hold the phrase "1 2" and carry label 1; filler rows balance the labels.
 */
function corpus(oneSource: boolean) {
  const docs: Int32Array[] = [];
  const labels: number[] = [];
  for (let k = 0; k < 6; k++) {
    docs.push(Int32Array.from([100 + k, 1, 2, 200 + k]));
    labels.push(1);
  }
  const sentence = [10, 11, 12, 1, 13, 14, 15];
  for (let k = 0; k < 12; k++) {
    // One sentence's phrases share the words around word 1; unrelated rows share nothing around it.
    docs.push(Int32Array.from(oneSource ? sentence.slice(k % 3, 5 + (k % 3)) : [300 + 3 * k, 301 + 3 * k, 1, 302 + 3 * k]));
    labels.push(1);
  }
  for (let k = 0; k < 40; k++) {
    docs.push(Int32Array.from([500 + k, 600 + k]));
    labels.push(k % 2);
  }
  return { docs, labels: Int32Array.from(labels) };
}

describe('part labels by independent source', () => {
  it('counts rows cut from one sentence once', () => {
    const unit = [0, 1, 2, 3, 4, 5];
    const one = corpus(true);
    const many = corpus(false);
    const pOne = new PartLabels(one.docs, one.labels, 2, 700, [1, 2]).predicted([1, 2], unit, 1);
    const pMany = new PartLabels(many.docs, many.labels, 2, 700, [1, 2]).predicted([1, 2], unit, 1);
    // Twelve unrelated rows of label 1 make the word predict label 1 (about 0.91); one sentence's twelve phrases
    // are one source, barely more than the corpus's share of label 1 (0.65).
    expect(pMany).toBeGreaterThan(0.85);
    expect(pOne).toBeLessThan(0.75);
  });
});
