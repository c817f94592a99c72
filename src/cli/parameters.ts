// Detector parameters on the command line: --set values over the config file's "detectors" object, each checked
// against the detectors' declarations, and the list --help prints of every declared parameter.
import type { ProjectConfig } from '../config/config.js';
import { describeValue, mergeParameterValues, type ParameterValues } from '../config/parameters.js';
import { CONFIG_FILE } from '../config/options.js';
import { checkParameters, PARAMETERS } from '../detect/registry.js';

/** The parameters a scan runs with: the config file's, then --set's (the command line wins); checked, each named by its source. */
export function givenParameters(cfg: Pick<ProjectConfig, 'path' | 'detectors'>, set: ParameterValues | undefined): ParameterValues {
  const fromFile = checkParameters(cfg.detectors, `config ${cfg.path ?? CONFIG_FILE}: detectors`);
  return mergeParameterValues(fromFile, checkParameters(set ?? {}, '--set'));
}

/** --help's list of every declared parameter: name=default, what it decides, what it takes. */
export function parametersHelp(): string {
  const rows = Object.entries(PARAMETERS).flatMap(([d, specs]) => Object.entries(specs).map(([name, spec]) => ({
    left: `${d}.${name}=${spec.default}`, right: `${spec.help} (${describeValue(spec)})`,
  })));
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return [
    '',
    `Detector parameters (--set detector.name=value, repeatable; or ${CONFIG_FILE}'s "detectors": {"detector": {"name": value}}), with their defaults:`,
    ...rows.map((r) => `  ${r.left.padEnd(width)}${r.right}`),
  ].join('\n');
}
