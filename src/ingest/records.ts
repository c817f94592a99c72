// Row-oriented sources (JSONL, JSON arrays, CSV/TSV, Parquet, Arrow/Hugging Face, WebDataset) all yield
// records: one plain object per sample. Column choice and modality detection happen on top of this.

/** A cell as readers hand it over. Image cells are bytes, a {bytes,path} struct, or a path string. */
export type Cell =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Uint8Array
  | { bytes?: Uint8Array | null; path?: string | null }
  | Cell[]
  | { [key: string]: Cell };

export type RecordRow = Record<string, Cell>;

export interface RecordSource {
  /** Column names as far as known before reading (may grow while reading for JSONL). */
  columns: string[];
  /** Rows in dataset order; a row that cannot be parsed is yielded as an Error (it becomes a sample error). */
  rows(): AsyncIterable<RecordRow | RowError>;
}

export class RowError extends Error {
  constructor(
    /** 0-based row number, the row's default id. */
    public readonly row: number,
    message: string,
  ) {
    super(message);
  }
}
