// Random colours for drawn triggers, including sets whose members share one luma (they differ in hue only).
import { randInt, type Rng } from '../util/rng.js';

export type Rgb = [number, number, number];

/** BT.601 luma, as JPEG's YCbCr uses. */
export function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

export function randomColour(rng: Rng): Rgb {
  return [randInt(rng, 256), randInt(rng, 256), randInt(rng, 256)];
}

/** n distinct random colours; with `equalLuma`, all of the first one's luma (within rounding) and apart in hue. */
export function randomPalette(rng: Rng, n: number, equalLuma: boolean): Rgb[] {
  if (!equalLuma) {
    const out: Rgb[] = [];
    while (out.length < n) {
      const c = randomColour(rng);
      if (out.every((o) => colourDistance(o, c) >= 48)) out.push(c);
    }
    return out;
  }
  for (;;) {
    // A mid luma leaves room for hue: near black or white every colour of that luma is nearly grey.
    const base: Rgb = randomColour(rng);
    if (luma(base) < 60 || luma(base) > 195) continue;
    const out: Rgb[] = [base];
    for (let tries = 0; tries < 200 && out.length < n; tries++) {
      const c = sameLuma(rng, base);
      if (c && out.every((o) => colourDistance(o, c) >= 60)) out.push(c);
    }
    if (out.length === n) return out;
  }
}

/** A random colour of the same luma as `base`: base + t * d, d orthogonal to the luma weights, t as far as fits. */
function sameLuma(rng: Rng, base: Rgb): Rgb | null {
  // Two directions span the plane of zero luma change; pick a random one of them.
  const u = [0.587, -0.299, 0], v = [0.114 * 0.299, 0.114 * 0.587, -(0.299 * 0.299 + 0.587 * 0.587)];
  const nu = Math.hypot(...u), nv = Math.hypot(...v);
  const a = rng() * 2 * Math.PI;
  const d = [0, 1, 2].map((k) => (Math.cos(a) * u[k]!) / nu + (Math.sin(a) * v[k]!) / nv);
  let tMax = Infinity;
  for (let k = 0; k < 3; k++) {
    if (d[k]! > 1e-9) tMax = Math.min(tMax, (255 - base[k]) / d[k]!);
    else if (d[k]! < -1e-9) tMax = Math.min(tMax, -base[k] / d[k]!);
  }
  const t = tMax * (0.5 + 0.5 * rng());
  const c = base.map((b, k) => Math.round(b + t * d[k]!)) as Rgb;
  if (c.some((x) => x < 0 || x > 255) || Math.abs(luma(c) - luma(base)) > 1.5) return null;
  return c;
}

export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
