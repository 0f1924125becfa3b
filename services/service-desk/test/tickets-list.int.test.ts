/**
 * GET /tickets' store on DynamoDB Local against a plain in-memory filter: for random combinations
 * of filters (whatever index serves them, whatever is left to the FilterExpression or the tag
 * path's reads), every page together is exactly the matching tickets, newest first.
 */
import type { ListTicketsQuery, Ticket, TicketChannel, TicketPriority } from '@relay/contracts/service-desk'
import { newId } from '@relay/core/ids'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { manifest } from '../src/service.js'
import { openTicket, patchTicket } from '../src/store/ticket-changes.js'
import { listTickets } from '../src/store/tickets.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const TENANT = 't-prop'
const ctx = { actorId: 'agent-1', correlationId: 'corr-1' }

const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent']
const CHANNELS: TicketChannel[] = ['email', 'web', 'phone']
const TAGS = ['billing', 'vip', 'printer']
const EMAILS = ['a@prop.example', 'b@prop.example', 'c@prop.example']
const QUEUES = ['Q1', 'Q2']
const STATUS_MOVES = [[], ['pending'], ['solved'], ['solved', 'closed']] as const

/** The tickets a query should list, newest first (ids are ULIDs in creation order). */
function expected(all: readonly Ticket[], q: ListTicketsQuery): string[] {
  return all
    .filter(
      (t) =>
        (!q.status || t.status === q.status) &&
        (!q.priority || t.priority === q.priority) &&
        (!q.channel || t.channel === q.channel) &&
        (!q.queueId || t.queueId === q.queueId) &&
        (!q.tag || t.tags.includes(q.tag)) &&
        (!q.requesterEmail || t.requester.email === q.requesterEmail) &&
        (!q.createdFrom || t.createdAt >= q.createdFrom) &&
        (!q.createdTo || t.createdAt <= q.createdTo) &&
        (!q.updatedFrom || t.updatedAt >= q.updatedFrom),
    )
    .map((t) => t.id)
    .sort()
    .reverse()
}

async function everyPage(q: ListTicketsQuery): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  do {
    const page = await listTickets(
      TENANT,
      { ...q, limit: 7, ...(cursor ? { cursor } : {}) },
      {
        ...(q.requesterEmail ? { email: q.requesterEmail } : {}),
      },
    )
    ids.push(...page.items.map((t) => t.id))
    cursor = page.nextCursor
  } while (cursor)
  return ids
}

describe('ticket lists against an in-memory filter', () => {
  let table: string
  const tickets: Ticket[] = []

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
    // 24 tickets spread over every filter's values, some moved along the status rules.
    for (let i = 0; i < 24; i++) {
      let t: Ticket = await openTicket(
        TENANT,
        {
          subject: `Ticket ${i}`,
          description: 'Something is wrong.',
          requester: { email: EMAILS[i % EMAILS.length]! },
          priority: PRIORITIES[i % PRIORITIES.length]!,
          channel: CHANNELS[i % CHANNELS.length]!,
          tags: TAGS.filter((_, k) => (i >> k) & 1),
          ...(i % 3 ? { queueId: QUEUES[i % 2]! } : {}),
        },
        ctx,
      )
      for (const status of STATUS_MOVES[i % STATUS_MOVES.length]!)
        t = await patchTicket(TENANT, t.id, { status }, ctx)
      tickets.push(t)
    }
  }, 120_000)
  afterAll(() => dropTable(table))

  it('lists exactly the matching tickets, newest first, over all pages', async () => {
    const from = tickets[9]!.createdAt
    const to = tickets[18]!.createdAt
    const updatedFrom = [...tickets].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))[12]!.updatedAt
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            status: fc.constantFrom('new' as const, 'pending' as const, 'solved' as const, 'closed' as const),
            priority: fc.constantFrom(...PRIORITIES),
            channel: fc.constantFrom(...CHANNELS),
            queueId: fc.constantFrom(...QUEUES),
            tag: fc.constantFrom(...TAGS),
            requesterEmail: fc.constantFrom(...EMAILS),
            createdFrom: fc.constant(from),
            createdTo: fc.constant(to),
            updatedFrom: fc.constant(updatedFrom),
          },
          { requiredKeys: [] },
        ),
        async (q) => {
          expect(await everyPage(q)).toEqual(expected(tickets, q))
        },
      ),
      { numRuns: 30 },
    )
  }, 120_000)
})
