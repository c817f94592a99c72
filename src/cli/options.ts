// Options on the command line: commander options made from their one declaration (an OptionSpec): the scan's in
// config/options.ts, each other command's beside it in cli/.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { OPTION_GROUPS, SCAN_OPTIONS, type OptionGroup, type OptionSpec, type ScanOptionName } from '../config/options.js';
import { addAssignment, type ParameterValues } from '../config/parameters.js';

/** The heading --help lists a group's options under. */
const HEADINGS: Record<OptionGroup, string> = {
  read: 'Reading:', fingerprint: 'Fingerprinting:', embeddings: 'Embeddings:', detect: 'Detection:', output: 'Output:', attack: 'Attack:',
};

/** A commander parser for a whole number of at least `min`. */
export function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return n;
  };
}

/** A commander parser for a share in [0, 1]. */
export function share(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a share between 0 and 1 (0.001 is 0.1%)`);
    return n;
  };
}

/** A commander parser for any finite number. */
function number(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
    return n;
  };
}

/** Most numbers one range may name. */
const MAX_RANGE = 100_000;

/** A commander parser for N, A-B or a comma-separated list of them: the whole numbers they name, in order, each once. */
function range(name: string) {
  return (v: string): number[] => {
    const out: number[] = [];
    const seen = new Set<number>();
    for (const part of list(v)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) throw new InvalidArgumentError(`${name} takes N, A-B or a comma-separated list of them`);
      const a = Number(m[1]), b = Number(m[2] ?? m[1]);
      if (b < a) throw new InvalidArgumentError(`${name}: ${part} ends before it starts`);
      if (b - a >= MAX_RANGE) throw new InvalidArgumentError(`${name}: ${part} names more than ${MAX_RANGE} numbers`);
      for (let k = a; k <= b; k++) {
        if (seen.has(k)) throw new InvalidArgumentError(`${name}: ${k} is named twice`);
        seen.add(k);
        out.push(k);
      }
    }
    if (!out.length) throw new InvalidArgumentError(`${name} takes N, A-B or a comma-separated list of them`);
    return out;
  };
}

/** A comma-separated list: its items, trimmed, without empty ones. */
function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The commander option of a declared option; `help` replaces its help where a command means something narrower. */
export function optionFrom(spec: OptionSpec, help?: string): Option {
  const o = new Option(spec.flags, help ?? spec.help);
  const flag = o.long!;
  if (spec.kind === 'choice') o.choices(spec.choices);
  else if (spec.kind === 'int') o.argParser(int(flag, spec.min));
  else if (spec.kind === 'share') o.argParser(share(flag));
  else if (spec.kind === 'number') o.argParser(number(flag));
  else if (spec.kind === 'range') o.argParser(range(flag));
  else if (spec.kind === 'list') o.argParser(list);
  // Repeatable: each detector.name=value is added to the ones before it.
  else if (spec.kind === 'parameters') o.argParser((v: string, before?: ParameterValues) => addAssignment(v, before));
  if (spec.default !== undefined) o.default(spec.default);
  if (spec.required) o.makeOptionMandatory();
  if (spec.hidden) o.hideHelp();
  return o.helpGroup(HEADINGS[spec.group]);
}

/** The commander option of a scan option. */
export function optionOf(name: ScanOptionName, help?: string): Option {
  return optionFrom(SCAN_OPTIONS[name], help);
}

/** Option names by group, in OPTION_GROUPS' order, each group in the order given. */
export function byGroup<K extends string>(names: readonly K[], specs: Record<K, OptionSpec>): K[] {
  const rank = (k: K) => OPTION_GROUPS.indexOf(specs[k].group);
  return names.map((k, i) => ({ k, i })).sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i).map((x) => x.k);
}

/** Adds these scan options to `cmd`, by group (so --help lists them under their group's heading). */
export function addOptions(cmd: Command, names: readonly ScanOptionName[], help: Partial<Record<ScanOptionName, string>> = {}): Command {
  for (const name of byGroup(names, SCAN_OPTIONS)) cmd.addOption(optionOf(name, help[name]));
  return cmd;
}

/** Adds every option of a command's declaration to `cmd`, by group. */
export function addDeclared(cmd: Command, specs: Record<string, OptionSpec>): Command {
  for (const name of byGroup(Object.keys(specs), specs)) cmd.addOption(optionFrom(specs[name]!));
  return cmd;
}
