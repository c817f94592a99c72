// Sub-commands besides scan. Each lives in its own module and is added here.
import type { Command } from 'commander';
import { injectCommand } from './cmd-inject.js';
import { benchCommand } from './cmd-bench.js';
import { verifyCommand } from './cmd-verify.js';
import { diffCommand } from './cmd-diff.js';
import { detectCommand } from './cmd-detect.js';
import { cleanCommand } from './cmd-clean.js';
import { reviewCommand } from './cmd-review.js';

export function registerExtraCommands(program: Command): void {
  program.addCommand(injectCommand());
  program.addCommand(benchCommand());
  program.addCommand(verifyCommand());
  program.addCommand(diffCommand());
  program.addCommand(detectCommand());
  program.addCommand(cleanCommand());
  program.addCommand(reviewCommand());
}
