#!/usr/bin/env node
// poisonscan command line: commander wiring only; the work lives in the pipeline modules.
import { Command, CommanderError } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scan } from '../scan.js';
import { DETECTOR_NAMES } from '../detect/registry.js';
import { consoleSummary } from '../report/console.js';
import { UsageError } from '../types.js';
import { VERSION } from '../version.js';
import { registerExtraCommands } from './commands.js';
import { exitCodeOf, runs } from './run.js';
import { runFingerprintStage } from './cmd-detect.js';
import { scanSettingsOf } from './dataset-options.js';
import { addOptions } from './options.js';
import { givenParameters, parametersHelp } from './parameters.js';
import { loadConfig, type ScanDefaults } from '../config/config.js';
import { SCAN_OPTIONS, type ScanOptionName, type ScanValues } from '../config/options.js';
import { ioReason, isSystemError } from '../store/io-errors.js';

/** Options given on the command line win; the project config fills the rest, then commander's defaults. */
export function withConfigDefaults(cli: ScanValues, defaults: ScanDefaults, cmd: Command): ScanValues {
  const o: Record<string, unknown> = { ...cli };
  for (const [k, v] of Object.entries(defaults)) {
    if (cmd.getOptionValueSource(k) !== 'cli') o[k] = v;
  }
  return o as ScanValues;
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('poisonscan').description('Audit ML training datasets for data poisoning and backdoors before training').version(VERSION);
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const scanCommand = program
    .command('scan')
    .description('scan a dataset (a folder or a file) and write report.json, scores.csv, scores.arrow, report.html')
    .argument('<dataset>', 'dataset folder or file');
  addOptions(scanCommand, Object.keys(SCAN_OPTIONS) as ScanOptionName[], {
    detectors: `${SCAN_OPTIONS.detectors.help}: ${DETECTOR_NAMES.join(', ')}`,
  });
  scanCommand.addHelpText('after', parametersHelp());
  runs(scanCommand, async (dataset: string, cli: ScanValues, cmd: Command) => {
    const cfg = await loadConfig(cli.config);
    const o = withConfigDefaults(cli, cfg.scan, cmd);
    if (o.stage === 'fingerprint' || o.shard !== undefined) return runFingerprintStage(dataset, o);
    const result = await scan({ ...scanSettingsOf(o), set: givenParameters(cfg, o.set), dataset, suppressions: cfg.suppressions });
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
