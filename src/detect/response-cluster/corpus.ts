// What every step of response-cluster reads, built once per scan: the rows' texts, their responses as keys and
// clusters, the prompts as tokens and what is built from them (MinHash signatures, word pairs, the label model), and
// the shared word tests, built on first use.
import { BigramCounts } from '../../text/insertion-fit.js';
import { LabelContent } from '../../text/label-content.js';
import { minhashSignatures } from '../../text/minhash.js';
import { tokenisedTexts } from '../../text/tokenised-texts.js';
import { Vocabulary } from '../../text/tokenize.js';
import type { ScanContext } from '../detector.js';
import { END_MARKERS, MIN_GROUPS, normaliseResponse, type LabelReading } from './common.js';
import type { SignificanceLines } from './grade.js';
import { wordTests, type WordTests } from './inserted-words.js';

/** Characters of a response read for the echo: a restated request opens the answer. */
const ECHO_RESPONSE_CHARS = 2000;

/** The detector's settings the steps read. */
export interface CorpusSettings {
  /** Longest prompt phrase tested, in tokens. */
  maxN: number;
  cueMajority: number;
  fixedNeighbour: number;
  maxSpan: number;
  lines: SignificanceLines;
}

export class PromptCorpus {
  readonly prompts: readonly (string | null)[];
  readonly responses: readonly (string | null)[];
  readonly seed: number;
  /** Each row's normalised response (null: none). */
  readonly keys: (string | null)[];
  /** Rows per non-empty response key. */
  readonly keyCount = new Map<string, number>();
  /**
   * Per row, its response cluster (a response given to at least MIN_GROUPS prompts), -1 for none; per cluster, its
   * first row's response text, its key and its size.
   */
  readonly clusters: Int32Array;
  readonly clusterText: string[] = [];
  readonly clusterKey: string[] = [];
  readonly clusterSize: number[] = [];
  /** Each cluster's response as tokens (end-of-text markers left out). */
  readonly responseTokens: Int32Array[];
  /** The prompts as token ids, and where words end. Responses add their words to `vocab` after the prompts'. */
  readonly docs: Int32Array[];
  readonly boundaries: Uint8Array[];
  readonly vocab: Vocabulary;
  /** Prompts are long (passages, templates): sources are grouped by MinHash similarity, not word-set overlap. */
  readonly signatures: Uint32Array;
  readonly bigrams: BigramCounts;
  readonly settings: CorpusSettings;
  /** The vocabulary's size over the prompts' words alone, before any response is encoded. */
  private readonly promptWords: number;
  private label?: LabelReading | null;
  private words?: WordTests;

  constructor(ctx: ScanContext, settings: CorpusSettings) {
    const prompts = ctx.texts!.prompt!;
    const responses = ctx.texts!.response!;
    this.prompts = prompts;
    this.responses = responses;
    this.seed = ctx.seed;
    this.settings = settings;
    this.keys = responses.map((r) => (r === null ? null : normaliseResponse(r)));
    for (const k of this.keys) if (k !== null && k !== '') this.keyCount.set(k, (this.keyCount.get(k) ?? 0) + 1);
    const clusterOf = new Map<string, number>();
    this.clusters = new Int32Array(prompts.length).fill(-1);
    this.keys.forEach((k, i) => {
      if (k === null || k === '' || this.keyCount.get(k)! < MIN_GROUPS) return;
      let c = clusterOf.get(k);
      if (c === undefined) {
        c = this.clusterText.length;
        clusterOf.set(k, c);
        this.clusterText.push(responses[i]!);
        this.clusterKey.push(k);
        this.clusterSize.push(this.keyCount.get(k)!);
      }
      this.clusters[i] = c;
    });
    const tokens = tokenisedTexts(prompts, false);
    this.vocab = Vocabulary.of(tokens.words);
    this.docs = tokens.ids;
    this.boundaries = tokens.boundaries;
    this.promptWords = this.vocab.words.length;
    this.bigrams = new BigramCounts(this.docs, this.vocab.words.length);
    this.signatures = minhashSignatures(this.docs);
    this.responseTokens = this.clusterText.map((t) => this.vocab.encode(t.replace(END_MARKERS, ' ')));
  }

  /** The number of rows. */
  get rows(): number {
    return this.prompts.length;
  }

  /**
   * The label model and each row's key; null where no response is given to several prompts (no label to read). Over
   * the prompts' words only, built on first use (a step run apart from the others may never read it).
   */
  get labels(): LabelReading | null {
    if (this.label === undefined) this.label = this.clusterText.length === 0 ? null : { content: new LabelContent(this.docs, this.promptWords, this.keys, this.keyCount), keys: this.keys };
    return this.label;
  }

  /**
   * The first ECHO_RESPONSE_CHARS of each response as tokens (null: none), for the echo test: their new words join
   * the vocabulary, after those of every text encoded before (a step run apart encodes them where the steps before
   * it did, for its words to get the same ids).
   */
  echoResponses(): (Int32Array | null)[] {
    return this.responses.map((r) => (r === null ? null : this.vocab.encode(r.slice(0, ECHO_RESPONSE_CHARS).replace(END_MARKERS, ' '))));
  }

  /** The echo and deletion tests of words inserted into requests, run once for the steps that read them. */
  wordTests(): WordTests {
    return (this.words ??= wordTests(this));
  }
}
