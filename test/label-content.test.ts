import { describe, expect, it } from 'vitest';
import { LabelContent } from '../src/text/label-content.js';
import { createRng, randInt } from '../src/util/rng.js';

describe('label content (is a phrase\'s label read off the rest of its prompts?)', () => {
  // Tokens 0-9 lean to label a, 10-19 to label b, 20-29 are neutral; 30 a topic word of a, 31 a pool's own word.
  const build = () => {
    const rng = createRng(3);
    const docs: Int32Array[] = [];
    const keys: string[] = [];
    const topic: number[] = [];
    const pool: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = i % 2 === 0;
      const d = Array.from({ length: 10 }, () => (randInt(rng, 3) === 0 ? (a ? 0 : 10) + randInt(rng, 10) : 20 + randInt(rng, 10)));
      let key = a ? 'a' : 'b';
      if (a && i % 40 === 0) {
        d.push(30);
        topic.push(i);
      }
      if (!a && i % 50 === 1) {
        // Label b's content, answered a, with a word only these prompts share.
        d.push(31, 31, 31, 31, 31, 31);
        key = 'a';
        pool.push(i);
      }
      docs.push(Int32Array.from(d));
      keys.push(key);
    }
    const count = new Map<string, number>();
    for (const k of keys) count.set(k, (count.get(k) ?? 0) + 1);
    return { docs, keys, count, topic, pool };
  };
  const maskOf = (d: Int32Array, t: number) => Uint8Array.from(d, (x) => (x === t ? 1 : 0));

  it('reads a topic word\'s prompts as their label about as often as the label\'s own, and a pool\'s without their shared word', () => {
    const { docs, keys, count, topic, pool } = build();
    const c = new LabelContent(docs, 32, keys, count);
    expect(c.usable).toBe(true);
    const base = c.baseAgreement('a', 0.5, 3, 500)!;
    expect(base).toBeGreaterThan(0.8);
    const natural = c.agreement('a', topic, topic.map((i) => maskOf(docs[i]!, 30)), topic, 0.5, 3, 3)!;
    expect(natural).toBeGreaterThanOrEqual(0.75 * base);
    // With the pool's prompts out of the counts their own word carries no evidence: they read as b.
    const outside = c.agreement('a', pool, pool.map(() => new Uint8Array(16)), pool, 0.5, 3, 3)!;
    expect(outside).toBeLessThan(0.3);
    // Judged each with only itself out, the others teach the model that the word means a.
    const inside = pool.map((i) => c.agreement('a', [i], [new Uint8Array(16)], [i], 0.5, 3, 1)!);
    expect(inside.reduce((x, y) => x + y, 0) / pool.length).toBeGreaterThan(0.6);
    // A response no prompt share reaches is not a label.
    expect(c.agreement('zz', pool, pool.map(() => new Uint8Array(16)), pool, 0.5, 3, 3)).toBeNull();
  });

  it('reads each prompt with only itself out where labels are the answer space, and a pool\'s own word still says nothing', () => {
    const { docs, keys, count, topic, pool } = build();
    const c = new LabelContent(docs, 32, keys, count);
    expect(c.answerSpace).toBe(true);
    expect(c.share('a')).toBeCloseTo(1040 / 2000, 5);
    const base = c.baseAgreement('a', 0.5, 3, 500)!;
    const natural = c.agreementEach('a', topic, topic.map((i) => maskOf(docs[i]!, 30)), topic, 0.5, 3, 3)!;
    expect(natural).toBeGreaterThanOrEqual(0.75 * base);
    // The pool's word is held by its prompts alone: no evidence, so the rest reads as b, as with all of them out.
    const each = c.agreementEach('a', pool, pool.map(() => new Uint8Array(16)), pool, 0.5, 3, 3)!;
    expect(each).toBeLessThan(0.3);
    // Prompts that are half of their label's make its counts: not read this way.
    const half = docs.map((_, i) => i).filter((i) => keys[i] === 'a').slice(0, 520);
    expect(c.agreementEach('a', half, half.map(() => new Uint8Array(16)), half, 0.5, 3, 3)).toBeNull();
  });
});
