/**
 * The whole ingestion as one pure fold: what the table holds after a stream of deliveries. The
 * subscriber does the same thing one event at a time (dedupe record, cells, entities in one
 * transaction); this is the reference the property test compares permutations against, and what
 * the replay test compares the table with.
 */
import { addCells } from './cells.js'
import type { Entity } from './entities.js'
import { type AnalyticsEvent, type EntityKey, entitiesOf, planEvent } from './ingest.js'

export interface FoldState {
  seen: Set<string>
  totals: Map<string, number>
  entities: Map<EntityKey, Entity>
}

export const emptyFold = (): FoldState => ({ seen: new Set(), totals: new Map(), entities: new Map() })

/** One delivery: a duplicate (same event id) changes nothing. */
export function foldEvent(state: FoldState, e: AnalyticsEvent, zone: string): FoldState {
  if (state.seen.has(e.id)) return state
  state.seen.add(e.id)
  const current = new Map(entitiesOf(e).map((k) => [k, state.entities.get(k)] as const))
  const plan = planEvent(e, zone, current)
  addCells(state.totals, plan.cells)
  for (const [k, v] of plan.entities) state.entities.set(k, v)
  return state
}

/** Every delivery in order. */
export function fold(events: readonly AnalyticsEvent[], zone: string): FoldState {
  const state = emptyFold()
  for (const e of events) foldEvent(state, e, zone)
  return state
}

/** The fold's totals of one dimension in the shape the dashboard reads (what the store's range read returns). */
export function dayTable(
  totals: ReadonlyMap<string, number>,
  dim: string,
): Map<string, Map<string, Record<string, number>>> {
  const out = new Map<string, Map<string, Record<string, number>>>()
  for (const [key, v] of totals) {
    const [d, value, day, metric] = key.split('\u0001') as [string, string, string, string]
    if (d !== dim) continue
    const values = out.get(day) ?? new Map<string, Record<string, number>>()
    const m = values.get(value) ?? {}
    m[metric] = (m[metric] ?? 0) + v
    values.set(value, m)
    out.set(day, values)
  }
  return out
}
