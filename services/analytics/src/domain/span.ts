/**
 * Which items a read of `[from, ∞)` takes, pure: month rollups where a whole calendar month lies
 * inside one of the caller's ranges, days elsewhere. A dashboard of a year then reads ~12 month
 * items and the edge days per dimension value instead of ~365 days.
 *
 * `cuts` are the days the caller's ranges end on (it sums `[from, cut₁]`, `[cut₁+1, cut₂]`, ...,
 * and everything after the last cut for running totals). A month can stand for its days only if no
 * range ends inside it (on its last day is fine) and the read starts at or before its first day.
 */
import { addDays } from './calendar.js'

export interface SpanPlan {
  /** Day ranges `[from, to]` to read day items for. */
  days: [string, string][]
  /** Month ranges `[YYYY-MM, YYYY-MM | '~']` to read month rollups for (`~`: every later month). */
  months: [string, string][]
}

/** The last day of the month `YYYY-MM`. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
}

export function spanPlan(from: string, cuts: readonly string[]): SpanPlan {
  const plan: SpanPlan = { days: [], months: [] }
  const maxCut = cuts.reduce((a, b) => (b > a ? b : a), addDays(from, -1))
  let last: 'day' | 'month' | undefined
  for (let cur = from; ; ) {
    const month = cur.slice(0, 7)
    const first = `${month}-01`
    const end = monthEnd(month)
    if (cur === first && cur > maxCut) {
      if (last === 'month') plan.months.at(-1)![1] = '~'
      else plan.months.push([month, '~'])
      return plan
    }
    const whole = cur === first && !cuts.some((c) => c >= first && c < end)
    if (whole) {
      if (last === 'month') plan.months.at(-1)![1] = month
      else plan.months.push([month, month])
      last = 'month'
    } else {
      if (last === 'day') plan.days.at(-1)![1] = end
      else plan.days.push([cur, end])
      last = 'day'
    }
    cur = addDays(end, 1)
  }
}
