// The colour cells both colour passes of trigger-cluster work on: each image's Cb, Cr and luma averaged over 2x2
// pixels (JPEG's 4:2:0 chroma grid, on which a re-encode keeps colour), and the test that what a group's members
// share at a place is a colour pattern.

/**
 * The cells of every image (2x2 pixels each, JPEG's 4:2:0 chroma grid): mean Cb and Cr, rounded, interleaved
 * (cells x 2 per image), and mean luma, rounded (cells per image).
 */
export function colourCells(pixels: Uint8Array, grid: number, n: number): { chroma: Int8Array; luma: Uint8Array } {
  const G = grid >> 1, cellsPer = G * G;
  const chroma = new Int8Array(n * cellsPer * 2), luma = new Uint8Array(n * cellsPer);
  const row = grid * 3;
  for (let i = 0; i < n; i++) {
    const img = i * grid * row;
    for (let cy = 0, c = i * cellsPer; cy < G; cy++) {
      let o = img + 2 * cy * row;
      for (let cx = 0; cx < G; cx++, c++, o += 6) {
        const R = pixels[o]! + pixels[o + 3]! + pixels[o + row]! + pixels[o + row + 3]!;
        const Gr = pixels[o + 1]! + pixels[o + 4]! + pixels[o + row + 1]! + pixels[o + row + 4]!;
        const B = pixels[o + 2]! + pixels[o + 5]! + pixels[o + row + 2]! + pixels[o + row + 5]!;
        chroma[2 * c] = Math.max(-128, Math.min(127, Math.round(0.25 * (-0.168736 * R - 0.331264 * Gr + 0.5 * B))));
        chroma[2 * c + 1] = Math.max(-128, Math.min(127, Math.round(0.25 * (0.5 * R - 0.418688 * Gr - 0.081312 * B))));
        luma[c] = Math.round(0.25 * (0.299 * R + 0.587 * Gr + 0.114 * B));
      }
    }
  }
  return { chroma, luma };
}

/**
 * Whether what the first `count` members share at a place is a colour pattern: their mean cells' colour (Cb, Cr)
 * deviates from its own mean by minSpread or more (RMS over the C x C cells at cx, cy), the gate each window passed.
 * A window of one plain colour passes that gate through its own re-encoding noise, which averages out over the
 * members. `chroma` is colourCells' Cb, Cr interleaved, G cells per side.
 */
export function sharesColour(members: ArrayLike<number>, count: number, chroma: Int8Array, G: number, C: number, cx: number, cy: number, minSpread: number): boolean {
  const per = G * G * 2, nc = C * C;
  let sb = 0, sr = 0, sq = 0;
  for (let y = 0; y < C; y++) for (let x = 0; x < C; x++) {
    let b = 0, r = 0;
    for (let q = 0; q < count; q++) {
      const o = members[q]! * per + ((cy + y) * G + cx + x) * 2;
      b += chroma[o]!;
      r += chroma[o + 1]!;
    }
    b /= count;
    r /= count;
    sb += b;
    sr += r;
    sq += b * b + r * r;
  }
  return sq - (sb * sb + sr * sr) / nc >= minSpread * minSpread * nc;
}
