// Detector parameters: the thresholds, counts and sizes a detector lets a user tune, each declared once beside the
// detector's code (Detector.parameters: kind, default, bounds, help). One scan option sets them, `--set
// detector.name=value` (repeatable), and so does poisonscan.config.json's "detectors" object; the declarations check
// both, and report.json's config repeats the values that were set. A detector reads its values with parametersOf():
// the value set, else the declared default.
import { UsageError } from '../types.js';

/** One tunable parameter of a detector. */
export interface ParameterSpec {
  /** `int`: a whole number; `number`: any finite number. */
  kind: 'int' | 'number';
  default: number;
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed, when there is one. */
  max?: number;
  /** One line for --help: what the value decides. */
  help: string;
}

/** A detector's parameters, by name (camelCase, as on the command line and in the config file). */
export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;

/** Values set for detector parameters: by detector name, then by parameter name. */
export type ParameterValues = { [detector: string]: { [parameter: string]: number } };

/** A detector's parameters as it reads them: every declared name has a value. */
export type ResolvedParameters<P extends ParameterSpecs> = { readonly [K in keyof P]: number };

/** The values of `specs` for `detector`: those set in `values`, else the declared defaults. */
export function parameterValues<P extends ParameterSpecs>(specs: P, set: { [parameter: string]: number } | undefined): ResolvedParameters<P> {
  const out: Record<string, number> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = set?.[name] ?? spec.default;
  return out as ResolvedParameters<P>;
}

/** What a value of this parameter must be, when `v` is not that; null when it is. */
export function parameterMismatch(spec: ParameterSpec, v: unknown): string | null {
  const ok = typeof v === 'number' && Number.isFinite(v) && (spec.kind === 'number' || Number.isInteger(v)) && v >= spec.min && (spec.max === undefined || v <= spec.max);
  return ok ? null : describeValue(spec);
}

/** "a whole number >= 1", "a number from 0 to 1": what the parameter takes. */
export function describeValue(spec: ParameterSpec): string {
  const what = spec.kind === 'int' ? 'a whole number' : 'a number';
  return spec.max === undefined ? `${what} >= ${spec.min}` : `${what} from ${spec.min} to ${spec.max}`;
}

/** One `detector.name=value` of the command line, added to `into` (a later one wins); the value must be a number. */
export function addAssignment(text: string, into: ParameterValues = {}): ParameterValues {
  const m = /^([^.=\s]+)\.([^.=\s]+)=(.+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--set takes detector.parameter=value (for example outlier.zReport=10), not "${text}"`);
  const [, detector, name, raw] = m as unknown as [string, string, string, string];
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--set ${detector}.${name}: "${raw}" is not a number`);
  return { ...into, [detector]: { ...into[detector], [name]: value } };
}

/**
 * Checks values set against the declarations (by detector name) and returns them in the declarations' order;
 * an unknown detector or parameter, or a value out of bounds, is a usage error that names `where` they came from.
 */
export function checkParameterValues(values: unknown, declared: Readonly<Record<string, ParameterSpecs>>, where: string): ParameterValues {
  if (!isObject(values)) throw new UsageError(`${where} must be an object of detectors, each an object of parameter values`);
  const withParameters = Object.keys(declared).filter((d) => Object.keys(declared[d]!).length > 0);
  for (const [detector, set] of Object.entries(values)) {
    const specs = Object.hasOwn(declared, detector) ? declared[detector] : undefined;
    if (!specs || Object.keys(specs).length === 0) {
      throw new UsageError(`${where}: ${specs ? `${detector} has no parameters` : `unknown detector "${detector}"`} (detectors with parameters: ${withParameters.join(', ')})`);
    }
    if (!isObject(set)) throw new UsageError(`${where}.${detector} must be an object of parameter values`);
    for (const [name, v] of Object.entries(set)) {
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (!spec) throw new UsageError(`${where}: unknown parameter ${detector}.${name} (${detector}'s: ${Object.keys(specs).join(', ')})`);
      const expected = parameterMismatch(spec, v);
      if (expected) throw new UsageError(`${where}: ${detector}.${name} must be ${expected}, not ${JSON.stringify(v)}`);
    }
  }
  const out: ParameterValues = {};
  for (const [detector, specs] of Object.entries(declared)) {
    const set = values[detector] as Record<string, number> | undefined;
    if (!set) continue;
    const ordered = Object.keys(specs).filter((k) => set[k] !== undefined);
    if (ordered.length) out[detector] = Object.fromEntries(ordered.map((k) => [k, set[k]!]));
  }
  return out;
}

/** Whether any parameter is set. */
export function anyParameterSet(values: ParameterValues | undefined): values is ParameterValues {
  return values !== undefined && Object.keys(values).length > 0;
}

/** `over`'s values win over `base`'s, parameter by parameter. */
export function mergeParameterValues(base: ParameterValues | undefined, over: ParameterValues | undefined): ParameterValues {
  const out: ParameterValues = { ...base };
  for (const [d, set] of Object.entries(over ?? {})) out[d] = { ...out[d], ...set };
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
