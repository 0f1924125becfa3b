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
