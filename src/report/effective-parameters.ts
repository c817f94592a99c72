// The value a scan used for a detector parameter: the one its report.json's config.parameters sets, else the
// default the detector declares (detect/registry.ts). A renderer that quotes a line reads it through here.
import { parameterValues, type ParameterValues } from '../config/parameters.js';
import { PARAMETERS } from '../detect/registry.js';
import type { Report } from '../types.js';

/** The detector parameters a report's scan set (its config.parameters, checked when the scan began), or none. */
export function parametersSet(config: Report['config']): ParameterValues | undefined {
  const set = config.parameters;
  return typeof set === 'object' && set !== null && !Array.isArray(set) ? (set as ParameterValues) : undefined;
}

/** `detector`'s parameter `name` as the scan used it: the value set, else the declared default; null when it declares none such. */
export function effectiveParameter(set: ParameterValues | undefined, detector: string, name: string): number | null {
  const specs = Object.hasOwn(PARAMETERS, detector) ? PARAMETERS[detector]! : undefined;
  if (!specs || !Object.hasOwn(specs, name)) return null;
  return parameterValues(specs, Object.hasOwn(set ?? {}, detector) ? set![detector] : undefined)[name] ?? null;
}
