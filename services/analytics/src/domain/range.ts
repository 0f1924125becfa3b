/** The range a dashboard or report covers, pure: defaults and limits. */
import { MAX_RANGE_DAYS } from '@relay/contracts/analytics'
import { Invalid } from '@relay/core/outcomes'
import { addDays, daysBetween } from './calendar.js'

/** Days a range covers when `from` is not given. */
export const DEFAULT_RANGE_DAYS = 30

/** `[from, to]` from the query: `to` defaults to today (tenant time), `from` to 30 days ending at `to`. */
export function resolveRange(
  query: { from?: string | undefined; to?: string | undefined },
  today: string,
): { from: string; to: string } {
  const to = query.to ?? (query.from && query.from > today ? query.from : today)
  const from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1))
  if (from > to)
    throw new Invalid([{ field: 'query.from', code: 'range', message: 'Must be on or before to' }])
  if (daysBetween(from, to) > MAX_RANGE_DAYS)
    throw new Invalid([
      { field: 'query.from', code: 'range', message: `A range covers at most ${MAX_RANGE_DAYS} days` },
    ])
  return { from, to }
}
