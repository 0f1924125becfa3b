/**
 * State-like metrics, pure: open pipeline, buyers and repeat buyers, campaign conversions. These
 * depend on an entity's state (is the deal still open? is this the contact's second purchase?),
 * and events about one entity arrive late, twice and out of order. So each entity keeps the
 * observations it has seen (deduplicated by event id) and its cells are a function of that SET:
 *
 *   timeline(observations) → cells        (the same set gives the same cells, whatever the order)
 *
 * A new observation writes `timeline(after) − timeline(before)`: the sum of everything written for
 * an entity is always `timeline(all its observations)`, so any delivery order ends on the same
 * aggregates. A late, older version of a deal moves its delta back to the day it belongs to.
 *
 * | entity  | observations kept                       | cells                                              |
 * | ------- | --------------------------------------- | -------------------------------------------------- |
 * | deal    | each event's fields, by deal version    | openCount, openAmount_<cur> per owner/pipeline/stage, on the day each version began |
 * | contact | its 2 earliest purchases; clicks; conversions | buyers (1st purchase day), repeatBuyers (2nd), emailsConverted per campaign (a conversion within 30 days of a click) |
 *
 * A contact entity is keyed by the contact id and holds no other personal data; `Contact.Erased`
 * deletes it (its counts stay: they say nothing about anyone).
 */
import { type Cell, CellSink } from './cells.js'

/** Observations beyond this are ignored (logged): a deal with 300 changes is a script, not a sale. */
export const MAX_OBSERVATIONS = 300
/** A conversion counts for the campaign clicked at most this long before it. */
export const ATTRIBUTION_WINDOW_MS = 30 * 86_400_000

export interface DealFields {
  status?: string
  stage?: string
  pipeline?: string
  owner?: string
  /** null: the amount was cleared. */
  amount?: { m: number; c: string } | null
  deleted?: boolean
}
export interface DealObservation {
  v: number
  e: string
  d: string
  f: DealFields
}
export interface DealEntity {
  kind: 'deal'
  obs: DealObservation[]
}

export interface Stamp {
  e: string
  /** The instant (ISO); orders the observations. */
  t: string
  d: string
}
export interface ContactEntity {
  kind: 'contact'
  /** The two earliest purchases. */
  p: Stamp[]
  /** Campaign clicks. */
  k: (Stamp & { c: string })[]
  /** Conversions (purchases and won deals). */
  x: Stamp[]
}
export type Entity = DealEntity | ContactEntity

const byVersion = (a: DealObservation, b: DealObservation) =>
  a.v - b.v || (a.e < b.e ? -1 : a.e > b.e ? 1 : 0)
const byTime = (a: Stamp, b: Stamp) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.e < b.e ? -1 : a.e > b.e ? 1 : 0)

/** The deal with one more observation (unchanged when it holds that event already or is full). */
export function observeDeal(entity: DealEntity | undefined, o: DealObservation): DealEntity | undefined {
  const obs = entity?.obs ?? []
  if (obs.some((x) => x.e === o.e) || obs.length >= MAX_OBSERVATIONS) return undefined
  return { kind: 'deal', obs: [...obs, o].sort(byVersion) }
}

function contribute(sink: CellSink, state: DealFields, sign: 1 | -1, day: string): void {
  if (state.deleted || state.status !== 'open' || !state.amount) return
  const dims: ['owner' | 'pipeline' | 'stage', unknown][] = []
  if (state.owner !== undefined) dims.push(['owner', state.owner])
  if (state.pipeline !== undefined) {
    dims.push(['pipeline', state.pipeline])
    if (state.stage !== undefined) dims.push(['stage', `${state.pipeline}:${state.stage}`])
  }
  sink.add('openCount', sign, dims, day)
  sink.add(`openAmount_${state.amount.c}`, sign * state.amount.m, dims, day)
}

/** The cells a deal's observations add up to: each version's open amount from the day it began. */
export function dealTimeline(entity: DealEntity | undefined): Cell[] {
  const sink = new CellSink('')
  let state: DealFields = {}
  for (const o of entity?.obs ?? []) {
    const next: DealFields = { ...state }
    for (const [k, v] of Object.entries(o.f)) if (v !== undefined) (next as Record<string, unknown>)[k] = v
    contribute(sink, state, -1, o.d)
    contribute(sink, next, 1, o.d)
    state = next
  }
  return sink.cells
}

const emptyContact = (): ContactEntity => ({ kind: 'contact', p: [], k: [], x: [] })

/** The contact with one more purchase / click / conversion (undefined when nothing changes). */
export function observeContact(
  entity: ContactEntity | undefined,
  o: { purchase?: Stamp; click?: Stamp & { c: string }; conversion?: Stamp },
): ContactEntity | undefined {
  const cur = entity ?? emptyContact()
  let changed = false
  const next: ContactEntity = { kind: 'contact', p: cur.p, k: cur.k, x: cur.x }
  if (o.purchase && !cur.p.some((s) => s.e === o.purchase!.e)) {
    const p = [...cur.p, o.purchase].sort(byTime).slice(0, 2)
    if (p.some((s) => s.e === o.purchase!.e)) {
      next.p = p
      changed = true
    }
  }
  if (o.click && !cur.k.some((s) => s.e === o.click!.e) && cur.k.length < MAX_OBSERVATIONS) {
    next.k = [...cur.k, o.click].sort(byTime)
    changed = true
  }
  if (o.conversion && !cur.x.some((s) => s.e === o.conversion!.e) && cur.x.length < MAX_OBSERVATIONS) {
    next.x = [...cur.x, o.conversion].sort(byTime)
    changed = true
  }
  return changed ? next : undefined
}

/** The cells a contact's observations add up to. */
export function contactTimeline(entity: ContactEntity | undefined): Cell[] {
  const sink = new CellSink('')
  if (!entity) return sink.cells
  const [first, second] = entity.p
  if (first) sink.add('buyers', 1, [], first.d)
  if (second) sink.add('repeatBuyers', 1, [], second.d)
  for (const x of entity.x) {
    const at = Date.parse(x.t)
    let click: (Stamp & { c: string }) | undefined
    for (const k of entity.k) {
      const clickedAt = Date.parse(k.t)
      if (clickedAt <= at && at - clickedAt <= ATTRIBUTION_WINDOW_MS) click = k // sorted: the last one wins
    }
    if (click) sink.add('emailsConverted', 1, [['campaign', click.c]], x.d)
  }
  return sink.cells
}

export function timeline(entity: Entity | undefined): Cell[] {
  if (!entity) return []
  return entity.kind === 'deal' ? dealTimeline(entity) : contactTimeline(entity)
}
