/**
 * Routing and assignment on DynamoDB Local: 50 tickets arrive at once and their `assign-ticket`
 * messages are worked as SQS hands them to Lambda (batches of 10, five invocations at once), a
 * failed one redelivered as SQS does. No agent ever goes over capacity, loads equal the tickets held, only qualified and
 * available agents get work, the rest waits queued; one by one, equal agents take turns. A solve
 * frees its agent's slot for the oldest waiting ticket (pick-up messages, redelivered and raced).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import type { SQSEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as assign } from '../src/handlers/assign-ticket.js'
import { pickUpItem } from '../src/queues.js'
import { manifest } from '../src/service.js'
import { allAgents, saveAgent } from '../src/store/agents.js'
import { insertQueue, putRouting } from '../src/store/queues.js'
import { openTicket, patchTicket } from '../src/store/ticket-changes.js'
import { getTicket } from '../src/store/tickets.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`
const NOW = new Date().toISOString()

/** One SQS delivery of a batch of messages, as Lambda's event source passes it. */
function delivery(messages: { body: unknown; messageId: string; receiveCount: number }[]): SQSEvent {
  return {
    Records: messages.map(({ body, messageId, receiveCount }) => ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:assign-ticket',
      awsRegion: 'us-east-1',
    })),
  }
}

async function agent(
  tenantId: string,
  id: string,
  over: {
    skills?: string[]
    languages?: string[]
    capacity?: number
    availability?: 'available' | 'away'
  } = {},
) {
  await saveAgent(
    tenantId,
    {
      id,
      name: id,
      skills: over.skills ?? ['billing'],
      languages: over.languages ?? ['en'],
      capacity: over.capacity ?? 10,
      availability: over.availability ?? 'available',
      load: 0,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    },
    0,
  )
}

/** A billing queue (skill billing, language en) that the rules send `billing/...` tickets to. */
async function billingDesk(tenantId: string): Promise<string> {
  const queueId = newId()
  await insertQueue(tenantId, {
    id: queueId,
    name: 'Billing',
    skills: ['billing'],
    language: 'en',
    version: 1,
    createdAt: NOW,
  })
  await putRouting(tenantId, { rules: [{ category: 'billing', queueId }], version: 1 }, 0)
  return queueId
}

const refund = (n: number) => ({
  subject: `Refund ${n}`,
  description: 'Charged twice',
  requester: { email: `r${n}@example.com` },
  category: 'billing/refund',
})

const open = (tenantId: string, n: number) =>
  openTicket(tenantId, refund(n), { actorId: 'u-1', correlationId: `c-${n}` })

/**
 * Works every message to the end as SQS → Lambda does: batches of `batch` messages, `pollers`
 * invocations at once (each works its batch one message after another), the failed ones
 * redelivered in the next round. Returns the rounds it took.
 */
async function workAll(tenantId: string, ticketIds: string[], batch = 10, pollers = 5): Promise<number> {
  let pending = ticketIds.map((ticketId) => ({ ticketId, messageId: `m-${ticketId}`, receives: 0 }))
  let rounds = 0
  while (pending.length && rounds < 40) {
    rounds++
    const batches: (typeof pending)[] = []
    for (let i = 0; i < pending.length; i += batch) batches.push(pending.slice(i, i + batch))
    const failed = new Set<string>()
    await Promise.all(
      Array.from({ length: pollers }, async () => {
        for (let b = batches.shift(); b; b = batches.shift()) {
          for (const m of b) m.receives++
          const out = await assign(
            delivery(
              b.map((m) => ({
                body: { tenantId, ticketId: m.ticketId, correlationId: 'c' },
                messageId: m.messageId,
                receiveCount: m.receives,
              })),
            ),
          )
          for (const f of out.batchItemFailures) failed.add(f.itemIdentifier)
        }
      }),
    )
    pending = pending.filter((m) => failed.has(m.messageId))
  }
  expect(pending).toEqual([])
  return rounds
}

describe('assignment on DynamoDB Local', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(async () => {
    await dropTable(table)
  })

  it('50 tickets at once: never over capacity, loads match, only qualified agents, the rest queued', async () => {
    const t = tenant()
    const queueId = await billingDesk(t)
    await agent(t, 'ana', { capacity: 4 })
    await agent(t, 'ben', { capacity: 5 })
    await agent(t, 'cara', { capacity: 6 })
    await agent(t, 'chai', { languages: ['th'], capacity: 50 }) // wrong language for the queue
    await agent(t, 'dee', { skills: ['hardware'], capacity: 50 }) // wrong skill
    await agent(t, 'eve', { capacity: 50, availability: 'away' })
    const tickets = await Promise.all(Array.from({ length: 50 }, (_, n) => open(t, n)))

    await workAll(
      t,
      tickets.map((x) => x.id),
    )

    const after = await Promise.all(tickets.map((x) => getTicket(t, x.id)))
    const held = new Map<string, number>()
    for (const x of after) {
      expect(x?.queueId).toBe(queueId)
      if (x?.assigneeId) held.set(x.assigneeId, (held.get(x.assigneeId) ?? 0) + 1)
    }
    const loads = Object.fromEntries((await allAgents(t)).map((a) => [a.id, a.load]))
    expect(loads).toEqual({ ana: 4, ben: 5, cara: 6, chai: 0, dee: 0, eve: 0 })
    expect(Object.fromEntries(held)).toEqual({ ana: 4, ben: 5, cara: 6 })
    // Assigned tickets are open; the other 35 wait in the queue, unassigned and new.
    expect(after.filter((x) => !x?.assigneeId).map((x) => x?.status)).toEqual(Array(35).fill('new'))
    expect(after.filter((x) => x?.assigneeId).every((x) => x?.status === 'open')).toBe(true)
  }, 180_000)

  it('spreads by load, then takes turns among equals, and a redelivered message changes nothing', async () => {
    const t = tenant()
    await billingDesk(t)
    await agent(t, 'ana', { capacity: 5 })
    await agent(t, 'ben', { capacity: 5 })
    const order: string[] = []
    for (let n = 0; n < 4; n++) {
      const ticket = await open(t, n)
      await workAll(t, [ticket.id])
      order.push(String((await getTicket(t, ticket.id))?.assigneeId))
      // The same message again (SQS at-least-once): dropped by its id, no second claim.
      await assign(
        delivery([
          {
            body: { tenantId: t, ticketId: ticket.id, correlationId: 'c' },
            messageId: `m-${ticket.id}`,
            receiveCount: 2,
          },
        ]),
      )
    }
    expect(order).toEqual(['ana', 'ben', 'ana', 'ben'])
    expect((await allAgents(t)).map((a) => a.load)).toEqual([2, 2])
  }, 120_000)

  /** The pick-up messages (`assign-ticket` `{ agentId }`) the tenant's writes put in the outbox, with their ids. */
  async function pickUps(tenantId: string): Promise<{ id: string; body: Record<string, unknown> }[]> {
    // A test-only Scan of the outbox items (the table is this file's own).
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(pk, :t) AND kind = :q AND #queue = :assign',
        ExpressionAttributeNames: { '#queue': 'queue' },
        ExpressionAttributeValues: {
          ':t': `T#${tenantId}#OUTBOX#`,
          ':q': 'queue',
          ':assign': 'assign-ticket',
        },
      }),
    )
    return (out.Items ?? [])
      .map((i) => ({ id: String(i.id), body: JSON.parse(String(i.body)) as Record<string, unknown> }))
      .filter((m) => 'agentId' in m.body)
  }

  it('a solve hands the freed slot to the oldest waiting ticket, once, however often the message comes', async () => {
    const t = tenant()
    await billingDesk(t)
    await agent(t, 'ana', { capacity: 1 })
    const first = await open(t, 0)
    const second = await open(t, 1)
    const third = await open(t, 2)
    await workAll(t, [first.id])
    await workAll(t, [second.id, third.id])
    expect((await getTicket(t, first.id))?.assigneeId).toBe('ana')
    // Ana is full: the two later tickets wait in the queue, unassigned.
    expect((await getTicket(t, second.id))?.assigneeId).toBeUndefined()
    expect((await getTicket(t, third.id))?.assigneeId).toBeUndefined()
    expect(await pickUps(t)).toEqual([])

    await patchTicket(t, first.id, { status: 'solved' }, { actorId: 'u-1', correlationId: 'c-solve' })
    const [message, ...others] = await pickUps(t)
    expect(others).toEqual([])
    expect(message?.body).toEqual({ tenantId: t, agentId: 'ana', correlationId: 'c-solve' })
    if (!message) return

    // Delivered twice at once under its id and once more after (SQS at-least-once): one assignment.
    const deliver = () => assign(delivery([{ body: message.body, messageId: message.id, receiveCount: 1 }]))
    const raced = await Promise.all([deliver(), deliver()])
    const again = await deliver()
    const failures = [...raced, again].flatMap((o) => o.batchItemFailures)
    // A racer that lost on the ticket's version or the agent's load fails and comes back: redeliver it.
    for (let n = 0; n < failures.length; n++) await deliver()

    const second2 = await getTicket(t, second.id)
    expect(second2?.assigneeId).toBe('ana')
    expect(second2?.status).toBe('open')
    expect((await getTicket(t, third.id))?.assigneeId).toBeUndefined()
    expect((await allAgents(t)).map((a) => a.load)).toEqual([1])
    // The assignment asked for the next pick-up; ana is full, so it assigns nothing.
    const next = (await pickUps(t)).filter((m) => m.id !== message.id)
    expect(next.map((m) => m.body)).toEqual([{ tenantId: t, agentId: 'ana', correlationId: 'c-solve' }])
    const [follow] = next
    if (follow) await assign(delivery([{ body: follow.body, messageId: follow.id, receiveCount: 1 }]))
    expect((await getTicket(t, third.id))?.assigneeId).toBeUndefined()
    expect((await allAgents(t)).map((a) => a.load)).toEqual([1])
  }, 60_000)

  it('more capacity fills up with the waiting tickets, highest priority first, then oldest', async () => {
    const t = tenant()
    await billingDesk(t)
    await agent(t, 'ana', { capacity: 0 })
    const older = await open(t, 0)
    const newer = await open(t, 1)
    const urgent = await openTicket(
      t,
      { ...refund(2), priority: 'urgent' },
      { actorId: 'u-1', correlationId: 'c-u' },
    )
    await workAll(t, [older.id, newer.id, urgent.id])
    const [ana] = await allAgents(t)
    if (!ana) throw new Error('no agent')
    // Capacity 0 → 2, with its pick-up in the same transaction (as PATCH /agents/{id} does).
    await saveAgent(t, { ...ana, capacity: 2, version: 2 }, 1, [pickUpItem(t, 'ana', 'c-raise')])

    // Work the pick-ups one at a time as they appear (each assignment asks for the next).
    const order: string[] = []
    const done = new Set<string>()
    for (let round = 0; round < 6; round++) {
      const m = (await pickUps(t)).find((p) => !done.has(p.id))
      if (!m) break
      done.add(m.id)
      const out = await assign(delivery([{ body: m.body, messageId: m.id, receiveCount: 1 }]))
      expect(out.batchItemFailures).toEqual([])
      for (const x of [urgent, older, newer])
        if ((await getTicket(t, x.id))?.assigneeId && !order.includes(x.id)) order.push(x.id)
    }
    expect(order).toEqual([urgent.id, older.id])
    expect((await getTicket(t, newer.id))?.assigneeId).toBeUndefined()
    expect((await allAgents(t)).map((a) => a.load)).toEqual([2])
    // Two assignments, two follow-ups: the last found ana full and asked for nothing more.
    expect(done.size).toBe(3)
  }, 60_000)
})
