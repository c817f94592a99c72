#!/usr/bin/env node
// poisonscan command line: commander wiring only; the work lives in the pipeline modules.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { cpus } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scan } from '../scan.js';
import { DETECTORS } from '../detect/registry.js';
import { consoleSummary } from '../report/console.js';
import { FORMATS } from '../ingest/detect-format.js';
import { UsageError, type FailOn } from '../types.js';
import { VERSION } from '../version.js';
import { registerExtraCommands } from './commands.js';
import { exitCodeOf, runs } from './run.js';
import { runFingerprintStage } from './cmd-detect.js';
import { int, readOptions } from './dataset-options.js';
import { addEmbedOptions, readEmbedOptions } from './embed-options.js';
import { CONFIG_FILE, loadConfig, type ScanDefaults } from '../config/config.js';
import { ioReason, isSystemError } from '../store/io-errors.js';

/** Options given on the command line win; the project config fills the rest, then commander's defaults. */
export function withConfigDefaults(cli: Record<string, unknown>, defaults: ScanDefaults, cmd: Command): Record<string, unknown> {
  const o: Record<string, unknown> = { ...cli };
  for (const [k, v] of Object.entries(defaults)) {
    if (cmd.getOptionValueSource(k) !== 'cli') o[k] = v;
  }
  return o;
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('poisonscan').description('Audit ML training datasets for data poisoning and backdoors before training').version(VERSION);
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const scanCommand = program
    .command('scan')
    .description('scan a dataset (a folder or a file) and write report.json, scores.csv, scores.arrow, report.html')
    .argument('<dataset>', 'dataset folder or file')
    .option('-o, --out <dir>', 'where the outputs go', './poisonscan-report')
    .addOption(new Option('--input-format <format>', 'force the dataset\'s format (detected otherwise)').choices(FORMATS))
    .addOption(new Option('--format <format>', 'the earlier name of --input-format').choices(FORMATS).hideHelp())
    .option('--manifest <file>', 'CSV/JSONL with path and optional label naming the images')
    .option('--text-column <c>', 'text column')
    .option('--label-column <c>', 'label column')
    .option('--id-column <c>', 'sample id column')
    .option('--prompt-column <c>', 'prompt column (instruction data)')
    .option('--response-column <c>', 'response column (instruction data)')
    .option('--image-column <c>', 'image column in tabular data')
    .option('--embedding-column <c>', 'column of per-sample embedding vectors (turns on the embedding detectors)')
    .option('--embeddings <file.npy>', 'embeddings, one row per sample in the dataset\'s order (float32/float64 .npy)')
    .option('--embedding-ids <file>', 'the sample id of each .npy row, one per line (aligns by id instead of order)')
    .option('--model <model.json>', 'a TensorFlow.js layers or graph model whose layer activations are the images\' embeddings')
    .option('--layer <name>', 'the layer (graph model: node) of --model to read (default: the one before the output)');
  addEmbedOptions(scanCommand)
    .option('--split <name>', 'split of a Hugging Face DatasetDict folder (default: train, or the first)')
    .option('--detectors <list>', `run only these detectors (comma separated): ${DETECTORS.map((d) => d.name).join(', ')}`)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices(['high', 'medium', 'low', 'never']).default('high'))
    .option('--concurrency <n>', 'parallel decode/fingerprint work', int('--concurrency', 1), cpus().length)
    .option('--seed <n>', 'seed for every random choice', int('--seed', 0), 0)
    .option('--grid <n>', 'side of the working grid images are resampled to (default: the first image\'s size, at most 64)', int('--grid', 8))
    .option('-q, --quiet', 'no progress or summary on stderr')
    .option('--json', 'print report.json to stdout')
    .option('--baseline <dir>', 'a previous report folder: re-use fingerprints of unchanged samples, mark findings new since then')
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0 (code-scanning dashboards)')
    .option('--write-manifest [file]', 'write a content manifest (ids, sizes, sha256, md5, perceptual hashes) for a later verify (default <out>/manifest.jsonl)')
    .option('--config <file>', `project defaults and suppressions (default ./${CONFIG_FILE} when present)`)
    .option('--resume', 'continue an interrupted scan into the same --out: finished fingerprint parts are not decoded again')
    .option('--checkpoint-every <n>', 'image samples per fingerprint part written as it completes (0: none)', int('--checkpoint-every', 0))
    .addOption(new Option('--stage <stage>', 'run only this stage (fingerprint: write fingerprints for a later `detect`)').choices(['fingerprint']))
    .option('--shard <i/n>', 'with --stage fingerprint: only the I-th of N equal, contiguous slices of the samples (0-based)')
    .option('--max-unreadable <ratio>', 'share of unreadable samples above which the scan reports a medium finding', share('--max-unreadable'), 0.001);
  runs(scanCommand, async (dataset: string, cli: Record<string, unknown>, cmd: Command) => {
    const cfg = await loadConfig(cli.config as string | undefined);
    const o = withConfigDefaults(cli, cfg.scan, cmd);
    if (o.stage === 'fingerprint' || o.shard !== undefined) return runFingerprintStage(dataset, o);
    const out = o.out as string;
    const wm = o.writeManifest;
    const result = await scan({
      ...readOptions(dataset, o),
      ...readEmbedOptions(o),
      embeddingIds: o.embeddingIds as string | undefined,
      model: o.model as string | undefined,
      layer: o.layer as string | undefined,
      detectors: Array.isArray(o.detectors) ? (o.detectors as string[]) : typeof o.detectors === 'string' ? o.detectors.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      failOn: o.failOn as FailOn,
      seed: o.seed as number,
      quiet: Boolean(o.quiet) || Boolean(o.json),
      sarif: o.sarif as string | undefined,
      writeManifest: wm === true ? join(out, 'manifest.jsonl') : typeof wm === 'string' ? wm : undefined,
      suppressions: cfg.suppressions,
      maxUnreadable: o.maxUnreadable as number,
    });
    if (o.json) process.stdout.write(await readFile(join(result.outDir, 'report.json'), 'utf8'));
    else if (!o.quiet) process.stderr.write(consoleSummary(result.report, result.outDir) + '\n');
    return result.exitCode;
  });

  registerExtraCommands(program);
  // Usage errors of every sub-command end in main() (exit 2), as scan's do; commander would exit 1 itself.
  for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: (x) => process.stderr.write(x) });
  // `poisonscan` with no command is a usage error: the help goes to stderr, exit 2.
  program.allowExcessArguments().action(() => {
    const commands = program.commands.map((c) => c.name()).join(', ');
    if (program.args.length) throw new UsageError(`unknown command "${program.args[0]}" (commands: ${commands})`);
    program.outputHelp({ error: true });
    throw new UsageError(`no command given (${commands})`);
  });
  return program;
}

/** A commander parser for a share in [0, 1]. */
function share(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a share between 0 and 1 (0.001 is 0.1%)`);
    return n;
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return exitCodeOf(program);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed its one line
    }
    if (e instanceof UsageError) {
      process.stderr.write(`poisonscan: ${e.message}\n`);
      return 2;
    }
    if (isSystemError(e)) {
      // A file that cannot be read or written (full disk, permissions, a file where a folder should be): one line.
      process.stderr.write(`poisonscan: ${e.syscall === 'write' || e.syscall === 'open' || e.syscall === 'mkdir' || e.syscall === 'rename' ? 'cannot write' : 'cannot read'} ${e.path ?? ''}: ${ioReason(e)}\n`);
      return 2;
    }
    process.stderr.write(`poisonscan: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

let stdoutFailure: Error | null = null;

// Run when executed directly (bin or node dist/cli/main.js), not when imported by tests.
if (process.argv[1] && /[\\/]cli[\\/]main\.(js|ts)$/.test(process.argv[1]) || /poisonscan$/.test(process.argv[1] ?? '')) {
  // stdout closed by its reader (`poisonscan scan --json ... | head -c1`): one line, exit 2, not a stack trace.
  process.stdout.on('error', (e) => {
    if (stdoutFailure) return;
    stdoutFailure = e;
    process.stderr.write(`poisonscan: cannot write to stdout: ${ioReason(e)}\n`);
    process.exit(2);
  });
  main(process.argv).then((code) => {
    process.exitCode = stdoutFailure ? 2 : code;
  });
}
