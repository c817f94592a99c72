// The null of the phrase test: how often a response is given to prompts like each of the phrase's own. A task
// template fixes how its prompts open or end ("... What label best describes this news article?"), and a label
// that is one of four answers of that template ("Science and technology") is given to a quarter of its prompts,
// however rare it is among all the corpus's prompts. A prompt drawn from anywhere (a trigger put into unrelated
// prompts) opens and ends like few others, and gets the response at about its share of all prompts.

/** Tokens of a prompt's opening and of its ending read as its fixed text. */
const EDGE = 3;

/** Prompts' worth of weight the response's share of all prompts has against a few like prompts. */
const PRIOR = 3;

/** Per edge key: the prompts with it, and of those, how many end in each response cluster. */
type Tally = Map<number, { docs: number; byCluster: Map<number, number> }>;

export class LikePrompts {
  private readonly openings: Tally = new Map();
  private readonly endings: Tally = new Map();

  constructor(private readonly docs: Int32Array[], private readonly clusters: Int32Array) {
    docs.forEach((d, i) => {
      if (d.length < EDGE) return;
      add(this.openings, edgeKey(d, null, true), clusters[i]!);
      add(this.endings, edgeKey(d, null, false), clusters[i]!);
    });
  }

  /**
   * Per prompt of `judged` (with `masks`, the phrase's tokens, left out of its edges): the response's share among
   * the prompts outside `own` that open as it does, or end as it does, whichever is larger, each shrunk toward
   * `share` (the response's share of all prompts) with the weight of PRIOR prompts, and never below it:
   * prompts like these are read to explain a phrase away, not to make it stronger.
   */
  shares(judged: readonly number[], masks: readonly Uint8Array[], own: readonly number[], cluster: number, share: number): Float64Array {
    const out = new Float64Array(judged.length).fill(share);
    if (share <= 0) return out;
    // The phrase's own prompts under each unmasked edge key, and how many of them end in the response.
    const inside: Tally = new Map();
    for (const i of own) {
      const d = this.docs[i]!;
      if (d.length < EDGE) continue;
      add(inside, edgeKey(d, null, true), this.clusters[i]!);
      add(inside, edgeKey(d, null, false), this.clusters[i]!);
    }
    judged.forEach((i, k) => {
      for (const opening of [true, false]) {
        const key = edgeKey(this.docs[i]!, masks[k]!, opening);
        if (Number.isNaN(key)) continue;
        const all = (opening ? this.openings : this.endings).get(key);
        if (!all) continue;
        const mine = inside.get(key);
        const others = all.docs - (mine?.docs ?? 0);
        const hits = (all.byCluster.get(cluster) ?? 0) - (mine?.byCluster.get(cluster) ?? 0);
        if (others > 0) out[k] = Math.max(out[k]!, (hits + PRIOR * share) / (others + PRIOR));
      }
    });
    return out;
  }
}

function add(t: Tally, key: number, cluster: number): void {
  if (Number.isNaN(key)) return;
  let e = t.get(key);
  if (!e) t.set(key, (e = { docs: 0, byCluster: new Map() }));
  e.docs++;
  if (cluster >= 0) e.byCluster.set(cluster, (e.byCluster.get(cluster) ?? 0) + 1);
}

/**
 * A 53-bit hash of the first (or last) EDGE tokens of d outside the mask, tagged by side; NaN when fewer are left.
 */
function edgeKey(d: Int32Array, mask: Uint8Array | null, opening: boolean): number {
  let h1 = opening ? 0x811c9dc5 : 0x2c1b3c6d;
  let h2 = 0x1b873593;
  let taken = 0;
  for (let s = 0; s < d.length && taken < EDGE; s++) {
    const t = opening ? s : d.length - 1 - s;
    if (mask?.[t]) continue;
    h1 = Math.imul(h1 ^ (d[t]! + 1), 0x01000193) >>> 0;
    h2 = Math.imul(h2 + d[t]! + 0x9e3779b9, 0x85ebca6b) >>> 0;
    taken++;
  }
  return taken < EDGE ? NaN : h1 * 0x200000 + (h2 & 0x1fffff);
}
