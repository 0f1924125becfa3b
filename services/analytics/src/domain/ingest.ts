/**
 * How each event moves the aggregates, pure. `planEvent` turns one event (already validated by its
 * contract and not seen before) into the cells it adds and the entities it changes.
 *
 * | event                       | cells (dimensions)                                                   |
 * | --------------------------- | -------------------------------------------------------------------- |
 * | Contact.Created / Deleted   | contactsCreated (owner, source, channel) / contactsDeleted; contactsNet ±1 |
 * | Lead.Created                | leadsCreated (owner, source, campaign); leadsQualified if born qualified |
 * | Lead.Updated                | leadsQualified when status becomes `qualified`                        |
 * | Lead.Converted              | leadsConverted (source, campaign)                                     |
 * | Deal.Created                | dealsCreated (owner, pipeline, stage); leadOpportunities if from a lead |
 * | Deal.Won / Deal.Lost        | dealsWon/Lost, wonAmount_<cur> (owner, pipeline); wonFromLead; sales cycle histogram; stageWon/stageLost per stage the deal went through |
 * | Deal.* (any)                | the deal entity: open pipeline (see entities.ts)                      |
 * | Interaction.Logged          | visits (web_visit), purchases + purchaseAmount_<cur> (channel); the contact entity (buyers, conversions) |
 * | Ticket.Opened               | ticketsOpened (queue, priority, category, channel, owner = assignee)  |
 * | Ticket.Solved               | ticketsSolved; first response / resolution histograms (business minutes); slaMet / slaMissed |
 * | Ticket.Rated                | csatResponses, csatSatisfied, csatScore                               |
 * | Email.Sent/Delivered/Opened/Clicked/Bounced | emailsSent/Delivered/Opened/Clicked/Bounced (campaign); a click joins the contact entity |
 *
 * The day is the tenant-local day of the moment the fact happened: the interaction's or email
 * event's own `occurredAt` when it has one (a purchase logged a day late belongs to its day), else
 * the envelope's.
 */
import type { ContactCreatedV1 } from '@relay/contracts/contacts'
import type { Interaction } from '@relay/contracts/interactions'
import type { Lead, LeadConvertedV1 } from '@relay/contracts/leads'
import type { Deal } from '@relay/contracts/pipeline'
import type { TicketOpenedV1, TicketRatedV1, TicketSolvedV1 } from '@relay/contracts/service-desk-events'
import { LIFETIME, localDay } from './calendar.js'
import { type Cell, CellSink, diffCells } from './cells.js'
import {
  type ContactEntity,
  type DealEntity,
  type DealFields,
  type Entity,
  observeContact,
  observeDeal,
  timeline,
} from './entities.js'
import { bucketOfSeconds } from './histogram.js'

/** An event as the fold sees it: its contract has validated `data`. */
export interface AnalyticsEvent {
  id: string
  type: string
  occurredAt: string
  version?: number
  data: unknown
}

export type EntityKey = `deal#${string}` | `contact#${string}`

type Changes = Record<string, { before?: unknown; after?: unknown }>
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** The moment the fact happened. */
export function eventInstant(e: AnalyticsEvent): string {
  const own = str(rec(e.data).occurredAt)
  const at = (e.type === 'Interaction.Logged' || e.type.startsWith('Email.')) && own ? own : e.occurredAt
  return Number.isNaN(Date.parse(at)) ? e.occurredAt : at
}

/** The entities an event touches (read before planning it). */
export function entitiesOf(e: AnalyticsEvent): EntityKey[] {
  const d = rec(e.data)
  if (e.type.startsWith('Deal.')) {
    const deal = rec(d.deal)
    const id = str(d.id) ?? str(deal.id)
    const keys: EntityKey[] = id ? [`deal#${id}`] : []
    const contact = str(deal.contactId)
    if (e.type === 'Deal.Won' && contact) keys.push(`contact#${contact}`)
    return keys
  }
  if (e.type === 'Interaction.Logged' && d.type === 'purchase' && str(d.contactId))
    return [`contact#${d.contactId}`]
  if (e.type === 'Email.Clicked' && str(d.contactId) && str(d.campaignId)) return [`contact#${d.contactId}`]
  return []
}

const dealDims = (deal: Pick<Deal, 'ownerId' | 'pipelineId' | 'stageId'>) =>
  [
    ['owner', deal.ownerId],
    ['pipeline', deal.pipelineId],
  ] as const

function dealFieldsOf(deal: Deal): DealFields {
  return {
    status: deal.status,
    stage: deal.stageId,
    pipeline: deal.pipelineId,
    owner: deal.ownerId,
    amount: deal.amount ? { m: deal.amount.amountMinor, c: deal.amount.currency } : null,
  }
}

/** What a deal event says of the deal's state (fields it does not name stay as they were). */
function dealObservation(e: AnalyticsEvent): { v: number; f: DealFields } | undefined {
  const d = rec(e.data)
  switch (e.type) {
    case 'Deal.Created':
      return { v: (d as Deal).version, f: dealFieldsOf(d as Deal) }
    case 'Deal.Won':
    case 'Deal.Lost': {
      const deal = d.deal as Deal
      return { v: deal.version, f: dealFieldsOf(deal) }
    }
    case 'Deal.StageChanged': {
      const s = d as { version: number; pipelineId: string; toStageId: string }
      return { v: s.version, f: { stage: s.toStageId, pipeline: s.pipelineId } }
    }
    case 'Deal.Updated': {
      const changes = rec(d.changes) as Changes
      const f: DealFields = {}
      if ('amount' in changes) {
        const a = rec(changes.amount?.after)
        f.amount =
          typeof a.amountMinor === 'number' && typeof a.currency === 'string'
            ? { m: a.amountMinor, c: a.currency }
            : null
      }
      for (const [field, key] of [
        ['ownerId', 'owner'],
        ['stageId', 'stage'],
        ['status', 'status'],
        ['pipelineId', 'pipeline'],
      ] as const) {
        const after = str(changes[field]?.after)
        if (after) f[key] = after
      }
      return { v: Number(d.version), f }
    }
    case 'Deal.Deleted':
      // No version: the delete is the last word on the deal.
      return { v: typeof d.version === 'number' ? d.version : Number.MAX_SAFE_INTEGER, f: { deleted: true } }
    default:
      return undefined
  }
}

function closeCells(sink: CellSink, e: AnalyticsEvent, won: boolean): void {
  const deal = rec(e.data).deal as Deal
  const dims = dealDims(deal)
  sink.add(won ? 'dealsWon' : 'dealsLost', 1, dims)
  if (won && deal.amount) sink.add(`wonAmount_${deal.amount.currency}`, deal.amount.amountMinor, dims)
  if (won && deal.leadId) sink.add('wonFromLead', 1)
  if (won) {
    const seconds = (Date.parse(deal.closedAt ?? e.occurredAt) - Date.parse(deal.createdAt)) / 1000
    if (seconds >= 0) {
      sink.add('cycleCount', 1)
      sink.add('cycleSeconds', Math.round(seconds))
      sink.add(`hCycle_${bucketOfSeconds(seconds)}`, 1)
    }
  }
  // Learned stage probabilities: every open stage the deal went through ends in this outcome. Kept
  // as lifetime totals only (no day or month cells): a pipeline has up to 30 stages, and one event's
  // transaction holds at most 99 writes.
  const stages = new Set(deal.stageHistory.map((v) => v.stageId).filter((s) => s !== deal.stageId))
  for (const stage of stages)
    sink.add(won ? 'stageWon' : 'stageLost', 1, [['stage', `${deal.pipelineId}:${stage}`]], LIFETIME)
}

function durationCells(
  sink: CellSink,
  name: string,
  minutes: number | undefined,
  dims: readonly (readonly ['queue' | 'priority' | 'category' | 'channel' | 'owner', unknown])[],
): void {
  if (minutes === undefined || !(minutes >= 0)) return
  sink.add(`${name}Count`, 1, dims)
  sink.add(`${name}Minutes`, Math.round(minutes), dims)
  sink.add(`h${name[0]!.toUpperCase()}${name.slice(1)}_${bucketOfSeconds(minutes * 60)}`, 1, dims)
}

/** The plain counters of an event (no entity state). */
function counterCells(sink: CellSink, e: AnalyticsEvent): void {
  const d = rec(e.data)
  switch (e.type) {
    case 'Contact.Created': {
      const c = d as ContactCreatedV1
      sink.add('contactsCreated', 1, [
        ['owner', c.ownerId],
        ['source', c.source],
        ['channel', c.channel],
      ])
      sink.add('contactsNet', 1)
      return
    }
    case 'Contact.Deleted':
      sink.add('contactsDeleted', 1)
      sink.add('contactsNet', -1)
      return
    case 'Lead.Created': {
      const l = d as Lead
      const dims = [
        ['owner', l.ownerId],
        ['source', l.source],
        ['campaign', l.campaign],
      ] as const
      sink.add('leadsCreated', 1, dims)
      if (l.status === 'qualified') sink.add('leadsQualified', 1, dims)
      return
    }
    case 'Lead.Updated': {
      const status = rec(rec(d.changes).status)
      if (status.after === 'qualified' && status.before !== 'qualified') sink.add('leadsQualified', 1)
      return
    }
    case 'Lead.Converted': {
      const l = d as LeadConvertedV1
      sink.add('leadsConverted', 1, [
        ['source', l.source],
        ['campaign', l.campaign],
      ])
      return
    }
    case 'Deal.Created': {
      const deal = d as Deal
      sink.add('dealsCreated', 1, [...dealDims(deal), ['stage', `${deal.pipelineId}:${deal.stageId}`]])
      if (deal.leadId) sink.add('leadOpportunities', 1)
      return
    }
    case 'Deal.Won':
    case 'Deal.Lost':
      closeCells(sink, e, e.type === 'Deal.Won')
      return
    case 'Interaction.Logged': {
      const i = d as Interaction
      const dims = [['channel', i.channel]] as const
      if (i.type === 'web_visit') sink.add('visits', 1, dims)
      if (i.type === 'purchase') {
        sink.add('purchases', 1, dims)
        if (i.amount) sink.add(`purchaseAmount_${i.amount.currency}`, i.amount.amountMinor)
      }
      return
    }
    case 'Ticket.Opened': {
      const t = d as TicketOpenedV1
      sink.add('ticketsOpened', 1, ticketDims(t))
      return
    }
    case 'Ticket.Solved': {
      const t = d as TicketSolvedV1
      const dims = ticketDims(t)
      sink.add('ticketsSolved', 1, dims)
      durationCells(sink, 'firstResponse', t.firstResponseMinutes, dims)
      durationCells(sink, 'resolution', t.resolutionMinutes, dims)
      if (t.sla.length > 0 || t.slaBreached) sink.add(t.slaBreached ? 'slaMissed' : 'slaMet', 1, dims)
      return
    }
    case 'Ticket.Rated': {
      const t = d as TicketRatedV1
      const dims = ticketDims(t)
      sink.add('csatResponses', 1, dims)
      sink.add('csatScore', t.score, dims)
      if (t.satisfied) sink.add('csatSatisfied', 1, dims)
      return
    }
    case 'Email.Sent':
    case 'Email.Delivered':
    case 'Email.Opened':
    case 'Email.Clicked':
    case 'Email.Bounced':
      sink.add(`emails${e.type.slice('Email.'.length)}`, 1, [['campaign', d.campaignId]])
      return
    default:
      return
  }
}

function ticketDims(t: Pick<TicketOpenedV1, 'queueId' | 'priority' | 'category' | 'channel' | 'assigneeId'>) {
  return [
    ['queue', t.queueId],
    ['priority', t.priority],
    ['category', t.category],
    ['channel', t.channel],
    ['owner', t.assigneeId],
  ] as const
}

export interface Plan {
  cells: Cell[]
  /** Entities to write (only those that changed). */
  entities: Map<EntityKey, Entity>
}

/**
 * The cells and entity changes of one event, given the tenant's zone and the current state of the
 * entities it touches ({@link entitiesOf}).
 */
export function planEvent(
  e: AnalyticsEvent,
  zone: string,
  current: ReadonlyMap<EntityKey, Entity | undefined>,
): Plan {
  const instant = eventInstant(e)
  const day = localDay(instant, zone)
  const sink = new CellSink(day)
  counterCells(sink, e)
  const cells = [...sink.cells]
  const entities = new Map<EntityKey, Entity>()
  const change = (key: EntityKey, next: Entity | undefined) => {
    if (!next) return
    const before = timeline(current.get(key))
    const after = timeline(next)
    cells.push(...diffCells(before, after))
    entities.set(key, next)
  }
  for (const key of entitiesOf(e)) {
    const existing = current.get(key)
    if (key.startsWith('deal#')) {
      const o = dealObservation(e)
      if (o && Number.isFinite(o.v))
        change(key, observeDeal(existing as DealEntity | undefined, { ...o, e: e.id, d: day }))
      continue
    }
    const stamp = { e: e.id, t: instant, d: day }
    const d = rec(e.data)
    if (e.type === 'Interaction.Logged')
      change(
        key,
        observeContact(existing as ContactEntity | undefined, { purchase: stamp, conversion: stamp }),
      )
    else if (e.type === 'Email.Clicked')
      change(
        key,
        observeContact(existing as ContactEntity | undefined, {
          click: { ...stamp, c: String(d.campaignId) },
        }),
      )
    else if (e.type === 'Deal.Won')
      change(key, observeContact(existing as ContactEntity | undefined, { conversion: stamp }))
  }
  return { cells, entities }
}
