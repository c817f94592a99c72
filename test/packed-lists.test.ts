import { describe, expect, it } from 'vitest';
import { DistinctLists } from '../src/text/distinct-lists.js';
import { encodePacked } from '../src/text/packed-texts.js';
import { Vocabulary } from '../src/text/tokenize.js';

describe('DistinctLists', () => {
  it('numbers equal lists alike, in order of first appearance, and finds ranges of another array', () => {
    const sets = new DistinctLists();
    expect(sets.idOf([1, 2, 3])).toBe(0);
    expect(sets.idOf([3, 2, 1])).toBe(1);
    expect(sets.idOf(Int32Array.of(1, 2, 3))).toBe(0);
    expect(sets.idOf([])).toBe(2);
    expect(sets.idOf([1, 2])).toBe(3);
    expect(sets.size).toBe(4);
    const flat = Int32Array.of(9, 3, 2, 1, 9);
    expect(sets.find(flat, 1, 4)).toBe(1);
    expect(sets.find(flat, 0, 3)).toBe(-1);
    expect(sets.find(flat, 2, 2)).toBe(2);
    expect(sets.size).toBe(4);
  });

  it('agrees with joined strings on many short lists', () => {
    const sets = new DistinctLists();
    const strings = new Map<string, number>();
    let x = 7;
    for (let k = 0; k < 5000; k++) {
      const list: number[] = [];
      const n = (x = (x * 1103515245 + 12345) >>> 0) % 4;
      for (let j = 0; j < n; j++) list.push((x = (x * 1103515245 + 12345) >>> 0) % 6);
      const key = list.join(',');
      if (!strings.has(key)) strings.set(key, strings.size);
      expect(sets.idOf(list)).toBe(strings.get(key));
    }
  });
});

describe('encodePacked', () => {
  it('gives each text the ids and boundaries encodeWithBoundaries gives it', () => {
    const texts = ['Hello, world!', null, '', 'a b  c', "it's fine.", 'hello again'];
    const one = new Vocabulary();
    const packed = encodePacked(texts, new Vocabulary());
    texts.forEach((t, i) => {
      const e = one.encodeWithBoundaries(t ?? '');
      expect(Array.from(packed.ids[i]!)).toEqual(Array.from(e.ids));
      expect(Array.from(packed.boundaries[i]!)).toEqual(Array.from(e.boundary));
    });
  });
});
