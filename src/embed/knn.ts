// k nearest neighbours (squared Euclidean) over embedding rows, for every detector that needs neighbours.
// Exact brute force (blocked dot products over Float32Array) below BRUTE_MAX points, where it is fast enough and
// deterministic; above, an HNSW index from usearch (prebuilt native, 2 threads), chosen by measurement
// (BENCHMARKS.md: recall@10 vs brute force, build and query time). If usearch does not load, brute force runs
// and `backend` says so.
import { createRequire } from 'node:module';

export interface Neighbours {
  k: number;
  /** queries x k point indices (into the index's points), nearest first; -1 where fewer than k exist. */
  ids: Int32Array;
  /** queries x k squared distances. */
  dist: Float32Array;
}

export interface KnnIndex {
  backend: 'brute' | 'usearch';
  /** Why brute force runs on a large set (usearch failed to load), else undefined. */
  note?: string;
  /** The k nearest points to each query (rows of `queries`, dim values each). */
  search(queries: Float32Array, k: number): Neighbours;
}

/** Points at or below this count are searched exactly (measured: all-points k=10 over 10k x 128 ~140 s brute force vs 3 s usearch, BENCHMARKS.md). */
export const BRUTE_MAX = 5_000;
const THREADS = 2;

export interface KnnOptions {
  /** Force a backend (the measurement script, tests). */
  backend?: 'brute' | 'usearch';
}

/** An index over n = points.length / dim points. */
export function buildKnn(points: Float32Array, dim: number, opts: KnnOptions = {}): KnnIndex {
  const n = points.length / dim;
  const want = opts.backend ?? (n > BRUTE_MAX ? 'usearch' : 'brute');
  if (want === 'usearch') {
    try {
      return usearchIndex(points, dim);
    } catch (e) {
      return { ...bruteIndex(points, dim), note: `usearch did not load (${(e as Error).message.split('\n')[0]}); exact search instead` };
    }
  }
  return bruteIndex(points, dim);
}

function bruteIndex(points: Float32Array, dim: number): KnnIndex {
  const n = points.length / dim;
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += points[i * dim + t]! * points[i * dim + t]!;
    norms[i] = s;
  }
  return {
    backend: 'brute',
    search(queries, k) {
      const q = queries.length / dim;
      const ids = new Int32Array(q * k).fill(-1);
      const dist = new Float32Array(q * k).fill(Infinity);
      const BLOCK = 64;
      const dots = new Float32Array(BLOCK);
      for (let a = 0; a < q; a++) {
        const qo = a * dim;
        let qn = 0;
        for (let t = 0; t < dim; t++) qn += queries[qo + t]! * queries[qo + t]!;
        const base = a * k;
        let worst = Infinity;
        for (let b0 = 0; b0 < n; b0 += BLOCK) {
          const b1 = Math.min(n, b0 + BLOCK);
          for (let b = b0; b < b1; b++) {
            let s = 0;
            const po = b * dim;
            for (let t = 0; t < dim; t++) s += queries[qo + t]! * points[po + t]!;
            dots[b - b0] = s;
          }
          for (let b = b0; b < b1; b++) {
            const d = Math.max(0, qn + norms[b]! - 2 * dots[b - b0]!);
            if (d >= worst && ids[base + k - 1] !== -1) continue;
            // Insertion into the sorted top-k (ties keep the lower index first: deterministic).
            let j = k - 1;
            while (j > 0 && (dist[base + j - 1]! > d)) {
              dist[base + j] = dist[base + j - 1]!;
              ids[base + j] = ids[base + j - 1]!;
              j--;
            }
            dist[base + j] = d;
            ids[base + j] = b;
            worst = dist[base + k - 1]!;
          }
        }
      }
      return { k, ids, dist };
    },
  };
}

interface UsearchModule {
  Index: new (c: { dimensions: number; metric: string; connectivity: number; expansion_add: number; expansion_search: number; multi: boolean }) => {
    add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
    search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
  };
}

function usearchIndex(points: Float32Array, dim: number): KnnIndex {
  const require = createRequire(import.meta.url);
  const { Index } = require('usearch') as UsearchModule;
  const n = points.length / dim;
  // connectivity 16 / expansion 128 / 64: recall@10 >= 0.99 on proxy-model embeddings (BENCHMARKS.md).
  const index = new Index({ dimensions: dim, metric: 'l2sq', connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  index.add(keys, points, THREADS);
  return {
    backend: 'usearch',
    search(queries, k) {
      const q = queries.length / dim;
      const ids = new Int32Array(q * k).fill(-1);
      const dist = new Float32Array(q * k).fill(Infinity);
      const CHUNK = 4096;
      for (let s = 0; s < q; s += CHUNK) {
        const m = Math.min(CHUNK, q - s);
        const r = index.search(queries.subarray(s * dim, (s + m) * dim), k, THREADS);
        for (let a = 0; a < m; a++) {
          const c = r.counts ? Number(r.counts[a]) : k;
          for (let j = 0; j < Math.min(c, k); j++) {
            ids[(s + a) * k + j] = Number(r.keys[a * k + j]);
            dist[(s + a) * k + j] = r.distances[a * k + j]!;
          }
        }
      }
      return { k, ids, dist };
    },
  };
}
