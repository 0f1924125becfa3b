import { describe, expect, it } from 'vitest'
import {
  backtest,
  chooseParams,
  cleanSeries,
  fitHoltWinters,
  forecast,
  PIPELINE_WEIGHTS,
  seasonalIndex,
} from '../src/domain/forecast.js'
import { median, robustSigma, robustZ, rollingMedian } from '../src/domain/robust.js'

/** Monthly revenue with a known answer: level 1000, +20 a month, a yearly swing of ±200. */
const truth = (t: number) => 1000 + 20 * t + 200 * Math.sin((2 * Math.PI * t) / 12)
/** A seeded generator (Park-Miller), so every run sees the same noise. */
function noise(seed: number, amplitude: number): () => number {
  let s = seed
  return () => {
    s = (s * 16807) % 2147483647
    return (s / 2147483647 - 0.5) * 2 * amplitude
  }
}
const history = (n: number, amplitude = 0, seed = 7) => {
  const r = noise(seed, amplitude)
  return Array.from({ length: n }, (_, t) => truth(t) + r())
}
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b)

describe('robust statistics', () => {
  it('median, robust σ (MAD, else mean absolute deviation) and z-scores by hand', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    // |x − 3| = 2,1,0,1,97 → MAD 1 → σ 1.4826; the 100 does not move it.
    expect(robustSigma([1, 2, 3, 4, 100])).toBeCloseTo(1.4826, 4)
    // More than half equal: MAD 0, so 1.2533 · mean(|x − 5|) = 1.2533 · 5/5.
    expect(robustSigma([5, 5, 5, 5, 10])).toBeCloseTo(1.253314, 5)
    expect(robustZ(10, [1, 2, 3, 4, 5])).toBeCloseTo(7 / 1.4826, 4)
    expect(robustZ(5, [5, 5, 5])).toBe(0)
    expect(robustZ(6, [5, 5, 5])).toBe(Number.POSITIVE_INFINITY)
    expect(rollingMedian([1, 9, 2, 3, 4], 1)).toEqual([5, 2, 3, 3, 3.5])
    // Of two, the one nearer 0: a spike in one of two seasons stays out of the index.
    expect(seasonalIndex([3, 300])).toBe(3)
    expect(seasonalIndex([-300, -3])).toBe(-3)
    expect(seasonalIndex([1, 2, 300])).toBe(2)
  })
})

describe('cleanSeries', () => {
  it('finds exactly the injected spikes (a 4× month, a zero month, +3000) and no seasonal peak', () => {
    // Prepare
    const values = history(36, 20)
    values[10]! *= 4
    values[25] = 0
    values[30]! += 3000
    // Act
    const { cleaned, outliers } = cleanSeries(values, 12)
    // Assess
    expect(outliers.map((o) => o.index)).toEqual([10, 25, 30])
    for (const o of outliers) expect(relErr(cleaned[o.index]!, truth(o.index))).toBeLessThan(0.05)
    // Everything else is left exactly as it was.
    values.forEach((v, i) => {
      if (![10, 25, 30].includes(i)) expect(cleaned[i]).toBe(v)
    })
  })

  it('with two seasons only, a spike in one of them is caught, not the normal month of the other', () => {
    const values = history(30, 20)
    values[10]! *= 4
    expect(cleanSeries(values, 12).outliers.map((o) => o.index)).toEqual([10])
  })

  it('leaves a recurring peak (every December +2000) alone: it is the season, not an outlier', () => {
    const values = history(36, 20).map((v, t) => (t % 12 === 11 ? v + 2000 : v))
    expect(cleanSeries(values, 12).outliers).toEqual([])
  })
})

describe('Holt-Winters', () => {
  it('reproduces a noise-free trend + season exactly once its state is set', () => {
    // A pure additive series with a linear trend is a fixed point of the recursion, whatever α, β, γ.
    const y = Array.from(
      { length: 36 },
      (_, t) => 500 + 10 * t + [0, 50, 100, 50, 0, -50, -100, -50, 0, 25, -25, 0][t % 12]!,
    )
    const fit = fitHoltWinters(y, 12, { alpha: 0.3, beta: 0.1, gamma: 0.2 })
    expect(fit.sse).toBeLessThan(1e-12)
    expect(fit.trend).toBeCloseTo(10, 9)
  })

  it('chooses α, β, γ inside (0, 1) that fit better than a fixed middle choice', () => {
    const y = history(48, 60)
    const p = chooseParams(y, 12)
    for (const v of [p.alpha, p.beta, p.gamma]) {
      expect(v).toBeGreaterThan(0)
      expect(v).toBeLessThan(1)
    }
    expect(fitHoltWinters(y, 12, p).sse).toBeLessThanOrEqual(
      fitHoltWinters(y, 12, { alpha: 0.5, beta: 0.5, gamma: 0.5 }).sse,
    )
  })
})

describe('forecast', () => {
  it('forecasts a noisy seasonal series within 3% of the known answer, with a small backtest MAPE', () => {
    // Act
    const f = forecast(history(36, 30), { seasonLength: 12, horizon: 6 })
    // Assess
    expect(f.method).toBe('holt-winters-additive')
    expect(f.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6])
    f.points.forEach((p, k) => {
      expect(relErr(p.value, truth(36 + k))).toBeLessThan(0.03)
    })
    expect(f.backtest.periods).toBe(6)
    expect(f.backtest.mape).toBeLessThan(3)
  })

  it('resists outliers: the spiky history forecasts what the clean one does, and reports the spikes', () => {
    // Prepare
    const clean = history(36, 30)
    const spiky = [...clean]
    spiky[10]! *= 4
    spiky[25] = 0
    spiky[33]! += 5000
    // Act
    const a = forecast(clean, { seasonLength: 12, horizon: 6 })
    const b = forecast(spiky, { seasonLength: 12, horizon: 6 })
    // Assess
    expect(b.outliers.map((o) => o.index)).toEqual([10, 25, 33])
    b.points.forEach((p, k) => {
      expect(relErr(p.value, a.points[k]!.value)).toBeLessThan(0.02)
      expect(relErr(p.value, truth(36 + k))).toBeLessThan(0.03)
    })
    // The +5000 month is in the backtest window but no yardstick of the norm.
    expect(b.backtest.mape).toBeLessThan(3)
  })

  it('gives nested prediction intervals that widen with the horizon and hold the truth', () => {
    const f = forecast(history(48, 80, 11), { seasonLength: 12, horizon: 6 })
    let lastWidth = 0
    f.points.forEach((p, k) => {
      expect(p.lower95).toBeLessThanOrEqual(p.lower80)
      expect(p.lower80).toBeLessThanOrEqual(p.value)
      expect(p.value).toBeLessThanOrEqual(p.upper80)
      expect(p.upper80).toBeLessThanOrEqual(p.upper95)
      const width = p.upper95 - p.lower95
      expect(width).toBeGreaterThanOrEqual(lastWidth)
      lastWidth = width
      expect(truth(48 + k)).toBeGreaterThan(p.lower95 - 80)
      expect(truth(48 + k)).toBeLessThan(p.upper95 + 80)
    })
    expect(f.residualSigma).toBeGreaterThan(20)
  })

  it('blends the weighted open pipeline into the near periods only, by the documented weights', () => {
    // Act
    const f = forecast(history(36), { seasonLength: 12, horizon: 6, pipeline: [4000, 0, 4000, 4000, 4000] })
    // Assess
    const [p1, p2, p3, p4] = f.points
    expect(p1!.value).toBeCloseTo((1 - PIPELINE_WEIGHTS[0]) * p1!.statistical + PIPELINE_WEIGHTS[0] * 4000, 1)
    expect(p1!.pipeline).toBe(4000)
    // A period without dated deals keeps its statistical value.
    expect(p2!.value).toBe(p2!.statistical)
    expect(p2!.pipeline).toBeUndefined()
    expect(p3!.value).toBeCloseTo((1 - PIPELINE_WEIGHTS[2]) * p3!.statistical + PIPELINE_WEIGHTS[2] * 4000, 1)
    // Beyond the third period history alone speaks.
    expect(p4!.value).toBe(p4!.statistical)
  })

  it('lets a thin pipeline (below the norm) leave the forecast as it is', () => {
    const f = forecast(history(36), { seasonLength: 12, horizon: 2, pipeline: [100, 100] })
    for (const p of f.points) {
      expect(p.pipeline).toBe(100)
      expect(p.value).toBe(p.statistical)
    }
  })

  it('falls back with short histories: Holt linear without two seasons, the mean below four periods', () => {
    const linear = forecast([100, 110, 120, 130, 140, 150, 160, 170], { seasonLength: 12, horizon: 3 })
    expect(linear.method).toBe('holt-linear')
    expect(linear.points.map((p) => p.value)).toEqual([180, 190, 200])
    expect(linear.backtest.mape).toBeCloseTo(0, 6)

    const mean = forecast([100, 300], { seasonLength: 12, horizon: 2 })
    expect(mean.method).toBe('mean')
    expect(mean.points.map((p) => p.value)).toEqual([200, 200])
    expect(mean.backtest).toEqual({ periods: 0, mape: null })

    expect(forecast([], { seasonLength: 12, horizon: 2 }).points.map((p) => p.value)).toEqual([0, 0])
  })

  it('never forecasts negative revenue unless told values may be negative', () => {
    const falling = [500, 400, 300, 200, 100, 50]
    expect(
      forecast(falling, { seasonLength: 12, horizon: 4 }).points.every((p) => p.lower95 >= 0 && p.value >= 0),
    ).toBe(true)
    expect(
      forecast(falling, { seasonLength: 12, horizon: 4, nonNegative: false }).points.some((p) => p.value < 0),
    ).toBe(true)
  })

  it('backtests against what happened: a forecast that misses by 10% scores 10%', () => {
    // A flat history, then a last period 10% above: the refit without it predicts 100.
    const values = [100, 100, 100, 100, 100, 110]
    expect(backtest(values, 12, 1)).toEqual({ periods: 1, mape: expect.closeTo(9.09, 1) })
    // A zero actual has no percentage error: left out rather than counted.
    expect(backtest([100, 100, 100, 100, 100, 0], 12, 1)).toEqual({ periods: 1, mape: null })
  })
})
