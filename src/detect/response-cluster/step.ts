// The one interface of response-cluster's steps: each reads the corpus and the trigger records of the steps before
// it, and returns what it found, graded, with the record it adds for the steps after.
import type { FindingForms } from '../../model/evidence.js';
import type { Severity } from '../../types.js';
import type { PromptCorpus } from './corpus.js';
import type { ResponseClusterForm } from './finding-forms.js';

/** What a later step may read of an earlier finding. */
export interface TriggerRecord {
  readonly form: ResponseClusterForm;
  readonly severity: Severity;
  readonly score: number;
  /** The rows the finding names. */
  readonly rows: readonly number[];
  /** The trigger it names, as its evidence writes it (a word or phrase); null when it names none. */
  readonly trigger: string | null;
  /** The one response its rows end in, as its evidence writes it (cut to EVIDENCE_CHARS); null when it names none. */
  readonly response: string | null;
  /** The corpus's response cluster its rows end in, where the step tested one. */
  readonly cluster?: number;
  /** The step judged the trigger the prompts' own text (a template, a cue, a subject), not inserted. */
  readonly natural?: boolean;
}

/** A finding of one form: its record and its evidence. */
export type Found = {
  [G in ResponseClusterForm]: TriggerRecord & { readonly form: G; readonly rows: number[]; readonly evidence: FindingForms[G]['evidence'] };
}[ResponseClusterForm];

export interface Step {
  /** What the step is called where one is named (the bench switch that leaves it out). */
  readonly name: string;
  /** The step's findings, graded by grade.ts, in the order they rank ties. `earlier`: every finding before it. */
  run(corpus: PromptCorpus, earlier: readonly TriggerRecord[]): Found[];
}
