// SARIF 2.1.0 output (--sarif FILE), so code-scanning dashboards list poisonscan's findings.
// One result per finding; its samples are locations relative to the dataset (image files) or logical
// locations (rows of a tabular file). partialFingerprints carry the finding fingerprint so dashboards track
// a finding across runs, and reviewed findings appear as suppressed.
import { pathToFileURL } from 'node:url';
import type { Finding, Report } from '../types.js';
import { DETECTORS } from '../detect/registry.js';

const LEVEL = { high: 'error', medium: 'warning', low: 'note' } as const;
/** Locations listed per result: dashboards choke on thousands. */
const MAX_LOCATIONS = 50;

type SarifValue = string | number | boolean | null | SarifValue[] | { [k: string]: SarifValue };

export function toSarif(report: Report): { [k: string]: SarifValue } {
  const isFolder = report.dataset.format === 'imagefolder';
  const base = pathToFileURL(report.dataset.path.endsWith('/') || !isFolder ? report.dataset.path : report.dataset.path + '/').href;
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
      results: report.findings.map((f) => result(f, isFolder)),
    }],
  };
}

function result(f: Finding, isFolder: boolean): { [k: string]: SarifValue } {
  const shown = f.samples.slice(0, MAX_LOCATIONS);
  const more = f.samples.length - shown.length;
  const r: { [k: string]: SarifValue } = {
    ruleId: f.detector,
    level: LEVEL[f.severity],
    message: { text: `${f.id}: ${f.title}${more > 0 ? ` (${more} more samples in report.json)` : ''}` },
    locations: isFolder
      ? shown.map((id) => ({ physicalLocation: { artifactLocation: { uri: encodeURI(id), uriBaseId: 'DATASET' } } }))
      : [{ physicalLocation: { artifactLocation: { uri: '', uriBaseId: 'DATASET' } }, logicalLocations: shown.map((id) => ({ name: id, kind: 'element' })) }],
    partialFingerprints: { 'poisonscanFinding/v1': f.fingerprint ?? '' },
    properties: { kind: f.kind, severity: f.severity, score: f.score, samples: f.samples.length, ...(f.newSinceBaseline !== undefined ? { newSinceBaseline: f.newSinceBaseline } : {}) },
  };
  if (f.suppressed) r.suppressions = [{ kind: 'external', justification: f.suppressed.reason }];
  return r;
}

function describe(detector: string): string {
  if (detector === 'verify') return 'samples that differ from a manifest of content hashes (changed, re-encoded, missing, unexpected)';
  return DETECTORS.find((d) => d.name === detector)?.description ?? detector;
}
