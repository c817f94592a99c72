// Disjoint sets over 0..n-1 with path halving; a union keeps the smaller root, so every set's root is its
// smallest member and grouping does not depend on the order of the unions.

export interface UnionFind {
  find(x: number): number;
  /** Joins the sets of two roots (callers pass find() results). */
  join(ra: number, rb: number): void;
}

export function unionFind(n: number): UnionFind {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  return {
    find(x: number): number {
      while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
      return x;
    },
    join(ra: number, rb: number): void {
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    },
  };
}
