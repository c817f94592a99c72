// The luma plane of one RGB grid image, which the statistics and the perceptual hash both read: computed once per
// image into a buffer the caller reuses.

/** JFIF luma of every pixel of a grid x grid RGB image into out[0 .. grid * grid). */
export function lumaPlane(rgb: Uint8Array, grid: number, out: Float64Array): void {
  const n = grid * grid;
  for (let p = 0, o = 0; p < n; p++, o += 3) out[p] = 0.299 * rgb[o]! + 0.587 * rgb[o + 1]! + 0.114 * rgb[o + 2]!;
}
