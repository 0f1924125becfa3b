/**
 * Duration histograms with fixed logarithmic buckets, pure. A median cannot be added across days,
 * but a histogram can: each day keeps counts per bucket (one counter attribute each), any range of
 * days sums them, and the median or p90 is read from the sum.
 *
 * | bucket | covers (seconds)                          |
 * | ------ | ----------------------------------------- |
 * | 0      | [0, 1]                                    |
 * | b ≥ 1  | (2^((b-1)/4), 2^(b/4)], 4 buckets per doubling |
 * | 127    | everything longer (2^(126/4) s ≈ 9 years)  |
 *
 * Four buckets per doubling: a quantile read at a bucket's geometric middle is within ±9% of the
 * true value, which is finer than anyone reads a response-time median.
 */

export const BUCKETS_PER_DOUBLING = 4
export const BUCKET_COUNT = 128

/** The bucket of a duration in seconds. */
export function bucketOfSeconds(seconds: number): number {
  if (!(seconds > 1)) return 0
  return Math.min(BUCKET_COUNT - 1, Math.ceil(Math.log2(seconds) * BUCKETS_PER_DOUBLING))
}

/** Where a bucket sits: its geometric middle (0 for bucket 0). */
export function bucketMiddle(bucket: number): number {
  if (bucket <= 0) return 0
  return 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING)
}

/**
 * The `q`-quantile (0 < q ≤ 1) of a histogram given as bucket → count, or null when it is empty.
 * Nearest rank: the smallest bucket whose cumulative count reaches ⌈q·n⌉.
 */
export function quantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0
  for (const n of counts.values()) total += n
  if (total <= 0) return null
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket) ?? 0
    if (seen >= rank) return bucketMiddle(bucket)
  }
  return null
}
