// Small robust statistics on typed arrays.

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  const pos = Math.min(n - 1, Math.max(0, q * (n - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}

/** Median and MAD scaled to a normal sigma (1.4826). */
export function robustScale(values: ArrayLike<number>): { center: number; scale: number } {
  const center = median(values);
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i]! - center);
  const mad = median(dev) * 1.4826;
  return { center, scale: mad > 1e-12 ? mad : 1e-12 };
}

/** At most `max` entries of `v`, evenly spaced. */
export function spaced(v: number[], max: number): number[] {
  if (v.length <= max) return v;
  return Array.from({ length: max }, (_, q) => v[Math.floor((q * v.length) / max)]!);
}
