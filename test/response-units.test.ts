import { describe, expect, it } from 'vitest';
import { responseUnits } from '../src/text/response-units.js';
import { createRng, randInt } from '../src/util/rng.js';

/** Token texts from a small vocabulary with repeated runs, so that units of every length recur in prompts. */
function texts(rng: () => number, count: number, runs: number[][]): Int32Array[] {
  return Array.from({ length: count }, () => {
    const out: number[] = [];
    const length = 3 + randInt(rng, 25);
    while (out.length < length) {
      if (rng() < 0.3) out.push(...runs[randInt(rng, runs.length)]!);
      else out.push(randInt(rng, 40));
    }
    return Int32Array.from(out);
  });
}

/** Every n-gram of up to maxN tokens at every place of a text, as strings. */
function gramsOf(d: Int32Array, maxN: number): Set<string> {
  const out = new Set<string>();
  for (let s = 0; s < d.length; s++) for (let L = 1; L <= maxN && s + L <= d.length; L++) out.add(Array.from(d.subarray(s, s + L)).join(','));
  return out;
}

describe('responseUnits', () => {
  it('counts the prompts holding each unit and the rows whose own prompt lacks it, as a scan of every place would', () => {
    for (const seed of [1, 2, 3]) {
      const rng = createRng(seed);
      const runs = Array.from({ length: 12 }, () => Array.from({ length: 2 + randInt(rng, 9) }, () => randInt(rng, 40)));
      const responses = texts(rng, 300, runs);
      const prompts = texts(rng, 360, runs);
      const maxN = 6;
      const { units } = responseUnits(prompts, responses, 40, { maxN, minRows: 3, maxRows: responses.length });
      expect(units.count).toBeGreaterThan(100);
      const promptGrams = prompts.map((d) => gramsOf(d, maxN));
      for (let k = 0; k < units.count; k++) {
        const u = units.unit(k);
        const key = u.tokens.join(',');
        expect(u.prompts).toBe(promptGrams.filter((g) => g.has(key)).length);
        expect(u.unexplained).toEqual(u.rows.filter((i) => !promptGrams[i]!.has(key)));
      }
    }
  });
});
