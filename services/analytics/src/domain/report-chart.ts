/** A report as a chart spec for `chart.ts`, pure: funnels as bars, time series as lines. */
import type { ChartSpec } from './chart.js'
import type { Report } from './dashboard.js'

const UNIT_LABEL: Record<string, (currency: string) => string> = {
  count: () => 'count',
  ratio: () => 'ratio (0–1)',
  money: (c) => `${c} (minor units)`,
  seconds: () => 'seconds',
  minutes: () => 'business minutes',
  score: () => 'score (1–5)',
}

export function reportChart(r: Report & { baseCurrency: string }): ChartSpec {
  const steps = 'steps' in r ? r.steps : undefined
  if (steps && r.series.every((s) => !s.key.includes(' · ')))
    return {
      title: `${r.title}, ${r.from} – ${r.to}`,
      xLabel: 'step',
      yLabel: 'count',
      kind: 'bar',
      series: [{ name: 'count', points: steps.map((s) => ({ x: s.step, y: s.count })) }],
    }
  return {
    title: `${r.title}, ${r.from} – ${r.to}`,
    xLabel: r.interval,
    yLabel: (UNIT_LABEL[r.unit] ?? UNIT_LABEL.count!)(r.baseCurrency),
    kind: 'line',
    series: r.series.map((s) => ({
      name: s.key,
      points: s.points.filter((p) => p.value !== null).map((p) => ({ x: p.period, y: p.value as number })),
    })),
  }
}
