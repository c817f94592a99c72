// The forms of response-cluster's findings, and what its later tests read back from the earlier ones.
import type { TypedFinding } from '../../model/evidence.js';

export type ResponseClusterForm =
  | 'response-phrase' | 'shared-response' | 'twin-phrase' | 'twin-word' | 'inserted-word' | 'echoed-word' | 'prepended-phrase' | 'pure-word'
  | 'kin-word' | 'injected-content';

/** A finding of response-cluster, of any of its forms. */
export type ResponseClusterFinding = TypedFinding<ResponseClusterForm>;

/** The trigger a finding names: a phrase or word, null when it names none. */
export function triggerOf(f: ResponseClusterFinding): string | null {
  return 'trigger' in f.evidence ? f.evidence.trigger : null;
}

/** The one response a finding's prompts all end in, when it names one. */
export function responseOf(f: ResponseClusterFinding): string | null {
  return 'response' in f.evidence ? f.evidence.response : null;
}
