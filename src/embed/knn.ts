// k nearest neighbours (squared Euclidean) over embedding rows, for every detector that needs neighbours.
// Exact brute force (blocked dot products over Float32Array) below BRUTE_MAX points, where it is fast enough and
// deterministic; above, an HNSW index from usearch (prebuilt native), chosen by measurement (BENCHMARKS.md: recall@10
// vs brute force, build and query time). The HNSW graph is built on one thread, in point order, so that it (and so
// every neighbour list) is the same on every run; queries, which only read the graph, use 2 threads. If usearch
// does not load, brute force runs and `backend` says so.
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
/** Query threads. Insertion is single-threaded: HNSW built by several threads depends on their interleaving. */
const THREADS = 2;

export interface KnnOptions {
  /** Force a backend (the measurement script, tests). */
  backend?: 'brute' | 'usearch';
  /** Above this many points usearch serves (default BRUTE_MAX; tests lower it to exercise usearch on small sets). */
  bruteMax?: number;
}

/** An index over n = points.length / dim points. */
export function buildKnn(points: Float32Array, dim: number, opts: KnnOptions = {}): KnnIndex {
  const n = points.length / dim;
  const want = opts.backend ?? (n > (opts.bruteMax ?? BRUTE_MAX) ? 'usearch' : 'brute');
  if (want === 'usearch') {
    try {
      return usearchIndex(points, dim);
    } catch (e) {
      return { ...bruteIndex(points, dim), note: `usearch did not load (${(e as Error).message.split('\n')[0]}); exact search instead` };
    }
  }
  return bruteIndex(points, dim);
}

/**
 * The one search() of both backends: the result arrays (-1 / Infinity where fewer than k exist) and the queries in
 * chunks (bounded native result buffers); `fill` writes the neighbours of queries [s, s + m) into the arrays.
 */
function searcher(dim: number, fill: (queries: Float32Array, s: number, m: number, k: number, ids: Int32Array, dist: Float32Array) => void): KnnIndex['search'] {
  const CHUNK = 4096;
  return (queries, k) => {
    const q = queries.length / dim;
    const ids = new Int32Array(q * k).fill(-1);
    const dist = new Float32Array(q * k).fill(Infinity);
    for (let s = 0; s < q; s += CHUNK) fill(queries, s, Math.min(CHUNK, q - s), k, ids, dist);
    return { k, ids, dist };
  };
}

function bruteIndex(points: Float32Array, dim: number): KnnIndex {
  const n = points.length / dim;
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += points[i * dim + t]! * points[i * dim + t]!;
    norms[i] = s;
  }
  const BLOCK = 64;
  const dots = new Float32Array(BLOCK);
  return {
    backend: 'brute',
    search: searcher(dim, (queries, s, m, k, ids, dist) => {
      for (let a = s; a < s + m; a++) {
        const qo = a * dim;
        let qn = 0;
        for (let t = 0; t < dim; t++) qn += queries[qo + t]! * queries[qo + t]!;
        const base = a * k;
        let worst = Infinity;
        for (let b0 = 0; b0 < n; b0 += BLOCK) {
          const b1 = Math.min(n, b0 + BLOCK);
          for (let b = b0; b < b1; b++) {
            let d = 0;
            const po = b * dim;
            for (let t = 0; t < dim; t++) d += queries[qo + t]! * points[po + t]!;
            dots[b - b0] = d;
          }
          for (let b = b0; b < b1; b++) {
            const d = Math.max(0, qn + norms[b]! - 2 * dots[b - b0]!);
            if (d >= worst && ids[base + k - 1] !== -1) continue;
            // Insertion into the sorted top-k (ties keep the lower index first: deterministic).
            let j = k - 1;
            while (j > 0 && dist[base + j - 1]! > d) {
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
    }),
  };
}

interface UsearchModule {
  Index: new (c: { dimensions: number; metric: string; connectivity: number; expansion_add: number; expansion_search: number; multi: boolean }) => {
    add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
    size(): number;
    capacity(): number;
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
  // Insertion on one thread, keys in order: node levels come from usearch's default-seeded generators and every
  // link from a fixed insertion order, so the graph is identical run to run (measured cost in BENCHMARKS.md). The
  // native add() sizes its per-thread search contexts when it grows the index, from its own thread count, so each
  // growth is triggered by a one-key add() given THREADS (still one insertion at a time) and the bulk adds fit in
  // the room left: the queries can then use THREADS.
  for (let i = 0; i < n; ) {
    const room = index.capacity() - index.size() - 1;
    const m = room > 0 ? Math.min(room, n - i) : 1;
    index.add(keys.subarray(i, i + m), points.subarray(i * dim, (i + m) * dim), room > 0 ? 1 : THREADS);
    i += m;
  }
  let threads = THREADS;
  return {
    backend: 'usearch',
    search: searcher(dim, (queries, s, m, k, ids, dist) => {
      const part = queries.subarray(s * dim, (s + m) * dim);
      let r;
      try {
        r = index.search(part, k, threads);
      } catch (e) {
        // Fewer search contexts than threads (a usearch whose growth rule differs): one thread, same neighbours.
        if (threads === 1) throw e;
        threads = 1;
        r = index.search(part, k, 1);
      }
      for (let a = 0; a < m; a++) {
        const c = r.counts ? Number(r.counts[a]) : k;
        for (let j = 0; j < Math.min(c, k); j++) {
          ids[(s + a) * k + j] = Number(r.keys[a * k + j]);
          dist[(s + a) * k + j] = r.distances[a * k + j]!;
        }
      }
    }),
  };
}
