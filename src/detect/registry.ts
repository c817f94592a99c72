// Every detector poisonscan knows. Adding one: write src/detect/<name>.ts and list it here.
import { UsageError } from '../types.js';
import type { AnyDetector, ScanContext } from './detector.js';
import { triggerCluster } from './trigger-cluster.js';
import { blend } from './blend.js';
import { nearDuplicate } from './near-duplicate.js';
import { textNearDuplicate } from './text-near-duplicate.js';
import { outlier } from './outlier.js';
import { triggerToken } from './trigger-token.js';
import { documentTrigger } from './document-trigger.js';
import { provenance } from './provenance.js';
import { responseCluster, responseClusterParts } from './response-cluster.js';
import type { DetectorParts } from './detector-parts.js';
import { textAnomaly } from './text-anomaly.js';
import { spectralSignature } from './spectral-signature.js';
import { activationClustering } from './activation-clustering.js';
import { robustCovariance } from './robust-covariance.js';
import { labelConflict } from './label-conflict.js';
import { CROSS_MODAL, CROSS_MODAL_PARAMETERS } from './cross-modal.js';
import { checkParameterValues, type ParameterSpecs, type ParameterValues } from '../config/parameters.js';

// One entry per modality variant; variants of one name (near-duplicate of images or of texts, trigger-token of
// labelled texts or of documents) never apply to the same scan, and sit together so that the order of the
// detectors that run stays the same.
export const DETECTORS: AnyDetector[] = [
  triggerCluster, blend, nearDuplicate, textNearDuplicate, outlier, provenance, triggerToken, documentTrigger, responseCluster, textAnomaly,
  spectralSignature, activationClustering, robustCovariance, labelConflict,
];

/**
 * The detectors that may run on a worker thread: they read only the columns a thread can be sent (ids, labels,
 * texts) and the scan's settings, never image columns or embeddings (stages/detector-threads.ts).
 */
export const ON_THREADS: ReadonlySet<AnyDetector> = new Set([textNearDuplicate, triggerToken, documentTrigger, responseCluster, textAnomaly]);

/** Detectors on threads whose work splits into parts that may run at once, each on a thread (detect/detector-parts.ts). */
export const IN_PARTS: ReadonlyMap<AnyDetector, DetectorParts> = new Map<AnyDetector, DetectorParts>([[responseCluster, responseClusterParts as DetectorParts]]);

/** The names --detectors takes, each once (variants of one name are one name), in the registry's order. */
export const DETECTOR_NAMES: readonly string[] = [...new Set(DETECTORS.map((d) => d.name))];

/** The kinds of finding a detector emits: those it declares, else its name. */
export function kindsOf(d: AnyDetector): readonly string[] {
  return d.kinds ?? [d.name];
}

/** Every kind of finding the registered detectors emit, in the registry's order. */
export const DETECTOR_KINDS: readonly string[] = [...new Set(DETECTORS.flatMap(kindsOf))];

/** Every declared parameter, by detector (and the cross-modal check, which runs after them), in the registry's order. */
export const PARAMETERS: Readonly<Record<string, ParameterSpecs>> = parameterTable();

function parameterTable(): Record<string, ParameterSpecs> {
  const table: Record<string, ParameterSpecs> = {};
  // Variants of one detector (one name, several entries) pool their declarations.
  for (const d of DETECTORS) table[d.name] = { ...table[d.name], ...d.parameters };
  table[CROSS_MODAL] = CROSS_MODAL_PARAMETERS;
  return table;
}

/** Parameter values checked against the declarations (a usage error names `where` they came from), in their order. */
export function checkParameters(values: unknown, where: string): ParameterValues {
  return checkParameterValues(values, PARAMETERS, where);
}

export function checkDetectorNames(names: string[]): void {
  const unknown = names.filter((n) => !DETECTOR_NAMES.includes(n));
  if (unknown.length) throw new UsageError(`unknown detector ${unknown.join(', ')} (known: ${DETECTOR_NAMES.join(', ')})`);
}

export function detectorsFor(ctx: ScanContext, only?: string[]): AnyDetector[] {
  if (only && only.length) {
    checkDetectorNames(only);
    return DETECTORS.filter((d) => only.includes(d.name) && d.appliesTo(ctx));
  }
  return DETECTORS.filter((d) => d.appliesTo(ctx));
}
