/**
 * The shape of every aggregate, pure. An aggregate is a number in a cell:
 *
 * | part   | what                                                                      |
 * | ------ | ------------------------------------------------------------------------- |
 * | dim    | the dimension it is broken down by (`all` = the tenant's total)           |
 * | value  | the dimension's value (an owner id, a lead source, a queue id; `_` for all)|
 * | day    | the tenant-local day, or {@link LIFETIME} for a running total              |
 * | metric | what is counted or summed (`dealsWon`, `wonAmount_EUR`, `hCycle_42`)       |
 *
 * Every change is an addition to a cell, so cells from any number of events, in any order, sum to
 * the same totals. Metric names are DynamoDB attribute names: `[A-Za-z0-9_]` only. Money is kept per
 * currency (`<metric>_<ISO 4217>`, integer minor units) and converted to the base currency when read,
 * so a change of exchange rates never needs a rebuild. No cell carries personal data: values are
 * user ids, ids of pipelines, stages, queues and campaigns, and enumerations.
 */
import { GROUP_BY } from '@relay/contracts/analytics'
import { LIFETIME } from './calendar.js'

/** `all` (the tenant's total) and every dimension a report can be grouped by. */
export const DIMENSIONS = ['all', ...GROUP_BY] as const
export type Dimension = (typeof DIMENSIONS)[number]

export const ALL = '_'
/** A dimension value the event did not give (a lead without a campaign). */
export const NONE = '(none)'
const MAX_VALUE_LENGTH = 64

export interface Cell {
  dim: Dimension
  value: string
  day: string
  metric: string
  delta: number
}

/**
 * Running totals (state, not flow): each change also adds to the {@link LIFETIME} cell, so the value
 * at any day is the lifetime total minus the changes after it.
 */
const CUMULATIVE =
  /^(contactsNet|openCount|openAmount_[A-Z]{3}|stageWon|stageLost|buyers|repeatBuyers|purchaseAmount_[A-Z]{3})$/
export const isCumulative = (metric: string): boolean => CUMULATIVE.test(metric)

/**
 * A dimension value as stored: trimmed, NFC, at most 64 characters, no `#` (the key separator).
 * Free-text sources (a contact's `source`) are cut short so a value cannot smuggle a whole note in.
 */
export function dimValue(raw: unknown): string {
  if (typeof raw !== 'string') return NONE
  const v = raw.normalize('NFC').trim().replaceAll('#', '_').slice(0, MAX_VALUE_LENGTH)
  return v === '' ? NONE : v
}

/** Builds the cells of one change: a metric moved on `day` along the tenant total and each given dimension. */
export class CellSink {
  readonly cells: Cell[] = []
  constructor(readonly day: string) {}

  /** `delta` on `metric` for the tenant and for each `[dim, value]`; running totals also on the lifetime cell. */
  add(
    metric: string,
    delta: number,
    dims: readonly (readonly [Dimension, unknown])[] = [],
    day = this.day,
  ): void {
    if (delta === 0 || !Number.isFinite(delta)) return
    const targets: [Dimension, string][] = [
      ['all', ALL],
      ...dims.map(([d, v]) => [d, dimValue(v)] as [Dimension, string]),
    ]
    for (const [dim, value] of targets) {
      this.cells.push({ dim, value, day, metric, delta })
      if (isCumulative(metric) && day !== LIFETIME)
        this.cells.push({ dim, value, day: LIFETIME, metric, delta })
    }
  }
}

/** The key of a cell in a fold's map. */
export const cellKey = (c: { dim: string; value: string; day: string; metric: string }) =>
  `${c.dim}\u0001${c.value}\u0001${c.day}\u0001${c.metric}`

/** Adds cells to a map of totals; zero totals are removed so equal folds compare equal. */
export function addCells(totals: Map<string, number>, cells: readonly Cell[]): void {
  for (const c of cells) {
    const key = cellKey(c)
    const next = (totals.get(key) ?? 0) + c.delta
    if (next === 0) totals.delete(key)
    else totals.set(key, next)
  }
}

/** The cells that turn `before` into `after` (both keyed by {@link cellKey}). */
export function diffCells(before: readonly Cell[], after: readonly Cell[]): Cell[] {
  const sum = new Map<string, Cell>()
  const put = (c: Cell, sign: number) => {
    const key = cellKey(c)
    const cur = sum.get(key)
    if (cur) cur.delta += sign * c.delta
    else sum.set(key, { ...c, delta: sign * c.delta })
  }
  for (const c of after) put(c, 1)
  for (const c of before) put(c, -1)
  return [...sum.values()].filter((c) => c.delta !== 0)
}
