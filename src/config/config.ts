// poisonscan.config.json: per-project defaults for scan options and detector parameters, and suppressions of
// reviewed findings. Found in the working directory, or named with --config. Command-line options win over it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, type Finding } from '../types.js';
import { CONFIG_FILE, CONFIG_OPTIONS, SCAN_OPTIONS, type ConfigOptionName, type OptionSpec, type ScanDefaults } from './options.js';
import type { ParameterValues } from './parameters.js';

export { CONFIG_FILE, type ScanDefaults };

export interface Suppression {
  fingerprint: string;
  reason: string;
  /** Who reviewed it, when: free text kept for the record. */
  reviewed?: string;
}

export interface ProjectConfig {
  /** Where it was read from, or null when there is none. */
  path: string | null;
  scan: ScanDefaults;
  /**
   * Detector parameters (`"detectors": { "outlier": { "zReport": 10 } }`), as written: numbers by detector and
   * name; the names and bounds are checked against the detectors' declarations when a scan starts.
   */
  detectors: ParameterValues;
  suppressions: Suppression[];
}

const EMPTY: ProjectConfig = { path: null, scan: {}, detectors: {}, suppressions: [] };

/** Reads --config FILE (must exist) or ./poisonscan.config.json (optional). Invalid content is a usage error. */
export async function loadConfig(explicit?: string, cwd = process.cwd()): Promise<ProjectConfig> {
  const path = resolve(cwd, explicit ?? CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw new UsageError(`cannot read config ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return { path, ...parseConfig(raw, path) };
}

export function parseConfig(raw: unknown, where: string): Omit<ProjectConfig, 'path'> {
  const bad = (msg: string) => new UsageError(`config ${where}: ${msg}`);
  if (!isObject(raw)) throw bad('must be a JSON object');
  for (const k of Object.keys(raw)) if (k !== 'scan' && k !== 'detectors' && k !== 'suppressions' && k !== '$schema') throw bad(`unknown key "${k}" (expected "scan", "detectors", "suppressions")`);
  const scan: Record<string, unknown> = {};
  if (raw.scan !== undefined) {
    if (!isObject(raw.scan)) throw bad('"scan" must be an object');
    for (const [k, v] of Object.entries(raw.scan)) {
      if (!(CONFIG_OPTIONS as string[]).includes(k)) throw bad(`unknown scan option "${k}" (known: ${CONFIG_OPTIONS.join(', ')})`);
      const spec: OptionSpec = SCAN_OPTIONS[k as ConfigOptionName];
      const expected = mismatch(spec, v);
      if (expected) throw bad(`scan.${k} must be ${expected}`);
      scan[k] = v;
    }
  }
  const detectors: ParameterValues = {};
  if (raw.detectors !== undefined) {
    if (!isObject(raw.detectors)) throw bad('"detectors" must be an object of detectors, each an object of parameter values');
    for (const [d, set] of Object.entries(raw.detectors)) {
      if (!isObject(set)) throw bad(`detectors.${d} must be an object of parameter values`);
      for (const [k, v] of Object.entries(set)) if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`detectors.${d}.${k} must be a number`);
      // Defined, not assigned: a key such as "__proto__" is then a name checked (and refused) like any other.
      Object.defineProperty(detectors, d, { value: set as Record<string, number>, enumerable: true, writable: true, configurable: true });
    }
  }
  const suppressions: Suppression[] = [];
  if (raw.suppressions !== undefined) {
    if (!Array.isArray(raw.suppressions)) throw bad('"suppressions" must be a list');
    raw.suppressions.forEach((s: unknown, i: number) => {
      if (!isObject(s)) throw bad(`suppressions[${i}] must be an object`);
      if (typeof s.fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(s.fingerprint)) throw bad(`suppressions[${i}].fingerprint must be a finding fingerprint (16 hex digits, from report.json)`);
      if (typeof s.reason !== 'string' || !s.reason.trim()) throw bad(`suppressions[${i}] needs a "reason": say why the finding was judged harmless`);
      for (const k of Object.keys(s)) if (!['fingerprint', 'reason', 'reviewed'].includes(k)) throw bad(`suppressions[${i}]: unknown key "${k}"`);
      suppressions.push({ fingerprint: s.fingerprint, reason: s.reason, ...(typeof s.reviewed === 'string' ? { reviewed: s.reviewed } : {}) });
    });
  }
  return { scan: scan as ScanDefaults, detectors, suppressions };
}

/**
 * Marks findings a suppression matches; returns how many. `aliases` maps a fingerprint to the one an earlier
 * version gave the same finding (by sample ids), so that suppressions written then still match.
 */
export function applySuppressions(findings: Finding[], suppressions: Suppression[], aliases?: Map<string, string>): number {
  if (suppressions.length === 0) return 0;
  const byFp = new Map(suppressions.map((s) => [s.fingerprint, s]));
  let n = 0;
  for (const f of findings) {
    const alias = f.fingerprint ? aliases?.get(f.fingerprint) : undefined;
    const s = f.fingerprint ? byFp.get(f.fingerprint) ?? (alias ? byFp.get(alias) : undefined) : undefined;
    if (s) {
      f.suppressed = { reason: s.reason };
      n++;
    }
  }
  return n;
}

/** What a config-file value of this option must be, when `v` is not that; null when it is. */
function mismatch(spec: OptionSpec, v: unknown): string | null {
  switch (spec.kind) {
    // Any whole number >= 0, as the config file has always taken (the command line's lower limits are its own).
    case 'int': return Number.isInteger(v) && (v as number) >= 0 ? null : 'a whole number >= 0';
    case 'share': return typeof v === 'number' && v >= 0 && v <= 1 ? null : 'a number between 0 and 1';
    case 'choice': return spec.choices.includes(v as string) ? null : `one of ${spec.choices.join(', ')}`;
    case 'list': return Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'a list of strings';
    case 'flag': return typeof v === 'boolean' ? null : 'true or false';
    case 'string': case 'flag-or-string': return typeof v === 'string' ? null : 'a string';
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'range': return Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0) ? null : 'a list of whole numbers >= 0';
    // The top-level "detectors" object holds these, not "scan".
    case 'parameters': return 'set in "detectors", not "scan"';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
