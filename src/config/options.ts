// The scan's options, each declared once: its flags, value, default and help, whether poisonscan.config.json may set
// it and whether report.json's config repeats it. The command line (src/cli/options.ts), the config file's checks
// (config.ts), the report's recorded options (stages/report.ts) and the library's ScanOptions (scan.ts) are all
// read from here: a new option is one entry.
import { cpus } from 'node:os';
import type { FailOn } from '../types.js';
import { DATASET_FORMATS } from '../ingest/formats.js';
import { DEFAULT_EMBED_SIZE, EMBED_KINDS } from './embed.js';
import type { ParameterValues } from './parameters.js';

export const CONFIG_FILE = 'poisonscan.config.json';
export const FAIL_ON = ['high', 'medium', 'low', 'never'] as const satisfies readonly FailOn[];

/** What an option's value is, on the command line and in the config file. */
export type OptionValue =
  | { kind: 'string' }
  /** Comma separated on the command line, a list of strings in the config file. */
  | { kind: 'list' }
  | { kind: 'int'; min: number }
  /** A number between 0 and 1. */
  | { kind: 'share' }
  | { kind: 'choice'; choices: readonly string[] }
  /** On or off; no value. */
  | { kind: 'flag' }
  /** On, or a value (`--write-manifest [file]`); a string in the config file. */
  | { kind: 'flag-or-string' }
  /** Any finite number. */
  | { kind: 'number' }
  /** Whole numbers N, or A-B for A to B (seeds). */
  | { kind: 'range' }
  /**
   * Detector parameters: `detector.name=value`, repeatable on the command line (a later one wins); checked against
   * the detectors' declarations (config/parameters.ts).
   */
  | { kind: 'parameters' };

/**
 * What an option is about, in the order --help lists the groups: `attack` for the commands that make poisoned
 * copies (before any scan), then the order of a scan: how the dataset is read, fingerprinted and embedded, what is
 * detected, what is written.
 */
export const OPTION_GROUPS = ['attack', 'read', 'fingerprint', 'embeddings', 'detect', 'output'] as const;
export type OptionGroup = (typeof OPTION_GROUPS)[number];

export type OptionSpec = OptionValue & {
  group: OptionGroup;
  /** commander's flags: an optional short one, the long one, the value's placeholder. */
  flags: string;
  help: string;
  default?: string | number | readonly number[];
  /** poisonscan.config.json's "scan" object may set it, by its name. */
  config?: true;
  /** report.json's config repeats it, by its name, when it was given. */
  report?: true;
  /** Kept working, not shown by --help. */
  hidden?: true;
  /** The command cannot run without it. */
  required?: true;
  /** The command line's alone: the library's scan() has no such option (it takes the value another way, or none). */
  commandOnly?: true;
  /**
   * Changes what a sample's fingerprint is (as every option of the read group does): fingerprint shards made with
   * other values are not merged, and a resumed shard must match.
   */
  fingerprints?: true;
};

/** The options of `scan`, in the order --help lists them; the names are commander's, camelCase. */
export const SCAN_OPTIONS = {
  out: { group: 'output', flags: '-o, --out <dir>', help: 'where the outputs go', kind: 'string', default: './poisonscan-report', config: true },
  inputFormat: { group: 'read', flags: '--input-format <format>', help: 'force the dataset\'s format (detected otherwise)', kind: 'choice', choices: DATASET_FORMATS, commandOnly: true },
  format: { group: 'read', flags: '--format <format>', help: 'the earlier name of --input-format', kind: 'choice', choices: DATASET_FORMATS, hidden: true, config: true },
  manifest: { group: 'read', flags: '--manifest <file>', help: 'CSV/JSONL with path and optional label naming the images', kind: 'string', config: true, report: true },
  textColumn: { group: 'read', flags: '--text-column <c>', help: 'text column', kind: 'string', config: true, report: true },
  labelColumn: { group: 'read', flags: '--label-column <c>', help: 'label column', kind: 'string', config: true, report: true },
  idColumn: { group: 'read', flags: '--id-column <c>', help: 'sample id column', kind: 'string', config: true, report: true },
  promptColumn: { group: 'read', flags: '--prompt-column <c>', help: 'prompt column (instruction data)', kind: 'string', config: true, report: true },
  responseColumn: { group: 'read', flags: '--response-column <c>', help: 'response column (instruction data)', kind: 'string', config: true, report: true },
  imageColumn: { group: 'read', flags: '--image-column <c>', help: 'image column in tabular data', kind: 'string', config: true, report: true },
  split: { group: 'read', flags: '--split <name>', help: 'split of a Hugging Face DatasetDict folder (default: train, or the first)', kind: 'string', config: true, report: true },
  embeddingColumn: { group: 'embeddings', flags: '--embedding-column <c>', help: 'column of per-sample embedding vectors (turns on the embedding detectors)', kind: 'string', config: true, report: true },
  embeddings: { group: 'embeddings', flags: '--embeddings <file.npy>', help: 'embeddings, one row per sample in the dataset\'s order (float32/float64 .npy)', kind: 'string', config: true, report: true },
  embeddingIds: { group: 'embeddings', flags: '--embedding-ids <file>', help: 'the sample id of each .npy row, one per line (aligns by id instead of order)', kind: 'string', config: true, report: true },
  model: { group: 'embeddings', flags: '--model <model.json>', help: 'a TensorFlow.js layers or graph model whose layer activations are the images\' embeddings', kind: 'string' },
  layer: { group: 'embeddings', flags: '--layer <name>', help: 'the layer (graph model: node) of --model to read (default: the one before the output)', kind: 'string' },
  embed: { group: 'embeddings', flags: '--embed <kind>', help: 'embeddings for the embedding detectors when the data brings none: none, proxy (a small model trained on the data, as --proxy-model), pretrained (a pretrained image backbone; needs the optional package nsfwjs)', kind: 'choice', choices: EMBED_KINDS, config: true },
  embedSize: { group: 'embeddings', flags: '--embed-size <px>', help: `input side of the pretrained backbone (default ${DEFAULT_EMBED_SIZE}; 224, its training size, takes about 5x the time)`, kind: 'int', min: 1, config: true },
  proxyModel: { group: 'embeddings', flags: '--proxy-model', help: 'the same as --embed proxy: train a small model on the (labelled image or text) dataset and run the embedding detectors on it', kind: 'flag' },
  detectors: { group: 'detect', flags: '--detectors <list>', help: 'run only these detectors (comma separated)', kind: 'list', config: true },
  failOn: { group: 'detect', flags: '--fail-on <severity>', help: 'exit 1 when a finding at or above this severity exists', kind: 'choice', choices: FAIL_ON, default: 'high', config: true },
  concurrency: { group: 'fingerprint', flags: '--concurrency <n>', help: 'threads: parallel decode and fingerprint work, detectors run at once, and the image detectors\' own threads (1: one after another)', kind: 'int', min: 1, default: cpus().length, config: true },
  seed: { group: 'detect', flags: '--seed <n>', help: 'seed for every random choice', kind: 'int', min: 0, default: 0, config: true },
  grid: { group: 'fingerprint', flags: '--grid <n>', help: 'side of the working grid images are resampled to (default: the first image\'s size, at most 64)', kind: 'int', min: 8, config: true, fingerprints: true },
  pixelLimit: { group: 'fingerprint', flags: '--pixel-limit <n>', help: 'most pixels an image may have; a larger one is not decoded and is listed as unreadable (default 100000000)', kind: 'int', min: 1, config: true, report: true, fingerprints: true },
  quiet: { group: 'output', flags: '-q, --quiet', help: 'no progress or summary on stderr', kind: 'flag' },
  json: { group: 'output', flags: '--json', help: 'print report.json to stdout', kind: 'flag', commandOnly: true },
  baseline: { group: 'fingerprint', flags: '--baseline <dir>', help: 'a previous report folder: re-use fingerprints of unchanged samples, mark findings new since then', kind: 'string', config: true },
  sarif: { group: 'output', flags: '--sarif <file>', help: 'also write the findings as SARIF 2.1.0 (code-scanning dashboards)', kind: 'string', config: true },
  writeManifest: { group: 'output', flags: '--write-manifest [file]', help: 'write a content manifest (ids, sizes, sha256, md5, perceptual hashes) for a later verify (default <out>/manifest.jsonl)', kind: 'flag-or-string', config: true },
  config: { group: 'detect', flags: '--config <file>', help: `project defaults, detector parameters and suppressions (default ./${CONFIG_FILE} when present)`, kind: 'string', commandOnly: true },
  resume: { group: 'fingerprint', flags: '--resume', help: 'continue an interrupted scan into the same --out: finished fingerprint parts are not decoded again', kind: 'flag' },
  checkpointEvery: { group: 'fingerprint', flags: '--checkpoint-every <n>', help: 'image samples per fingerprint part written as it completes (0: none)', kind: 'int', min: 0 },
  stage: { group: 'fingerprint', flags: '--stage <stage>', help: 'run only this stage (fingerprint: write fingerprints for a later `detect`)', kind: 'choice', choices: ['fingerprint'], commandOnly: true },
  shard: { group: 'fingerprint', flags: '--shard <i/n>', help: 'with --stage fingerprint: only the I-th of N equal, contiguous slices of the samples (0-based)', kind: 'string', commandOnly: true },
  set: { group: 'detect', flags: '--set <detector.parameter=value>', help: 'set a detector parameter (repeatable; listed below)', kind: 'parameters' },
  maxUnreadable: { group: 'detect', flags: '--max-unreadable <ratio>', help: 'share of unreadable samples above which the scan reports a medium finding', kind: 'share', default: 0.001, config: true },
} as const satisfies Record<string, OptionSpec>;

export type ScanOptionName = keyof typeof SCAN_OPTIONS;

/** The value an option of this spec has once parsed. */
export type ValueOf<S> = S extends { kind: 'list' } ? string[]
  : S extends { kind: 'int' | 'share' | 'number' } ? number
  : S extends { kind: 'range' } ? number[]
  : S extends { kind: 'parameters' } ? ParameterValues
  : S extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
  : S extends { kind: 'flag' } ? boolean
  : S extends { kind: 'flag-or-string' } ? string | true
  : string;

/** An option that always has a value once parsed: a required one, or one with a default. */
type Given<S> = S extends { required: true } ? true : S extends { default: unknown } ? true : false;
/** A command's parsed options, by name, from its declaration: those always given are not optional. */
export type OptionValues<T extends Record<string, OptionSpec>> =
  & { -readonly [K in keyof T as Given<T[K]> extends true ? K : never]: ValueOf<T[K]> }
  & { -readonly [K in keyof T as Given<T[K]> extends true ? never : K]?: ValueOf<T[K]> };

/** Parsed scan options (command line, then config file, then defaults), by name. */
export type ScanValues = { -readonly [K in ScanOptionName]?: ValueOf<(typeof SCAN_OPTIONS)[K]> };

type Named<P extends 'config' | 'report' | 'commandOnly'> = { [K in ScanOptionName]: (typeof SCAN_OPTIONS)[K] extends Record<P, true> ? K : never }[ScanOptionName];
/** The keys of poisonscan.config.json's "scan" object. */
export type ConfigOptionName = Named<'config'>;
/** The options report.json's config repeats as given. */
export type ReportedOptionName = Named<'report'>;

/** The options the library's scan() takes, by the same names. */
export type LibraryOptionName = Exclude<ScanOptionName, Named<'commandOnly'>>;
/** scan()'s options as the schema declares them; a value, never a bare flag (--write-manifest's file is named). */
export type ScanSettings = { -readonly [K in LibraryOptionName]?: (typeof SCAN_OPTIONS)[K] extends { kind: 'flag-or-string' } ? string : ValueOf<(typeof SCAN_OPTIONS)[K]> };

/** What poisonscan.config.json's "scan" object sets; a config-file value is never a bare flag. */
export type ScanDefaults = { -readonly [K in ConfigOptionName]?: Exclude<ValueOf<(typeof SCAN_OPTIONS)[K]>, true> };

const names = Object.keys(SCAN_OPTIONS) as ScanOptionName[];
const has = (k: ScanOptionName, p: 'config' | 'report' | 'commandOnly') => (SCAN_OPTIONS[k] as OptionSpec)[p] === true;
export const CONFIG_OPTIONS = names.filter((k) => has(k, 'config')) as ConfigOptionName[];
export const REPORTED_OPTIONS = names.filter((k) => has(k, 'report')) as ReportedOptionName[];
export const LIBRARY_OPTIONS = names.filter((k) => !has(k, 'commandOnly')) as LibraryOptionName[];

/** The library's options of the read group: how a dataset is read (format, manifest, columns, split). */
export type ReadOptionName = { [K in LibraryOptionName]: (typeof SCAN_OPTIONS)[K] extends { group: 'read' } ? K : never }[LibraryOptionName];
export const READ_OPTIONS = LIBRARY_OPTIONS.filter((k) => SCAN_OPTIONS[k].group === 'read') as ReadOptionName[];

/** The library's options that change what a fingerprint is: the read group's and those marked `fingerprints`, in their order. */
export type FingerprintOptionName = ReadOptionName | { [K in LibraryOptionName]: (typeof SCAN_OPTIONS)[K] extends { fingerprints: true } ? K : never }[LibraryOptionName];
export const FINGERPRINT_OPTIONS = LIBRARY_OPTIONS.filter((k) => SCAN_OPTIONS[k].group === 'read' || (SCAN_OPTIONS[k] as OptionSpec).fingerprints === true) as FingerprintOptionName[];
