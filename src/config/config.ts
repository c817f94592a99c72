// poisonscan.config.json: per-project defaults for scan options and suppressions of reviewed findings.
// Found in the working directory, or named with --config. Command-line options win over it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, type Finding } from '../types.js';
import { EMBED_KINDS } from './embed.js';
import { CONFIG_FILE } from './options.js';

export { CONFIG_FILE };

/** Scan options a project may set; the keys are the option names in camelCase, as in report.json's config. */
const SCAN_KEYS = {
  out: 'string', format: 'string', manifest: 'string', textColumn: 'string', labelColumn: 'string', idColumn: 'string',
  promptColumn: 'string', responseColumn: 'string', imageColumn: 'string', split: 'string', embeddingColumn: 'string', embeddings: 'string', embeddingIds: 'string', detectors: 'string[]', failOn: 'severity',
  concurrency: 'int', seed: 'int', grid: 'int', sarif: 'string', baseline: 'string', writeManifest: 'string',
  maxUnreadable: 'share', embed: 'embed', embedSize: 'int',
} as const;
export type ScanDefaults = { [K in keyof typeof SCAN_KEYS]?: (typeof SCAN_KEYS)[K] extends 'string[]' ? string[] : (typeof SCAN_KEYS)[K] extends 'int' | 'share' ? number : string };
const ONE_OF: Record<string, readonly string[]> = { severity: ['high', 'medium', 'low', 'never'], embed: EMBED_KINDS };

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
  suppressions: Suppression[];
}

const EMPTY: ProjectConfig = { path: null, scan: {}, suppressions: [] };

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
  for (const k of Object.keys(raw)) if (k !== 'scan' && k !== 'suppressions' && k !== '$schema') throw bad(`unknown key "${k}" (expected "scan", "suppressions")`);
  const scan: Record<string, unknown> = {};
  if (raw.scan !== undefined) {
    if (!isObject(raw.scan)) throw bad('"scan" must be an object');
    for (const [k, v] of Object.entries(raw.scan)) {
      const type = (SCAN_KEYS as Record<string, string>)[k];
      if (!type) throw bad(`unknown scan option "${k}" (known: ${Object.keys(SCAN_KEYS).join(', ')})`);
      const ok = type === 'string' ? typeof v === 'string'
        : type === 'int' ? Number.isInteger(v) && (v as number) >= 0
        : type === 'share' ? typeof v === 'number' && v >= 0 && v <= 1
        : ONE_OF[type] ? ONE_OF[type].includes(v as string)
        : Array.isArray(v) && v.every((x) => typeof x === 'string');
      if (!ok) throw bad(`scan.${k} must be ${ONE_OF[type] ? `one of ${ONE_OF[type].join(', ')}` : type === 'share' ? 'a number between 0 and 1' : type === 'int' ? 'a whole number >= 0' : type === 'string[]' ? 'a list of strings' : 'a string'}`);
      scan[k] = v;
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
  return { scan: scan as ScanDefaults, suppressions };
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
