// Detection quality from a scan's scores against ground truth: recall@k, precision of flagged, AUROC.

export interface Metrics {
  samples: number;
  poisoned: number;
  /** 1-based rank of each poisoned sample in descending score order (ties broken pessimistically). */
  ranks: number[];
  recallAt: Record<string, number>;
  flagged: number;
  flaggedPoisoned: number;
  precisionFlagged: number;
  recallFlagged: number;
  auroc: number;
}

export function evaluate(ids: string[], score: ArrayLike<number>, flagged: ArrayLike<number | boolean>, poisoned: Set<string>, ks: number[]): Metrics {
  const n = ids.length;
  const isP = ids.map((id) => poisoned.has(id));
  const order = [...Array(n).keys()].sort((a, b) => score[b]! - score[a]! || Number(isP[a]) - Number(isP[b]));
  const ranks: number[] = [];
  order.forEach((i, r) => {
    if (isP[i]) ranks.push(r + 1);
  });
  const np = ranks.length;
  const recallAt: Record<string, number> = {};
  for (const k of ks) recallAt[String(k)] = np ? ranks.filter((r) => r <= k).length / np : 0;
  let nf = 0, nfp = 0;
  for (let i = 0; i < n; i++) if (flagged[i]) {
    nf++;
    if (isP[i]) nfp++;
  }
  // AUROC by ranks (Mann-Whitney), ties averaged.
  const asc = [...Array(n).keys()].sort((a, b) => score[a]! - score[b]!);
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[asc[j + 1]!] === score[asc[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (isP[asc[k]!]) rankSum += avg;
    i = j + 1;
  }
  const nn = n - np;
  const auroc = np && nn ? (rankSum - (np * (np + 1)) / 2) / (np * nn) : NaN;
  return { samples: n, poisoned: np, ranks, recallAt, flagged: nf, flaggedPoisoned: nfp, precisionFlagged: nf ? nfp / nf : 0, recallFlagged: np ? nfp / np : 0, auroc };
}
