// How alike a pattern group's images are outside the pattern: pasted patterns sit on unrelated pictures, copies of one
// picture are alike around it too.
import { imagePixels, type ImageFeatures } from '../../model/image-features.js';
import type { SizeGroup } from './size-analysis.js';

/**
 * Mean absolute pixel difference between the group's images outside their pattern boxes (high = unrelated), the
 * lesser of two frames: the images' own (each pixel against the same pixel), and, where the boxes sit at different
 * places, the pattern's (each pixel against the pixel at the same offset from the other image's box). Copies of one
 * picture shifted or cropped a little carry its details at places that move with them: alike in the pattern's frame,
 * not in their own. Images that merely share a pasted pattern differ in both.
 */
export function outsideDifference(f: ImageFeatures, g: Pick<SizeGroup, 'size' | 'images' | 'x' | 'y'>): number {
  const grid = f.grid;
  const s = g.size;
  let own = 0, shifted = 0, pairs = 0;
  const k = Math.min(g.images.length, 8);
  const inBox = (j: number, x: number, y: number) => x >= g.x[j]! && y >= g.y[j]! && x < g.x[j]! + s && y < g.y[j]! + s;
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    const pa = imagePixels(f, g.images[a]!), pb = imagePixels(f, g.images[b]!);
    const dx = g.x[b]! - g.x[a]!, dy = g.y[b]! - g.y[a]!;
    let sum = 0, c = 0, sumS = 0, cS = 0;
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) {
      const inA = inBox(a, x, y);
      const o = (y * grid + x) * 3;
      if (!inA && !inBox(b, x, y)) {
        sum += Math.abs(pa[o]! - pb[o]!) + Math.abs(pa[o + 1]! - pb[o + 1]!) + Math.abs(pa[o + 2]! - pb[o + 2]!);
        c += 3;
      }
      const xb = x + dx, yb = y + dy;
      if ((dx === 0 && dy === 0) || inA || xb < 0 || yb < 0 || xb >= grid || yb >= grid) continue;
      const ob = (yb * grid + xb) * 3;
      sumS += Math.abs(pa[o]! - pb[ob]!) + Math.abs(pa[o + 1]! - pb[ob + 1]!) + Math.abs(pa[o + 2]! - pb[ob + 2]!);
      cS += 3;
    }
    if (!c) continue;
    // Boxes at one place, or so far apart that the pattern's frame overlaps less than half the picture: the images'
    // own frame (a thin strip of overlap says little).
    own += sum / c;
    shifted += 2 * cS >= c ? sumS / cS : sum / c;
    pairs++;
  }
  return pairs ? Math.min(own, shifted) / pairs : 0;
}
