// SARIF 2.1.0 output (--sarif FILE), so code-scanning dashboards list poisonscan's findings.
// One result per finding; its samples are locations relative to the dataset (image files) or logical
// locations (rows of a tabular file). partialFingerprints carry the finding fingerprint so dashboards track
// a finding across runs, and reviewed findings appear as suppressed.
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Report } from '../types.js';
import { DETECTORS } from '../detect/registry.js';

const LEVEL = { high: 'error', medium: 'warning', low: 'note' } as const;
/** Locations listed per result: dashboards choke on thousands. */
const MAX_LOCATIONS = 50;

type SarifValue = string | number | boolean | null | SarifValue[] | { [k: string]: SarifValue };

export function toSarif(report: Report): { [k: string]: SarifValue } {
  const isFolder = report.dataset.format === 'imagefolder';
  // The base must name a folder (end with a slash): the dataset's own folder, or the folder of a dataset file,
  // whose name then is every location's uri.
  const path = report.dataset.path;
  const dir = isFolder || isDirectory(path);
  const base = folderUri(dir ? path : dirname(path));
  const fileUri = dir ? '' : encodeURI(basename(path));
  const rules = [...new Set(report.findings.map((f) => f.detector))].map((d) => ({
    id: d,
    name: d,
    shortDescription: { text: describe(d) },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'poisonscan', version: report.tool.version, rules } },
      originalUriBaseIds: { DATASET: { uri: base } },
      results: report.findings.map((f) => result(f, isFolder, fileUri)),
    }],
  };
}

function result(f: Finding, isFolder: boolean, fileUri: string): { [k: string]: SarifValue } {
  const shown = f.samples.slice(0, MAX_LOCATIONS);
  const more = f.samples.length - shown.length;
  const r: { [k: string]: SarifValue } = {
    ruleId: f.detector,
    level: LEVEL[f.severity],
    message: { text: `${f.id}: ${f.title}${more > 0 ? ` (${more} more samples in report.json)` : ''}` },
    locations: isFolder
      ? shown.map((id) => ({ physicalLocation: { artifactLocation: { uri: encodeURI(id), uriBaseId: 'DATASET' } } }))
      : [{ physicalLocation: { artifactLocation: { uri: fileUri, uriBaseId: 'DATASET' } }, logicalLocations: shown.map((id) => ({ name: id, kind: 'element' })) }],
    partialFingerprints: { 'poisonscanFinding/v1': f.fingerprint ?? '' },
    properties: { kind: f.kind, severity: f.severity, score: f.score, samples: f.samples.length, ...(f.newSinceBaseline !== undefined ? { newSinceBaseline: f.newSinceBaseline } : {}) },
  };
  if (f.suppressed) r.suppressions = [{ kind: 'external', justification: f.suppressed.reason }];
  return r;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function folderUri(p: string): string {
  const href = pathToFileURL(p).href;
  return href.endsWith('/') ? href : href + '/';
}

function describe(detector: string): string {
  if (detector === 'verify') return 'samples that differ from a manifest of content hashes (changed, re-encoded, missing, unexpected)';
  return DETECTORS.find((d) => d.name === detector)?.description ?? detector;
}
