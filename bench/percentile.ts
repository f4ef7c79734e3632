/** The `p`-th percentile, nearest rank: the smallest value at least p% of the values do not exceed. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil((sorted.length * p) / 100) - 1)] as number;
}
