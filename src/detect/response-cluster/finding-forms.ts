// The forms of response-cluster's findings.
import type { TypedFinding } from '../../model/evidence.js';

export type ResponseClusterForm =
  | 'response-phrase' | 'shared-response' | 'twin-phrase' | 'twin-word' | 'inserted-word' | 'echoed-word' | 'prepended-phrase' | 'pure-word'
  | 'kin-word' | 'injected-content';

/** A finding of response-cluster, of any of its forms. */
export type ResponseClusterFinding = TypedFinding<ResponseClusterForm>;
