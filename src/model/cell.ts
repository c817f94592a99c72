// A value of a dataset row, shared by the readers and by the stages that parse columns (embeddings, images).

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
