/**
 * Robust statistics shared by the forecast's outlier cleaning and the early-warning detector: the
 * median and the median absolute deviation (MAD) are not moved by the very spikes we look for, where
 * a mean and a standard deviation would be.
 */

/** 1.4826 · MAD estimates σ for normally distributed data. */
export const MAD_TO_SIGMA = 1.4826
/** When more than half the values are equal the MAD is 0; 1.2533 · mean absolute deviation stands in (Iglewicz & Hoaglin). */
export const MEANAD_TO_SIGMA = 1.253314

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * A robust estimate of σ around `centre` (default the median): 1.4826 · MAD, or when that is 0
 * 1.2533 · mean absolute deviation; 0 only when every value equals the centre.
 */
export function robustSigma(values: readonly number[], centre = median(values)): number {
  if (values.length === 0) return 0
  const dev = values.map((v) => Math.abs(v - centre))
  const mad = median(dev)
  if (mad > 0) return MAD_TO_SIGMA * mad
  return MEANAD_TO_SIGMA * (dev.reduce((a, b) => a + b, 0) / dev.length)
}

/** Robust (modified) z-score of `value` against `baseline`; 0 when the baseline has no spread and value sits on it. */
export function robustZ(value: number, baseline: readonly number[]): number {
  const centre = median(baseline)
  const sigma = robustSigma(baseline, centre)
  if (sigma === 0) return value === centre ? 0 : Math.sign(value - centre) * Number.POSITIVE_INFINITY
  return (value - centre) / sigma
}

/** Median of a centred window of half-width `half` around each index (truncated at the ends). */
export function rollingMedian(values: readonly number[], half: number): number[] {
  return values.map((_, i) => median(values.slice(Math.max(0, i - half), i + half + 1)))
}
