// The scan's verdict for --fail-on: 1 when an unsuppressed finding is at or above the threshold, else 0.
import { SEVERITY_RANK, type FailOn, type Finding } from '../types.js';

export function exitCodeFor(findings: readonly Finding[], failOn: FailOn): 0 | 1 {
  const threshold = failOn === 'never' ? Infinity : SEVERITY_RANK[failOn];
  return findings.some((f) => !f.suppressed && SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
}
