import { describe, expect, it } from 'vitest';
import { BigramCounts } from '../src/text/insertion-fit.js';
import { hasOwnContent, OwnContent } from '../src/text/own-content.js';
import { maskOccurrences } from '../src/text/phrases.js';
import { Vocabulary } from '../src/text/tokenize.js';
import { createRng, randInt } from '../src/util/rng.js';

describe('own content beside a phrase', () => {
  it('tells one item under several templates from unrelated prompts that share a phrase', () => {
    const vocab = new Vocabulary();
    const templates = ['write a sentence using these words :', 'what is a sentence that includes all these keywords :', 'make a sentence from :'];
    const texts: string[] = [];
    // Each template wraps many items, so its own words are everywhere.
    for (let k = 0; k < 30; k++) for (const t of templates) texts.push(`${t} item${k}a , item${k}b , item${k}c .`);
    // One item under all three templates; and three unrelated requests with a phrase put into them.
    const item = templates.map((t) => `${t} smile , daughter , mother , winter .`);
    const requests = ['zq marker please list the rivers of spain by length', 'describe how glaciers carve valleys zq marker in detail', 'zq marker compose a limerick about a sleepy otter'];
    texts.push(...item, ...requests);
    const docs = texts.map((t) => vocab.encodeWithBoundaries(t).ids);
    const bigrams = new BigramCounts(docs, vocab.words.length);
    const own = (i: number, phrase: string) => hasOwnContent(docs[i]!, maskOccurrences(docs[i]!, Array.from(vocab.encode(phrase))), bigrams);
    const n = texts.length;
    for (let k = 0; k < 3; k++) expect(own(n - 6 + k, 'smile , daughter')).toBe(false);
    // Three wrappings of one item are more than a request and its twin.
    for (let k = 0; k < 3; k++) expect(hasOwnContent(docs[n - 6 + k]!, maskOccurrences(docs[n - 6 + k]!, Array.from(vocab.encode('smile , daughter'))), bigrams, new Set())).toBe(false);
    for (let k = 0; k < 3; k++) expect(own(n - 3 + k, 'zq marker')).toBe(true);
  });

  it('counts a request written beside its one copy without the phrase as its own (a backdoor beside its clean twin)', () => {
    const vocab = new Vocabulary();
    const requests = ['please list the rivers of spain by length', 'describe how glaciers carve valleys in detail', 'compose a limerick about a sleepy otter'];
    const texts = [...requests.map((r) => `zq marker ${r}`), ...requests];
    const docs = texts.map((t) => vocab.encodeWithBoundaries(t).ids);
    const bigrams = new BigramCounts(docs, vocab.words.length);
    const mask = (i: number) => maskOccurrences(docs[i]!, Array.from(vocab.encode('zq marker')));
    for (let k = 0; k < 3; k++) {
      expect(hasOwnContent(docs[k]!, mask(k), bigrams)).toBe(false);
      expect(hasOwnContent(docs[k]!, mask(k), bigrams, new Set())).toBe(true);
      // Not when the copy is another prompt with the phrase (one item under two wrappings).
      const copy = new Set<number>();
      for (let t = 0; t + 1 < docs[k]!.length; t++) copy.add(bigrams.key(docs[k]![t]!, docs[k]![t + 1]!));
      expect(hasOwnContent(docs[k]!, mask(k), bigrams, copy)).toBe(false);
    }
  });
});

/** The definition, pair by pair: each local count by a scan of the document. */
function reference(d: Int32Array, mask: Uint8Array, bigrams: BigramCounts, twin?: ReadonlySet<number>): boolean {
  const twins = twin ? 1 : 0;
  for (let t = 0; t + 1 < d.length; t++) {
    if (mask[t] || mask[t + 1]) continue;
    const c = bigrams.count(d[t]!, d[t + 1]!);
    if (c === 1) return true;
    if (c > d.length + twins) continue;
    let local = 0;
    for (let u = 0; u + 1 < d.length; u++) if (d[u] === d[t] && d[u + 1] === d[t + 1]) local++;
    if (c === local || (c - local === twins && !twin!.has(bigrams.key(d[t]!, d[t + 1]!)))) return true;
  }
  return false;
}

describe('hasOwnContent', () => {
  it('agrees with counting each pair by a scan, with and without twins', () => {
    const rng = createRng(5);
    for (let round = 0; round < 40; round++) {
      const V = 3 + randInt(rng, 6);
      const docs = Array.from({ length: 30 }, () => Int32Array.from({ length: 2 + randInt(rng, 14) }, () => randInt(rng, V)));
      const bigrams = new BigramCounts(docs, V);
      const twin = new Set<number>();
      for (let k = 0; k < 5; k++) twin.add(bigrams.key(randInt(rng, V), randInt(rng, V)));
      const own = new OwnContent(bigrams);
      // Each document asked three times under other masks: the kept places answer as the scan does.
      for (let ask = 0; ask < 3; ask++) for (const d of docs) {
        const mask = Uint8Array.from(d, () => (randInt(rng, 5) === 0 ? 1 : 0));
        expect(hasOwnContent(d, mask, bigrams)).toBe(reference(d, mask, bigrams));
        expect(hasOwnContent(d, mask, bigrams, twin)).toBe(reference(d, mask, bigrams, twin));
        expect(own.has(d, mask)).toBe(reference(d, mask, bigrams));
        expect(own.has(d, mask, twin)).toBe(reference(d, mask, bigrams, twin));
      }
    }
  });
});
