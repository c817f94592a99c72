// Response content units: word n-grams (1..maxN tokens) that at least `minRows` responses hold, with the rows
// whose own prompt does not hold them (the response says something its request did not) and the number of
// prompts anywhere in the corpus that hold them. Prompts are scanned against a trie of the response n-grams, so
// no prompt n-gram outside it is ever counted.
import { frequentNgramsCounted } from './ngrams.js';

export interface ResponseUnit {
  tokens: number[];
  /** Rows whose response holds the unit, ascending. */
  rows: number[];
  /** The rows among them whose own prompt does not hold it, ascending. */
  unexplained: number[];
  /** Prompts of the whole corpus that hold the unit. */
  prompts: number;
}

export interface ResponseUnitOptions {
  maxN: number;
  minRows: number;
  /** Units in more responses than this are counted (they make longer units) but not returned. */
  maxRows: number;
}

export function responseUnits(prompts: Int32Array[], responses: Int32Array[], V: number, o: ResponseUnitOptions): { units: ResponseUnit[]; frequent: number } {
  const n = responses.length;
  const none = new Int32Array(n).fill(-1);
  const { grams, frequent } = frequentNgramsCounted(responses, none, V, { maxN: o.maxN, minDocs: o.minRows, maxDocs: n, keep: (df) => df >= o.minRows });
  // Trie over the returned n-grams: level L maps (id of the (L-1)-gram prefix) * V + last token to the unit.
  const byTokens = new Map<string, number>();
  grams.forEach((g, u) => byTokens.set(g.tokens.join(' '), u));
  const child: Map<number, number>[] = Array.from({ length: o.maxN }, () => new Map());
  grams.forEach((g, u) => {
    const L = g.tokens.length;
    const parent = L === 1 ? -1 : byTokens.get(g.tokens.slice(0, -1).join(' '));
    if (parent === undefined) return;
    child[L - 1]!.set(L === 1 ? g.tokens[0]! : parent * V + g.tokens[L - 1]!, u);
  });
  const promptCount = new Int32Array(grams.length);
  const seenIn = new Int32Array(grams.length).fill(-1);
  for (let i = 0; i < prompts.length; i++) {
    const d = prompts[i]!;
    for (let s = 0; s < d.length; s++) {
      let u = child[0]!.get(d[s]!);
      for (let L = 1; u !== undefined; L++) {
        if (seenIn[u] !== i) {
          seenIn[u] = i;
          promptCount[u]!++;
        }
        if (L >= o.maxN || s + L >= d.length) break;
        u = child[L]!.get(u * V + d[s + L]!);
      }
    }
  }
  // seenIn[u] === i now only for the last prompt; own-prompt membership is checked per row below.
  const units: ResponseUnit[] = [];
  const ownMark = new Int32Array(grams.length).fill(-1);
  const gramOf: number[] = [];
  grams.forEach((g, u) => {
    if (g.docs.length > o.maxRows) return;
    gramOf.push(u);
    units.push({ tokens: g.tokens, rows: g.docs, unexplained: [], prompts: promptCount[u]! });
  });
  // Rows in ascending order: each unit's rows are ascending, so a cursor per unit walks them once.
  const rowsOf = new Map<number, number[]>();
  units.forEach((x, k) => {
    for (const i of x.rows) {
      const list = rowsOf.get(i);
      if (list) list.push(k);
      else rowsOf.set(i, [k]);
    }
  });
  for (const [i, ks] of rowsOf) {
    const d = prompts[i]!;
    for (let s = 0; s < d.length; s++) {
      let u = child[0]!.get(d[s]!);
      for (let L = 1; u !== undefined; L++) {
        ownMark[u] = i;
        if (L >= o.maxN || s + L >= d.length) break;
        u = child[L]!.get(u * V + d[s + L]!);
      }
    }
    for (const k of ks) {
      if (ownMark[gramOf[k]!] !== i) units[k]!.unexplained.push(i);
    }
  }
  for (const u of units) u.unexplained.sort((a, b) => a - b);
  return { units, frequent };
}
