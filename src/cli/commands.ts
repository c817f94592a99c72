// Sub-commands besides scan (inject, bench, ...). Each registers itself here.
import type { Command } from 'commander';

export function registerExtraCommands(_program: Command): void {}
