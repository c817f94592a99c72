// Text fields of tabular datasets, one entry per sample (null where a row has none).

export interface TextColumns {
  /** Classification text or document text. */
  text?: (string | null)[];
  /** Instruction data. */
  prompt?: (string | null)[];
  response?: (string | null)[];
}
