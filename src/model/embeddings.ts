// Per-sample embedding vectors, n x dim, row i belonging to sample i of the scan.

export interface Embeddings {
  dim: number;
  /** Row-major, n * dim. */
  data: Float32Array;
}
