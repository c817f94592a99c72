// Words in only a few prompts (2 to MAX_PLACES), every one of which ends in one response, and whose prompts share
// no other rare word: a trigger too rare for the phrase test's count over all n-grams (a backdoor may put three words on
// one answer, some in 2-5 prompts at 0.02%). Under independence of word and answer, k unrelated prompts all ending
// in a response given to a share s of all prompts has probability s^k.
//
// Prompts linked by another rare word (two questions about one passage, one example in two templates) count once:
// such prompts agree on their answer for a reason of their own. A word all of whose prompts are one source is no
// trial, so the test is Bonferroni-corrected over the words in 2 to MAX_PLACES prompts that are in at least two
// unlinked groups (read off the prompts alone), and takes half of the error budget (log10 2 off), the phrase test
// over all n-grams, which judges words from 3 prompts too, the other half. A word the response itself holds is read
// off the prompt ("barrel" -> "barrel") and is not judged.

import { documentFrequency } from './document-frequency.js';

/** Words in more prompts are judged by the phrase and insertion tests, which can count them. */
export const MAX_PLACES = 5;
/** Words in more than this share of prompts do not link two prompts to one source. */
const LINK_MAX_SHARE = 0.05;

export interface PureResponseWord {
  token: number;
  /** The prompts holding the word, all ending in `response`. */
  rows: number[];
  /** The normalised response they share. */
  response: string;
  /** Prompts linked by another rare word count once. */
  groups: number;
  /** The response's share of all prompts. */
  share: number;
  /** -log10(share^groups) - log10(2 × words judged). */
  significance: number;
}

export interface PureResponseInput {
  docs: Int32Array[];
  vocabSize: number;
  /** Normalised response per prompt; null or '' for none. */
  keys: readonly (string | null)[];
  /** Prompts per normalised response. */
  keyCount: ReadonlyMap<string, number>;
  /** Tokens that can be a trigger or link two prompts (words, not punctuation). */
  isWord: (token: number) => boolean;
  /** Whether the token is written in the response (then the prompt states the answer). */
  inResponse: (token: number, key: string) => boolean;
}

/** Every pure word with at least `minGroups` (2 or more) groups, and the number of words judged. */
export function pureResponseWords(input: PureResponseInput, minGroups: number): { words: PureResponseWord[]; judged: number } {
  const { docs, vocabSize, keys, keyCount, isWord } = input;
  const n = docs.length;
  const df = documentFrequency(docs, vocabSize);
  const rowsOf = new Map<number, number[]>();
  const last = new Int32Array(vocabSize).fill(-1);
  docs.forEach((d, i) => {
    for (const t of d) {
      if (last[t] === i || df[t]! < 2 || df[t]! > MAX_PLACES || !isWord(t)) continue;
      last[t] = i;
      const rows = rowsOf.get(t);
      if (rows) rows.push(i);
      else rowsOf.set(t, [i]);
    }
  });
  const linking = new Uint8Array(vocabSize);
  for (let t = 0; t < vocabSize; t++) if (df[t]! >= 2 && df[t]! <= LINK_MAX_SHARE * n && isWord(t)) linking[t] = 1;
  const links = (t: number) => linking[t] === 1;
  const mark = new Int32Array(vocabSize).fill(-1);
  const trials: { token: number; rows: number[]; groups: number }[] = [];
  for (const [token, rows] of rowsOf) {
    const groups = countGroups(rows, docs, token, links, mark);
    if (groups >= 2) trials.push({ token, rows, groups });
  }
  const judged = trials.length;
  const words: PureResponseWord[] = [];
  for (const { token, rows, groups } of trials) {
    if (groups < minGroups) continue;
    const response = keys[rows[0]!];
    if (response === null || response === undefined || response === '') continue;
    if (!rows.every((i) => keys[i] === response) || input.inResponse(token, response)) continue;
    const share = keyCount.get(response)! / n;
    words.push({ token, rows, response, groups, share, significance: -groups * Math.log10(share) - Math.log10(2 * judged) });
  }
  words.sort((a, b) => b.significance - a.significance || a.token - b.token);
  return { words, judged };
}

/** Connected components of the rows, two rows joined when they share a linking token other than `token`. */
function countGroups(rows: number[], docs: Int32Array[], token: number, links: (t: number) => boolean, mark: Int32Array): number {
  const parent = rows.map((_, k) => k);
  const find = (k: number): number => (parent[k] === k ? k : (parent[k] = find(parent[k]!)));
  for (let a = 0; a < rows.length; a++) {
    // Stamps are row indices: a token marked with rows[a] is in row a.
    for (const t of docs[rows[a]!]!) if (t !== token && links(t)) mark[t] = rows[a]!;
    for (let b = a + 1; b < rows.length; b++) {
      if (find(a) === find(b)) continue;
      for (const t of docs[rows[b]!]!) if (mark[t] === rows[a] && t !== token) {
        parent[find(b)] = find(a);
        break;
      }
    }
  }
  let groups = 0;
  parent.forEach((_, k) => {
    if (find(k) === k) groups++;
  });
  return groups;
}
