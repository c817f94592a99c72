// A command's action returns its exit code; the program it belongs to hands it to main().
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, runs } from '../src/cli/run.js';

function checkProgram(code: number): { program: Command; seen: unknown[] } {
  const seen: unknown[] = [];
  const program = new Command().exitOverride();
  program.addCommand(runs(new Command('check').argument('<what>').option('--strict'), async (what: string, o: Record<string, unknown>) => {
    seen.push(what, o.strict);
    return code;
  }));
  return { program, seen };
}

describe('command exit codes', () => {
  it('are what the action returned, with its arguments and options passed on', async () => {
    const { program, seen } = checkProgram(1);
    await program.parseAsync(['node', 'x', 'check', 'data', '--strict']);
    expect(exitCodeOf(program)).toBe(1);
    expect(seen).toEqual(['data', true]);
    expect(process.exitCode).toBeUndefined();
  });

  it('are 0 when no command ran', async () => {
    const { program } = checkProgram(1);
    expect(exitCodeOf(program)).toBe(0);
  });

  it('belong to their own program', async () => {
    const a = checkProgram(1), b = checkProgram(0);
    await a.program.parseAsync(['node', 'x', 'check', 'data']);
    expect(exitCodeOf(a.program)).toBe(1);
    expect(exitCodeOf(b.program)).toBe(0);
  });
});
