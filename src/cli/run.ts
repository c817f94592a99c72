// A command's work returns its exit code (0: done, 1: a finding at or above --fail-on); main() reads it once the
// command line is parsed and is the one place that hands it to the process.
import type { Command } from 'commander';

/** The exit code of the command that ran, by the program it belongs to. */
const codes = new WeakMap<Command, number>();

/** Sets `run` as the action of `cmd`: commander passes the arguments and options, `run` returns the exit code. */
export function runs<A extends unknown[]>(cmd: Command, run: (...args: A) => Promise<number>): Command {
  return cmd.action(async (...args: unknown[]) => {
    codes.set(rootOf(cmd), await run(...(args as A)));
  });
}

/** The exit code the command that `program` ran returned; 0 when none ran one (help, version). */
export function exitCodeOf(program: Command): number {
  return codes.get(program) ?? 0;
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}
