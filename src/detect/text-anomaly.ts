// text-anomaly: text that hides something from a human reader or speaks to a model rather than about the task.
// Invisible and bidirectional control characters (Trojan Source, hidden triggers), words that mix scripts
// (homoglyphs: a Cyrillic "а" in "pаypal"), text that is mostly one span repeated, and instructions aimed at a
// model ("ignore previous instructions", chat-template markers) in data that a fine-tune or a RAG index would
// swallow. Per-sample rules, no statistics: each hit names the characters or words it found.
import type { TextAnomaly as Kind, TypedFinding } from '../model/evidence.js';
import { parametersOf, type Detector, type ScanContext } from './detector.js';
import type { ParameterSpecs, ResolvedParameters } from '../config/parameters.js';

/** Bidirectional embeddings and overrides: they reorder what a reader sees (Trojan Source). */
const BIDI = /[\u202A-\u202E]/gu;
/** Isolates are as able to reorder text, but platforms insert them around names (Twitter's @mentions): low. */
const BIDI_ISOLATE = /[\u2066-\u2069]/gu;
/**
 * Zero-width and other invisible format characters, and Unicode tag characters (invisible ASCII copies).
 * ZWJ/ZWNJ are allowed where scripts need them (emoji sequences, Persian, Indic); a BOM only at the start.
 */
const INVISIBLE = /[\u200B\u2060-\u2064\u180E\u034F\u115F\u1160\u3164\uFFA0\uFEFF]|[\u{E0000}-\u{E007F}]/gu;
/** Invisible characters inside a word ("pay\u200Bpal") or tag characters hide something; between words they are
 * usually debris of scraping and concatenation (a BOM per joined file). */
const HIDING = /\p{L}[\u200B\u2060-\u2064\u180E\u034F\uFEFF]+\p{L}|[\u{E0000}-\u{E007F}]/u;
const JOINER = /\u200C|\u200D/gu;
/** Scripts whose letters pass for Latin ones. */
const LATIN = /\p{Script=Latin}/u;
/** Cyrillic and Greek letters that look like Latin ones (Unicode confusables); "μTorrent" is a name, not a trick. */
const LOOKALIKE = /[авекмнорстухѕіјԁӏԛԝАВЕКМНОРСТХЅІЈοαικνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ]/u;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/**
 * Phrases addressed to a model. Kept to wording that has no ordinary use in training text about something else;
 * a dataset about prompt injection will trip it, and says so in the evidence.
 */
const INJECTION: [RegExp, string, string[]][] = [
  [/\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions?|prompts?|directions?|rules|context)/iu, 'tells the model to ignore its instructions', ['ignore', 'disregard', 'forget']],
  [/\byou\s+are\s+now\s+(?:in\s+)?(?:developer\s+mode|jailbroken|unrestricted)/iu, 'jailbreak persona', ['are now']],
  // "DAN" only in capitals: "you are now Dan's problem" is a tweet.
  [/\b[Yy]ou\s+are\s+now\s+DAN\b/u, 'jailbreak persona', ['are now']],
  [/\b(?:reveal|print|repeat|output)\s+(?:your|the)\s+(?:system\s+prompt|hidden\s+instructions|initial\s+instructions)/iu, 'asks for the system prompt', ['system', 'instructions']],
  [/<\|im_start\|>|<\|im_end\|>|<\|start_header_id\|>|<\|eot_id\|>|\[INST\]|\[\/INST\]|<<SYS>>/u, 'chat-template control tokens', ['<|', '[INST]', '[/INST]', '<<SYS>>']],
  [/(?:^|\n)\s*#{2,}\s*(?:system|instruction)\s*:/iu, 'a system/instruction header inside the text', ['##']],
  [/\b(?:do\s+not|don't|never)\s+(?:tell|inform|reveal\s+to)\s+the\s+user\b/iu, 'tells the model to hide something from the user', ['user']],
];
/** A span of repeatWords words seen repeatTimes times covering repeatShare of a text of repeatMinWords or more. */
const PARAMETERS = {
  repeatWords: { kind: 'int', default: 8, min: 1, help: 'words in a span that repeats' },
  repeatTimes: { kind: 'int', default: 4, min: 2, help: 'fewest times a span repeats in one text' },
  repeatShare: { kind: 'number', default: 0.5, min: 0, max: 1, help: 'share of a text the repeats of one span must cover' },
  repeatMinWords: { kind: 'int', default: 40, min: 1, help: 'fewest words of a text looked at for a repeated span' },
} as const satisfies ParameterSpecs;
const REPEAT_SCAN_CHARS = 100_000;
const EXAMPLES = 5;

const SCORES: Record<Kind, number> = { bidi: 0.6, 'bidi-isolate': 0.25, invisible: 0.55, 'invisible-between-words': 0.25, homoglyph: 0.55, injection: 0.6, 'repeated-span': 0.3 };

export const textAnomaly: Detector<TypedFinding<'text-anomaly'>> = {
  name: 'text-anomaly',
  description: 'invisible and bidirectional Unicode, homoglyph words, repeated spans, instructions aimed at a model',
  parameters: PARAMETERS,
  appliesTo: (ctx) => ctx.texts !== undefined,
  async run(ctx) {
    return runTextAnomaly(ctx);
  },
};

interface Hit {
  sample: number;
  field: string;
  detail: string;
}

export function runTextAnomaly(ctx: ScanContext) {
  const p = parametersOf(ctx, 'text-anomaly', PARAMETERS);
  const n = ctx.ids.length;
  const scores = new Float32Array(n);
  const hits = new Map<Kind, Hit[]>();
  const add = (kind: Kind, hit: Hit) => {
    let list = hits.get(kind);
    if (!list) hits.set(kind, (list = []));
    if (list[list.length - 1]?.sample !== hit.sample) list.push(hit);
    scores[hit.sample] = Math.max(scores[hit.sample]!, SCORES[kind]);
  };
  ctx.progress.stage('text-anomaly', 1);
  const fields = Object.entries(ctx.texts ?? {}).filter((e): e is [string, (string | null)[]] => Array.isArray(e[1]));
  for (const [field, column] of fields) {
    column.forEach((text, i) => {
      if (!text) return;
      const bidi = text.match(BIDI);
      if (bidi) add('bidi', { sample: i, field, detail: codepoints(bidi) });
      const isolates = text.match(BIDI_ISOLATE);
      if (isolates) add('bidi-isolate', { sample: i, field, detail: codepoints(isolates) });
      const invisible = [...(text.match(INVISIBLE) ?? []), ...strayJoiners(text)];
      if (invisible.length) add(HIDING.test(text) ? 'invisible' : 'invisible-between-words', { sample: i, field, detail: codepoints(invisible) });
      const mixed = mixedScriptWords(text);
      if (mixed.length) add('homoglyph', { sample: i, field, detail: mixed.slice(0, 3).join(', ') });
      const lower = text.toLowerCase();
      for (const [re, what, cues] of INJECTION) {
        // A plain substring test first: the regular expressions are costly on long texts that cannot match.
        if (!cues.some((c) => lower.includes(c.toLowerCase()))) continue;
        const m = re.exec(text);
        if (m) {
          add('injection', { sample: i, field, detail: `${what}: "${m[0].trim().slice(0, 80)}"` });
          break;
        }
      }
      const repeat = repeatedSpan(text, p);
      if (repeat) add('repeated-span', { sample: i, field, detail: repeat });
    });
  }
  const findings: TypedFinding<'text-anomaly'>[] = [];
  for (const [kind, list] of hits) {
    findings.push({
      form: 'text-anomaly',
      kind: 'text-anomaly',
      severity: SCORES[kind] >= 0.5 ? 'medium' : 'low',
      score: SCORES[kind],
      samples: list.map((h) => h.sample),
      evidence: {
        anomaly: kind,
        samples: list.length,
        examples: list.slice(0, EXAMPLES).map((h) => ({ id: ctx.ids[h.sample]!, field: h.field, found: h.detail })),
      },
    });
  }
  findings.sort((a, b) => b.score - a.score);
  ctx.progress.tick(1);
  return { scores, findings };
}

function codepoints(chars: string[]): string {
  const distinct = [...new Set(chars)];
  return `${chars.length} × ${distinct.slice(0, 4).map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}`;
}

const EMOJI_PART = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0F]/u;
const JOINING_SCRIPT = /[\p{Script=Arabic}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Malayalam}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Sinhala}\p{Script=Syriac}\p{Script=Gujarati}\p{Script=Gurmukhi}\p{Script=Oriya}\p{Script=Hebrew}]/u;

/** ZWJ/ZWNJ with neither neighbour a letter of a script that uses them nor an emoji. */
function strayJoiners(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(JOINER)) {
    const before = text.slice(Math.max(0, m.index - 2), m.index);
    const after = text.slice(m.index + 1, m.index + 3);
    if ((EMOJI_PART.test(before) && EMOJI_PART.test(after)) || JOINING_SCRIPT.test(before) || JOINING_SCRIPT.test(after)) continue;
    out.push(m[0]);
  }
  return out;
}

/** Words of at least 3 letters with both Latin letters and letters of a look-alike script. */
function mixedScriptWords(text: string): string[] {
  const out: string[] = [];
  // A word with a look-alike letter needs the text to have one.
  if (!LOOKALIKE.test(text)) return out;
  for (const m of text.matchAll(WORD)) {
    const w = m[0];
    if (w.length >= 3 && LATIN.test(w) && LOOKALIKE.test(w)) out.push(w);
  }
  return out;
}

/** Whether one span of repeatWords words repeats so often that it covers most of a long text. */
function repeatedSpan(text: string, p: ResolvedParameters<typeof PARAMETERS>): string | null {
  // The first REPEAT_SCAN_CHARS characters decide: a 50 MB line should not become millions of map keys.
  const lower = text.slice(0, REPEAT_SCAN_CHARS).toLowerCase();
  // A text that is half one repeated span has few distinct words: most texts are ruled out without n-grams.
  const maxDistinct = 1 - p.repeatShare * (1 - 1 / p.repeatTimes);
  const hashed = hashedWordCounts(lower);
  if (hashed.words < p.repeatMinWords || hashed.distinct > maxDistinct * hashed.words) return null;
  // A span of two or more words repeats no more often than its first pair of words.
  if (p.repeatWords >= 2 && (hashed.topPair < p.repeatTimes || (hashed.topPair * p.repeatWords) / hashed.words < p.repeatShare)) return null;
  const words = lower.split(/\s+/u).filter((w) => w !== '');
  if (!words || words.length < p.repeatMinWords) return null;
  if (new Set(words).size > maxDistinct * words.length) return null;
  const counts = new Map<string, number>();
  let best = '';
  let bestCount = 0;
  for (let s = 0; s + p.repeatWords <= words.length; s++) {
    const key = words.slice(s, s + p.repeatWords).join(' ');
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    if (c > bestCount) [best, bestCount] = [key, c];
  }
  if (bestCount < p.repeatTimes || (bestCount * p.repeatWords) / words.length < p.repeatShare) return null;
  return `"${best.slice(0, 80)}" ${bestCount} times in ${words.length} words`;
}

/** Whether each UTF-16 code unit is whitespace as /\s/u reads it (all such characters lie in the BMP). */
let SPACE: Uint8Array | null = null;
/** Open-addressing tables of hashed words and hashed word pairs, a slot live where its mark is the text's. */
let wordHash = new Int32Array(1024);
let wordMark = new Int32Array(1024);
let pairHash = new Int32Array(1024);
let pairMark = new Int32Array(1024);
let pairCount = new Int32Array(1024);
let mark = 0;

/**
 * The text's count of whitespace-separated words; its distinct words and the count of its most frequent pair of
 * adjacent words, both by 32-bit hashes: equal words hash alike, so the first is never above the true count and the
 * second never below, and a text they rule out is ruled out by the exact counts.
 */
function hashedWordCounts(text: string): { words: number; distinct: number; topPair: number } {
  if (SPACE === null) {
    SPACE = new Uint8Array(65536);
    for (let c = 0; c < 65536; c++) if (/\s/u.test(String.fromCharCode(c))) SPACE[c] = 1;
  }
  let size = 1024;
  while (size < text.length) size *= 2;
  if (size > wordHash.length) {
    wordHash = new Int32Array(size);
    wordMark = new Int32Array(size);
    pairHash = new Int32Array(size);
    pairMark = new Int32Array(size);
    pairCount = new Int32Array(size);
    mark = 0;
  }
  if (++mark === 0x7fffffff) {
    wordMark.fill(0);
    pairMark.fill(0);
    mark = 1;
  }
  const mask = size - 1;
  let words = 0;
  let distinct = 0;
  let topPair = 0;
  let h = 0;
  let previous = 0;
  let inWord = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (SPACE[c] === 0) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
      continue;
    }
    if (!inWord) continue;
    inWord = false;
    words++;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      if (wordMark[slot] !== mark) {
        wordMark[slot] = mark;
        wordHash[slot] = h;
        distinct++;
        break;
      }
      if (wordHash[slot] === h) break;
    }
    if (words > 1) {
      let q = Math.imul(previous, 0x9e3779b1) ^ h;
      q ^= q >>> 16;
      q = Math.imul(q, 0x85ebca6b);
      q ^= q >>> 13;
      for (let slot = q & mask; ; slot = (slot + 1) & mask) {
        if (pairMark[slot] !== mark) {
          pairMark[slot] = mark;
          pairHash[slot] = q;
          pairCount[slot] = 1;
          if (topPair < 1) topPair = 1;
          break;
        }
        if (pairHash[slot] === q) {
          if (++pairCount[slot]! > topPair) topPair = pairCount[slot]!;
          break;
        }
      }
    }
    previous = h;
    h = 0;
  }
  return { words, distinct, topPair };
}
