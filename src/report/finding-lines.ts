// The lines a finding was graded by, as its scan drew them, for the sentences that quote them (reason-lines.ts).
// Significance lines are detector parameters: the values the scan used (effective-parameters.ts), looked up by the
// finding's detector and variant; blend's high line is a multiple of its parameters, as blend computes it. The lines
// no option sets are read from the detectors' code.
import type { ParameterValues } from '../config/parameters.js';
import { highLine as blendHighLine } from '../detect/blend.js';
import { MIN_GROUP_IMAGES } from '../detect/trigger-cluster.js';
import type { FindingForm } from '../model/evidence.js';
import type { Finding } from '../types.js';
import { effectiveParameter } from './effective-parameters.js';

/** Significance (log10 of one over a pattern's chance among independent samples) from which a finding is medium, high. */
export interface SignificanceLines<T = number> {
  medium: T;
  high: T;
}

export interface FindingLines {
  /** Its detector's significance lines; null when the detector declares none. */
  significance: SignificanceLines | null;
  /** Images and tail excess from which a faint pattern is high. */
  faintHigh: { members: number; excess: number };
  /** Images a group sharing a local pattern needs. */
  groupImages: number;
}

/** The parameters that hold a detector's significance lines. */
const LINE_NAMES: SignificanceLines<string> = { medium: 'mediumSignificance', high: 'highSignificance' };
/** Forms made by a variant that declares its own lines under its detector's name (trigger-token on documents). */
const VARIANT_LINE_NAMES: Partial<Record<FindingForm, SignificanceLines<string>>> = {
  'followed-phrase': { medium: 'documentsMediumSignificance', high: 'documentsHighSignificance' },
};

/** A finding's form; for one without (a re-used draft), the form its report.json evidence shows where the lines differ. */
const formOf = (f: Finding): FindingForm | undefined =>
  f.typed?.form ?? (f.evidence.followedByAnomalousText !== undefined ? 'followed-phrase' : undefined);

/** The lines `f` was graded by, with `set` the detector parameters its scan set (report.json's config.parameters). */
export function findingLines(f: Finding, set: ParameterValues | undefined): FindingLines {
  const form = formOf(f);
  const names = (form && VARIANT_LINE_NAMES[form]) || LINE_NAMES;
  const medium = effectiveParameter(set, f.detector, names.medium);
  const high = effectiveParameter(set, f.detector, names.high);
  return {
    significance: medium !== null && high !== null ? { medium, high } : null,
    faintHigh: blendHighLine({ minMembers: effectiveParameter(set, 'blend', 'minMembers')!, minExcess: effectiveParameter(set, 'blend', 'minExcess')! }),
    groupImages: MIN_GROUP_IMAGES,
  };
}
