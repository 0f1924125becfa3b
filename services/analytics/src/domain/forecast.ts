/**
 * Forecast of a per-period metric (revenue won, deals won, tickets opened...) from the tenant's own
 * history, pure.
 *
 * | step | what                                    | why                                                                           |
 * | ---- | --------------------------------------- | ----------------------------------------------------------------------------- |
 * | 1    | clean: robust decomposition + MAD clip  | a one-off spike (a single huge deal, an outage day) must not become the norm  |
 * | 2    | Holt-Winters, additive trend + season   | sales have both a trend and a yearly shape; additive stays sane near zero     |
 * | 3    | α, β, γ by least one-step squared error | each tenant's own history decides how fast level, trend and season adapt      |
 * | 4    | intervals from the one-step residuals   | ETS(A,A,A) h-step variance: σ²·(1 + Σ (α(1+jβ) + γ·[j ≡ 0 mod m])²)           |
 * | 5    | backtest: hold out the last periods     | MAPE of the same method refitted without them, against what really happened   |
 * | 6    | blend the weighted open pipeline        | deals about to close above the norm raise the next periods (never lower them)  |
 *
 * Cleaning (step 1): trend = Theil-Sen line, season = median of the detrended values per position
 * in the season, then a Hampel filter (rolling median, 7 wide) on what is left. A residual more than
 * {@link OUTLIER_K} robust σ (1.4826 · MAD) from the residuals' median (and over
 * {@link OUTLIER_MIN_SHARE} of the typical level) is an outlier; its value is
 * replaced by the baseline. With fewer than two full seasons there is no season, and Holt's linear
 * trend replaces Holt-Winters.
 */
import { median, robustSigma, rollingMedian } from './robust.js'

/** A residual beyond 3 robust σ is an outlier (Hampel's usual threshold). */
export const OUTLIER_K = 3
/**
 * ...and more than 10% of the series' typical level: with a very regular history σ is tiny, and a
 * 2% wobble is no spike worth replacing (nor reporting).
 */
export const OUTLIER_MIN_SHARE = 0.1
/** Half-width of the rolling median when there is no season to size it by. */
const HAMPEL_HALF = 3
/** Weight of the weighted open pipeline in the 1st, 2nd, 3rd future period; history alone beyond. */
export const PIPELINE_WEIGHTS = [0.5, 0.25, 0.125] as const
const Z80 = 1.2816
const Z95 = 1.96
const ALPHAS = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
const BETAS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5]
const GAMMAS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7]
const REFINE_STEPS = [0.04, 0.02, 0.01]

export type Method = 'holt-winters-additive' | 'holt-linear' | 'mean'

export interface Params {
  alpha: number
  beta: number
  gamma: number
}

export interface Outlier {
  index: number
  value: number
  replacedBy: number
}

export interface ForecastPoint {
  /** 1 = the period after the last one of the history. */
  step: number
  value: number
  /** Holt-Winters alone, before the pipeline blend. */
  statistical: number
  /** The weighted open pipeline of the period, when it was blended in. */
  pipeline?: number
  lower80: number
  upper80: number
  lower95: number
  upper95: number
}

export interface Forecast {
  method: Method
  seasonLength: number
  params: Params
  /** σ of the one-step errors on the cleaned history. */
  residualSigma: number
  outliers: Outlier[]
  points: ForecastPoint[]
  backtest: { periods: number; mape: number | null }
}

export interface ForecastOptions {
  /** Periods per season: 12 for months, 52 for weeks, 7 for days. */
  seasonLength: number
  horizon: number
  /** Weighted open pipeline per future period (index 0 = step 1). */
  pipeline?: readonly number[]
  /** Clamp values and bounds at 0 (revenue and counts cannot go negative). Default true. */
  nonNegative?: boolean
}

/**
 * Theil-Sen line: the median of the pairwise slopes and the median intercept. Up to ~29% of the
 * points can be wild without moving it, and unlike a truncated rolling median it has no bias at the
 * series' ends (where the forecast starts from). With a season of length `lag`, only pairs one
 * season apart count: their difference holds no seasonal swing, which would otherwise bend the slope.
 */
export function robustLine(values: readonly number[], lag = 0): { intercept: number; slope: number } {
  const slopes: number[] = []
  for (let i = 0; i < values.length; i++)
    if (lag > 1) {
      if (i + lag < values.length) slopes.push((values[i + lag]! - values[i]!) / lag)
    } else for (let j = i + 1; j < values.length; j++) slopes.push((values[j]! - values[i]!) / (j - i))
  const slope = slopes.length ? median(slopes) : 0
  return { intercept: median(values.map((v, t) => v - slope * t)), slope }
}

/**
 * A position's seasonal index from its detrended values, one per season seen: their median, but of
 * an even count the middle value nearer 0 rather than the mean of the two. With two seasons a
 * one-off spike is one of two values; averaging would carry half of it into every year's index
 * (and flag the normal year instead), while a peak that recurs is near both values either way.
 */
export function seasonalIndex(values: readonly number[]): number {
  if (values.length === 0) return 0
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  if (s.length % 2) return s[mid]!
  return Math.abs(s[mid - 1]!) <= Math.abs(s[mid]!) ? s[mid - 1]! : s[mid]!
}

/** Step 1: the series with its outliers replaced, and which they were. */
export function cleanSeries(
  values: readonly number[],
  seasonLength: number,
): { cleaned: number[]; outliers: Outlier[] } {
  const n = values.length
  if (n < 4) return { cleaned: [...values], outliers: [] }
  const seasonal = seasonLength > 1 && n >= 2 * seasonLength
  // Baseline = robust line + seasonal index + local level (a rolling median of what is left, which
  // has no trend or season any more, so its truncated windows at the ends are unbiased).
  const line = robustLine(values, seasonal ? seasonLength : 0)
  const detrended = values.map((v, t) => v - line.intercept - line.slope * t)
  const season = new Array<number>(n).fill(0)
  // Spread: with two or three seasons the index is one of each position's own values, whose residual
  // is then 0 by construction, and a MAD of many zeros would call ordinary noise an outlier. So σ is
  // measured on leave-one-out residuals: each value against the median of the other seasons' values.
  let spread: number[] | undefined
  if (seasonal) {
    const byPosition: number[][] = Array.from({ length: seasonLength }, () => [])
    detrended.forEach((d, i) => {
      byPosition[i % seasonLength]!.push(d)
    })
    const index = byPosition.map(seasonalIndex)
    for (let i = 0; i < n; i++) season[i] = index[i % seasonLength]!
    spread = detrended.map((d, i) => {
      const others = byPosition[i % seasonLength]!.filter((_, k) => k !== Math.floor(i / seasonLength))
      return d - median(others)
    })
  }
  const rest = detrended.map((d, i) => d - season[i]!)
  const local = rollingMedian(rest, HAMPEL_HALF)
  const baseline = values.map((_, t) => line.intercept + line.slope * t + season[t]! + local[t]!)
  const residuals = values.map((v, i) => v - baseline[i]!)
  const centre = median(residuals)
  const sigma = spread ? robustSigma(spread) : robustSigma(residuals, centre)
  const floor = OUTLIER_MIN_SHARE * median(values.map(Math.abs))
  const outliers: Outlier[] = []
  const cleaned = values.map((v, i) => {
    const off = Math.abs(residuals[i]! - centre)
    if (sigma === 0 || off <= OUTLIER_K * sigma || off <= floor) return v
    const replacedBy = baseline[i]! + centre
    outliers.push({ index: i, value: v, replacedBy })
    return replacedBy
  })
  return { cleaned, outliers }
}

interface Fit {
  sse: number
  errors: number
  level: number
  trend: number
  /** The last `m` seasonal terms, by position `t mod m`. */
  season: number[]
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

/** Steps 2-3 for one parameter set: the recursion over the series, its one-step errors and final state. */
export function fitHoltWinters(y: readonly number[], m: number, p: Params): Fit {
  const seasonal = m > 1
  let level: number
  let trend: number
  let season: number[]
  let start: number
  if (seasonal) {
    // Initial state from the complete seasons: the slope between the first and last season's means,
    // the season as each position's average deviation from its season's (trend-corrected) mean.
    const seasons = Math.floor(y.length / m)
    const means = Array.from({ length: seasons }, (_, k) => mean(y.slice(k * m, (k + 1) * m)))
    trend = (means[seasons - 1]! - means[0]!) / ((seasons - 1) * m)
    level = means[0]! + (trend * (m - 1)) / 2
    season = Array.from({ length: m }, (_, i) => {
      const dev = means.map((mk, k) => y[k * m + i]! - mk - (i - (m - 1) / 2) * trend)
      return mean(dev)
    })
    const offset = mean(season)
    season = season.map((s) => s - offset)
    start = m
  } else {
    level = y[0]!
    trend = y[1]! - y[0]!
    season = [0]
    start = 1
  }
  let sse = 0
  let errors = 0
  for (let t = start; t < y.length; t++) {
    const pos = seasonal ? t % m : 0
    const forecast = level + trend + season[pos]!
    const e = y[t]! - forecast
    // Holt's initial trend is the first difference itself: its first error is 0 by construction.
    if (seasonal || t > 1) {
      sse += e * e
      errors++
    }
    const prevLevel = level
    level = p.alpha * (y[t]! - season[pos]!) + (1 - p.alpha) * (level + trend)
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * trend
    if (seasonal) season[pos] = p.gamma * (y[t]! - level) + (1 - p.gamma) * season[pos]!
  }
  return { sse, errors, level, trend, season }
}

/**
 * Step 3: the parameters with the least one-step squared error (a grid, then a local refinement),
 * within the usual admissible region γ ≤ 1 − α (Hyndman et al.): outside it the season chases each
 * year's noise, which a short history (two or three seasons) otherwise rewards.
 */
export function chooseParams(y: readonly number[], m: number): Params {
  const seasonal = m > 1
  let best: Params = { alpha: 0.5, beta: 0.1, gamma: seasonal ? 0.1 : 0 }
  let bestSse = fitHoltWinters(y, m, best).sse
  const consider = (p: Params) => {
    if (p.gamma > 1 - p.alpha) return
    const sse = fitHoltWinters(y, m, p).sse
    if (sse < bestSse - 1e-9 * Math.max(1, bestSse)) {
      best = p
      bestSse = sse
    }
  }
  for (const alpha of ALPHAS)
    for (const beta of BETAS) for (const gamma of seasonal ? GAMMAS : [0]) consider({ alpha, beta, gamma })
  const keys: (keyof Params)[] = seasonal ? ['alpha', 'beta', 'gamma'] : ['alpha', 'beta']
  for (const step of REFINE_STEPS)
    for (const key of keys)
      for (const dir of [-1, 1]) {
        const v = Math.round((best[key] + dir * step) * 1000) / 1000
        if (v > 0 && v < 1) consider({ ...best, [key]: v })
      }
  return best
}

/** Which method the history's length allows: a season needs two full ones to be estimated. */
function methodFor(n: number, m: number): { method: Method; m: number } {
  if (m > 1 && n >= 2 * m + 2) return { method: 'holt-winters-additive', m }
  if (n >= 4) return { method: 'holt-linear', m: 1 }
  return { method: 'mean', m: 1 }
}

/** Steps 1-4 without the blend: the statistical forecast of `horizon` periods. */
function statistical(values: readonly number[], seasonLength: number, horizon: number) {
  const { method, m } = methodFor(values.length, seasonLength)
  const { cleaned, outliers } = cleanSeries(values, m)
  if (method === 'mean') {
    const mu = values.length ? mean(values) : 0
    const sigma = values.length > 1 ? Math.sqrt(mean(values.map((v) => (v - mu) ** 2))) : 0
    const points = Array.from({ length: horizon }, () => ({ value: mu, sd: sigma }))
    return { method, m, params: { alpha: 0, beta: 0, gamma: 0 }, sigma, outliers, points }
  }
  const params = chooseParams(cleaned, m)
  const fit = fitHoltWinters(cleaned, m, params)
  const dof = Math.max(1, fit.errors - (m > 1 ? 3 : 2))
  const sigma = Math.sqrt(fit.sse / dof)
  const n = cleaned.length
  const points = Array.from({ length: horizon }, (_, k) => {
    const h = k + 1
    const pos = m > 1 ? (n + k) % m : 0
    let factor = 1
    for (let j = 1; j < h; j++) {
      const c = params.alpha * (1 + j * params.beta) + (m > 1 && j % m === 0 ? params.gamma : 0)
      factor += c * c
    }
    return { value: fit.level + h * fit.trend + fit.season[pos]!, sd: sigma * Math.sqrt(factor) }
  })
  return { method, m, params, sigma, outliers, points }
}

/**
 * Step 5: MAPE (%) of the method refitted without the last periods, against their real values. A
 * period the cleaning flagged as an outlier (`outliers`, indexes into `values`) is no yardstick of
 * the norm and is left out, as is an actual of 0 (no percentage error exists).
 */
export function backtest(
  values: readonly number[],
  seasonLength: number,
  horizon: number,
  outliers: ReadonlySet<number> = new Set(),
): { periods: number; mape: number | null } {
  const minTrain = seasonLength > 1 && values.length >= 2 * seasonLength + 2 ? 2 * seasonLength + 2 : 4
  const periods = Math.min(horizon, values.length - minTrain)
  if (periods < 1) return { periods: 0, mape: null }
  const from = values.length - periods
  const predicted = statistical(values.slice(0, from), seasonLength, periods).points
  const errs = values
    .slice(from)
    .flatMap((a, i) =>
      a === 0 || outliers.has(from + i) ? [] : [Math.abs(a - predicted[i]!.value) / Math.abs(a)],
    )
  return { periods, mape: errs.length ? Math.round(mean(errs) * 10000) / 100 : null }
}

/**
 * The forecast of the next `horizon` periods of `history` (oldest first, complete periods only).
 *
 * @example
 * forecast(monthlyRevenue, { seasonLength: 12, horizon: 6, pipeline: [120_000, 40_000] })
 */
export function forecast(history: readonly number[], options: ForecastOptions): Forecast {
  const horizon = Math.max(0, Math.floor(options.horizon))
  const clamp = options.nonNegative === false ? (v: number) => v : (v: number) => Math.max(0, v)
  const stat = statistical(history, options.seasonLength, horizon)
  const points = stat.points.map(({ value, sd }, k): ForecastPoint => {
    const weight = PIPELINE_WEIGHTS[k] ?? 0
    const pipeline = options.pipeline?.[k]
    // No deal dated in the period says nothing about it (close dates are often left empty): no blend.
    const blended = pipeline !== undefined && pipeline > 0 && weight > 0
    // The pipeline may only raise the centre: deals already in flight above the norm are news, while a
    // thin pipeline says more about how early the team logs deals than about the period's revenue.
    const centre = blended ? Math.max(value, (1 - weight) * value + weight * pipeline) : value
    return {
      step: k + 1,
      value: round(clamp(centre)),
      statistical: round(clamp(value)),
      ...(blended ? { pipeline: round(pipeline) } : {}),
      lower80: round(clamp(centre - Z80 * sd)),
      upper80: round(clamp(centre + Z80 * sd)),
      lower95: round(clamp(centre - Z95 * sd)),
      upper95: round(clamp(centre + Z95 * sd)),
    }
  })
  return {
    method: stat.method,
    seasonLength: stat.m,
    params: stat.params,
    residualSigma: round(stat.sigma),
    outliers: stat.outliers.map((o) => ({ ...o, replacedBy: round(o.replacedBy) })),
    points,
    backtest: backtest(history, options.seasonLength, horizon, new Set(stat.outliers.map((o) => o.index))),
  }
}

const round = (v: number) => Math.round(v * 100) / 100
