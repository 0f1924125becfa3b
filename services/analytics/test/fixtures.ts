/**
 * Event builders for the analytics tests: data that meets each contract, with only what a test
 * varies given. Ids are fixed strings so a test can name them.
 */
import type { AnalyticsEvent } from '../src/domain/ingest.js'

let n = 0
const nextId = (prefix: string) => `${prefix}-${String(++n).padStart(6, '0')}`

export const at = (day: string, time = '10:00:00') => `${day}T${time}.000Z`

export function contactCreated(
  day: string,
  o: { id?: string; source?: string; ownerId?: string; channel?: string } = {},
): AnalyticsEvent {
  return {
    id: nextId('evt'),
    type: 'Contact.Created',
    occurredAt: at(day),
    data: {
      id: o.id ?? nextId('C'),
      displayName: 'Somchai Jaidee',
      emails: [{ address: 'somchai@example.com', primary: true }],
      phones: [],
      tags: [],
      ownerId: o.ownerId ?? 'u-1',
      ...(o.source ? { source: o.source } : {}),
      ...(o.channel ? { channel: o.channel } : {}),
      version: 1,
      createdAt: at(day),
      updatedAt: at(day),
    },
  }
}

export const contactDeleted = (day: string, id: string): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Contact.Deleted',
  occurredAt: at(day),
  data: { id, version: 2 },
})

export function leadCreated(
  day: string,
  source = 'web',
  o: { status?: string; campaign?: string } = {},
): AnalyticsEvent {
  return {
    id: nextId('evt'),
    type: 'Lead.Created',
    occurredAt: at(day),
    data: {
      id: nextId('L'),
      firstName: 'Ana',
      email: 'ana@example.com',
      source,
      status: o.status ?? 'new',
      ownerId: 'u-1',
      score: 10,
      ...(o.campaign ? { campaign: o.campaign } : {}),
      version: 1,
      createdAt: at(day),
      updatedAt: at(day),
    },
  }
}

export const leadQualified = (day: string, id = nextId('L')): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Lead.Updated',
  occurredAt: at(day),
  data: { id, version: 2, changes: { status: { before: 'working', after: 'qualified' } } },
})

export const leadConverted = (day: string, source = 'web'): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Lead.Converted',
  occurredAt: at(day),
  data: { leadId: nextId('L'), contactId: nextId('C'), contact: { ownerId: 'u-1' }, source },
})

export interface DealSpec {
  id: string
  version: number
  status?: 'open' | 'won' | 'lost'
  stageId?: string
  amountMinor?: number
  currency?: string
  ownerId?: string
  createdAt?: string
  closedAt?: string
  leadId?: string
  contactId?: string
  history?: string[]
}

export function deal(s: DealSpec) {
  const created = s.createdAt ?? at('2026-01-01')
  return {
    id: s.id,
    name: 'Deal',
    pipelineId: 'P1',
    stageId: s.stageId ?? 'qualify',
    status: s.status ?? 'open',
    ...(s.amountMinor !== undefined
      ? { amount: { amountMinor: s.amountMinor, currency: s.currency ?? 'USD' } }
      : {}),
    lineItems: [],
    ownerId: s.ownerId ?? 'u-1',
    ...(s.contactId ? { contactId: s.contactId } : {}),
    stageHistory: (s.history ?? [s.stageId ?? 'qualify']).map((stageId) => ({
      stageId,
      enteredAt: created,
      enteredBy: 'u-1',
    })),
    ...(s.closedAt ? { closedAt: s.closedAt } : {}),
    ...(s.leadId ? { leadId: s.leadId } : {}),
    version: s.version,
    createdAt: created,
    updatedAt: created,
  }
}

export const dealCreated = (day: string, s: DealSpec): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Deal.Created',
  occurredAt: at(day),
  data: deal({ createdAt: at(day), ...s }),
})

export const dealClosed = (day: string, won: boolean, s: DealSpec): AnalyticsEvent => ({
  id: nextId('evt'),
  type: won ? 'Deal.Won' : 'Deal.Lost',
  occurredAt: at(day),
  data: {
    deal: deal({
      ...s,
      status: won ? 'won' : 'lost',
      stageId: won ? 'won' : 'lost',
      closedAt: s.closedAt ?? at(day),
    }),
    ...(won ? {} : { reason: 'price' }),
  },
})

export const dealStageChanged = (
  day: string,
  id: string,
  version: number,
  toStageId: string,
): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Deal.StageChanged',
  occurredAt: at(day),
  data: {
    id,
    version,
    pipelineId: 'P1',
    fromStageId: 'x',
    toStageId,
    changedBy: 'u-1',
    msInPreviousStage: 1,
  },
})

export const dealAmountChanged = (
  day: string,
  id: string,
  version: number,
  amountMinor: number,
  currency = 'USD',
): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Deal.Updated',
  occurredAt: at(day),
  data: { id, version, changes: { amount: { after: { amountMinor, currency } } } },
})

export function interaction(
  day: string,
  type: string,
  contactId: string,
  amountMinor?: number,
  time = '10:00:00',
): AnalyticsEvent {
  return {
    id: nextId('evt'),
    type: 'Interaction.Logged',
    occurredAt: at(day, time),
    data: {
      id: nextId('I'),
      contactId,
      type,
      occurredAt: at(day, time),
      summary: 'Bought a bike',
      ...(amountMinor !== undefined ? { amount: { amountMinor, currency: 'USD' } } : {}),
      loggedBy: 'u-1',
      loggedAt: at(day, time),
    },
  }
}

const ticketDims = {
  channel: 'email',
  priority: 'high',
  type: 'question',
  category: 'billing',
  queueId: 'Q1',
  assigneeId: 'agent-1',
}

export const ticketOpened = (day: string): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Ticket.Opened',
  occurredAt: at(day),
  data: {
    ticketId: nextId('T'),
    version: 1,
    ...ticketDims,
    subject: 'Invoice',
    status: 'new',
    tags: [],
    createdAt: at(day),
  },
})

export const ticketSolved = (
  day: string,
  firstResponseMinutes: number | undefined,
  resolutionMinutes: number,
  slaBreached: boolean,
): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Ticket.Solved',
  occurredAt: at(day),
  data: {
    ticketId: nextId('T'),
    version: 3,
    ...ticketDims,
    subject: 'Invoice',
    createdAt: at(day, '08:00:00'),
    solvedAt: at(day),
    ...(firstResponseMinutes !== undefined ? { firstResponseMinutes } : {}),
    resolutionMinutes,
    calendarMinutes: resolutionMinutes,
    sla: [{ target: 'resolution', targetMinutes: 240, actualMinutes: resolutionMinutes, met: !slaBreached }],
    slaBreached,
    reopenCount: 0,
    replyCount: 1,
  },
})

export const ticketRated = (day: string, score: number): AnalyticsEvent => ({
  id: nextId('evt'),
  type: 'Ticket.Rated',
  occurredAt: at(day),
  data: {
    ticketId: nextId('T'),
    version: 4,
    ...ticketDims,
    score,
    satisfied: score >= 4,
    hasComment: false,
    ratedAt: at(day),
  },
})

export function email(
  day: string,
  kind: 'Sent' | 'Opened' | 'Clicked',
  contactId: string,
  campaignId = 'CMP1',
  time = '09:00:00',
): AnalyticsEvent {
  return {
    id: nextId('evt'),
    type: `Email.${kind}`,
    occurredAt: at(day, time),
    data: {
      contactId,
      email: 'ana@example.com',
      campaignId,
      variantId: 'V1',
      sendId: `S-${contactId}`,
      occurredAt: at(day, time),
    },
  }
}

/**
 * A stream that exercises every kind of state: counters, running totals, deals whose versions
 * change amount, stage and status across days, buyers' first and second purchases, clicks before
 * and after purchases.
 */
export function stream(): AnalyticsEvent[] {
  const days = ['2026-03-01', '2026-03-02', '2026-03-05', '2026-03-09']
  return [
    contactCreated(days[0]!, { id: 'C1', source: 'web' }),
    contactCreated(days[1]!, { id: 'C2', source: 'ads' }),
    contactDeleted(days[2]!, 'C2'),
    leadCreated(days[0]!, 'web'),
    leadQualified(days[1]!),
    leadConverted(days[2]!),
    dealCreated(days[0]!, { id: 'D1', version: 1, amountMinor: 1_000 }),
    dealAmountChanged(days[1]!, 'D1', 2, 1_500),
    dealStageChanged(days[2]!, 'D1', 3, 'proposal'),
    dealClosed(days[3]!, true, {
      id: 'D1',
      version: 4,
      amountMinor: 1_500,
      contactId: 'C1',
      history: ['qualify', 'proposal', 'won'],
    }),
    dealCreated(days[1]!, { id: 'D2', version: 1, amountMinor: 700, currency: 'EUR' }),
    dealAmountChanged(days[2]!, 'D2', 2, 900, 'EUR'),
    { id: 'del-D2', type: 'Deal.Deleted', occurredAt: at(days[3]!), data: { id: 'D2', version: 3 } },
    dealCreated(days[2]!, { id: 'D3', version: 1, amountMinor: 50 }),
    dealClosed(days[3]!, false, { id: 'D3', version: 2, amountMinor: 50 }),
    email(days[0]!, 'Sent', 'C1'),
    email(days[0]!, 'Clicked', 'C1'),
    interaction(days[1]!, 'purchase', 'C1', 2_000),
    interaction(days[2]!, 'purchase', 'C1', 3_000),
    interaction(days[0]!, 'purchase', 'C3', 100, '01:00:00'),
    interaction(days[0]!, 'web_visit', 'C3'),
    ticketOpened(days[0]!),
    ticketSolved(days[1]!, 12, 60, false),
    ticketRated(days[2]!, 5),
  ]
}
