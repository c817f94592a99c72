import { describe, expect, it } from 'vitest';
import { tokenize, TOKEN, Vocabulary } from '../src/text/tokenize.js';
import { createRng, randInt } from '../src/util/rng.js';

// Pieces that exercise every branch of the scanner: apostrophes with and without letters after them, digits after
// an apostrophe, whitespace of several kinds, marks, astral letters and symbols, lone surrogates.
const PIECES = [
  'a', 'Z', 'é', 'e\u0301', '7', '٣', 'ß', 'İ', 'Σ', '中', '𝐀', '😀', '\ud800', '\udc00', "'", "'s", "'9", "''", ' ', '\t', '\n',
  '\u00a0', '\u2003', '\u3000', '\ufeff', '.', ',', '-', '@', '<br />', 'co.uk', "don't", "rock'n'roll", '2024', '\u200b', '_',
];

describe('tokenize', () => {
  it('finds the same tokens as the pattern, with the same boundaries', () => {
    const rng = createRng(11);
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const parts = 1 + randInt(rng, 12);
      for (let k = 0; k < parts; k++) text += PIECES[randInt(rng, PIECES.length)];
      const lower = text.toLowerCase();
      const expected = lower.match(TOKEN) ?? [];
      expect(tokenize(text)).toEqual(expected);
      const vocab = new Vocabulary();
      const { ids, boundary } = vocab.encodeWithBoundaries(text);
      expect(Array.from(ids, (i) => vocab.words[i])).toEqual(expected);
      const ms = [...lower.matchAll(TOKEN)];
      let end = 0;
      const want = ms.map((m, i) => {
        const b = i === 0 || m.index > end ? 1 : 0;
        end = m.index + m[0].length;
        return b;
      });
      expect(Array.from(boundary)).toEqual([...want, 1]);
      expect(Array.from(vocab.encode(text))).toEqual(Array.from(ids));
      expect(Array.from(vocab.encodeKnown(text + ' zzqx'))).toEqual([...ids, -1]);
    }
  });
});
