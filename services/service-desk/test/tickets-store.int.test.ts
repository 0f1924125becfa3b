import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import {
  ContactCreated,
  ContactDeleted,
  ContactErased,
  ContactMerged,
  ContactUpdated,
} from '@relay/contracts/contacts-events'
import type { CreateTicket } from '@relay/contracts/service-desk'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { NotFound, StaleVersion, Unprocessable } from '@relay/core/outcomes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { AgentAtCapacity } from '../src/domain/assignment.js'
import { StatusNotAllowed, TicketClosed } from '../src/domain/outcomes.js'
import { handler as onContactChanged } from '../src/handlers/on-contact-changed.js'
import { manifest } from '../src/service.js'
import { getAgent, saveAgent } from '../src/store/agents.js'
import { listComments, ticketIdForMessageIds } from '../src/store/comments.js'
import { contactIdForEmail } from '../src/store/requesters.js'
import { addComment, openTicket, patchTicket } from '../src/store/ticket-changes.js'
import { getTicket, listTickets } from '../src/store/tickets.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const ctx = { actorId: 'agent-1', correlationId: 'corr-1' }

const input = (over: Partial<CreateTicket> = {}): CreateTicket => ({
  subject: 'Printer on fire',
  description: 'Smoke since this morning.',
  requester: { email: 'ann@example.com', name: 'Ann' },
  ...over,
})

const contact = (id: string, version: number, emails: string[]) => ({
  id,
  displayName: 'Ann Example',
  emails: emails.map((address, i) => ({ address, primary: i === 0 })),
  phones: [],
  tags: [],
  ownerId: 'u-1',
  version,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
})

/** An agent as desk-sla's store keeps it. */
const agent = (tenantId: string, id: string, capacity: number) =>
  saveAgent(
    tenantId,
    {
      id,
      name: id,
      skills: [],
      languages: ['en'],
      capacity,
      availability: 'available',
      load: 0,
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
    0,
  )

const deliver = (contract: { source: string; detailType: string }, tenantId: string, data: unknown) =>
  onContactChanged(busEvent({ source: contract.source, detailType: contract.detailType, tenantId, data }))

describe('tickets store on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  // A test may Scan its own throw-away table; request paths never do.
  const outbox = async (tenantId: string) => {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(pk, :t) AND (kind = :e OR kind = :q)',
        ExpressionAttributeValues: { ':t': `T#${tenantId}#OUTBOX#`, ':e': 'outbox', ':q': 'queue' },
      }),
    )
    return (out.Items ?? []).map((i) =>
      i.kind === 'queue'
        ? { queue: i.queue as string, body: JSON.parse(String(i.body)) as Record<string, unknown> }
        : { detailType: i.detailType as string, data: i.detail.data as Record<string, unknown> },
    )
  }

  it('opens a ticket with its first comment, Ticket.Opened and an assign-ticket message, in its tenant only', async () => {
    // Act
    const t = await openTicket('t-open', input({ tags: ['printer'] }), ctx)
    // Assess
    expect(await getTicket('t-open', t.id)).toEqual(t)
    expect(await getTicket('t-other', t.id)).toBeUndefined()
    const written = await outbox('t-open')
    expect(written).toContainEqual(expect.objectContaining({ detailType: 'Ticket.Opened' }))
    expect(written).toContainEqual({
      queue: 'assign-ticket',
      body: { tenantId: 't-open', ticketId: t.id, correlationId: 'corr-1' },
    })
    const comments = await listComments('t-open', t.id, {})
    expect(comments.items).toMatchObject([
      { author: 'requester', body: 'Smoke since this morning.', authorEmail: 'ann@example.com' },
    ])
  })

  it('lists by status, tag, requester, agent, channel and created/updated ranges, newest first', async () => {
    // Prepare
    const tenant = 't-list'
    await agent(tenant, 'agent-9', 5)
    const a = await openTicket(tenant, input({ tags: ['billing'], channel: 'email' }), ctx)
    const b = await openTicket(
      tenant,
      input({ requester: { email: 'bob@example.com' }, assigneeId: 'agent-9', priority: 'urgent' }),
      ctx,
    )
    const c = await openTicket(
      tenant,
      input({ tags: ['billing', 'vip'], requester: { email: 'bob@example.com' } }),
      ctx,
    )
    const ids = async (q: Parameters<typeof listTickets>[1], r?: Parameters<typeof listTickets>[2]) =>
      (await listTickets(tenant, q, r)).items.map((t) => t.id)
    // Assess
    expect(await ids({})).toEqual([c.id, b.id, a.id])
    expect(await ids({ status: 'open' })).toEqual([b.id])
    expect(await ids({ status: 'new' })).toEqual([c.id, a.id])
    expect(await ids({ tag: 'billing' })).toEqual([c.id, a.id])
    expect(await ids({ tag: 'billing', channel: 'email' })).toEqual([a.id])
    expect(await ids({}, { email: 'bob@example.com' })).toEqual([c.id, b.id])
    expect(await ids({ assigneeId: 'agent-9' })).toEqual([b.id])
    expect(await ids({ priority: 'urgent' })).toEqual([b.id])
    expect(await ids({ breached: 'true' })).toEqual([])
    expect(await ids({ createdFrom: b.createdAt })).toEqual([c.id, b.id])
    expect(await ids({ createdTo: a.createdAt })).toEqual([a.id])
    expect(await ids({ createdFrom: '2000-01-01', createdTo: '2000-01-02' })).toEqual([])
    expect(await ids({ updatedFrom: '2999-01-01' })).toEqual([])
    const first = await listTickets(tenant, { limit: 2 })
    expect(first.items).toHaveLength(2)
    expect(
      (await listTickets(tenant, { limit: 2, cursor: first.nextCursor })).items.map((t) => t.id),
    ).toEqual([a.id])
  })

  it('moves status under the rules: solved, reopened by a requester reply, closed for good', async () => {
    // Prepare
    const tenant = 't-status'
    const t = await openTicket(tenant, input(), ctx)
    // Act
    const solved = await patchTicket(tenant, t.id, { status: 'solved' }, ctx)
    const { ticket: reopened } = await addComment(
      tenant,
      t.id,
      {
        body: 'Still smoking.',
        public: true,
        author: 'requester',
        authorEmail: 'ann@example.com',
        messageId: '<in-2@example.com>',
      },
      ctx,
    )
    await patchTicket(tenant, t.id, { status: 'solved' }, ctx)
    const closed = await patchTicket(tenant, t.id, { status: 'closed' }, ctx)
    // Assess
    expect(solved.solvedAt).toBeDefined()
    expect(reopened).toMatchObject({ status: 'open', reopenCount: 1 })
    expect(closed.status).toBe('closed')
    await expect(patchTicket(tenant, t.id, { status: 'open' }, ctx)).rejects.toBeInstanceOf(TicketClosed)
    await expect(
      addComment(tenant, t.id, { body: 'again', public: true, author: 'requester' }, ctx),
    ).rejects.toBeInstanceOf(TicketClosed)
    await expect(
      patchTicket(tenant, (await openTicket(tenant, input(), ctx)).id, { status: 'closed' }, ctx),
    ).rejects.toBeInstanceOf(StatusNotAllowed)
    await expect(
      patchTicket(tenant, t.id, { priority: 'low' }, { ...ctx, ifMatch: 1 }),
    ).rejects.toBeInstanceOf(StaleVersion)
    await expect(patchTicket(tenant, newId(), { priority: 'low' }, ctx)).rejects.toBeInstanceOf(NotFound)
    const types = (await outbox(tenant)).flatMap((o) => ('detailType' in o ? [o.detailType] : []))
    expect(types.filter((d) => d === 'Ticket.Solved')).toHaveLength(2)
    expect(types.filter((d) => d === 'Ticket.Reopened')).toHaveLength(1)
  })

  it("counts a held ticket in its agent's load: claimed on create, let go on solve, taken back on reopen", async () => {
    // Prepare
    const tenant = 't-load'
    await agent(tenant, 'agent-1', 1)
    // Act
    const t = await openTicket(tenant, input({ assigneeId: 'agent-1' }), ctx)
    const full = await openTicket(tenant, input({ assigneeId: 'agent-1' }), ctx).catch((e: unknown) => e)
    const unknown = await openTicket(tenant, input({ assigneeId: 'nobody' }), ctx).catch((e: unknown) => e)
    const loadOpen = (await getAgent(tenant, 'agent-1'))?.load
    await patchTicket(tenant, t.id, { status: 'solved' }, ctx)
    const loadSolved = (await getAgent(tenant, 'agent-1'))?.load
    // Someone else takes the free slot; the requester then reopens the first ticket.
    const other = await openTicket(tenant, input({ assigneeId: 'agent-1' }), ctx)
    const { ticket: reopened } = await addComment(
      tenant,
      t.id,
      { body: 'Back again', public: true, author: 'requester' },
      ctx,
    )
    // Assess
    expect(t).toMatchObject({ status: 'open', assigneeId: 'agent-1' })
    expect(full).toBeInstanceOf(AgentAtCapacity)
    expect(unknown).toBeInstanceOf(Unprocessable)
    expect([loadOpen, loadSolved]).toEqual([1, 0])
    expect(other.assigneeId).toBe('agent-1')
    expect(reopened.status).toBe('open')
    expect(reopened.assigneeId).toBeUndefined()
    expect((await getAgent(tenant, 'agent-1'))?.load).toBe(1)
    expect(await outbox(tenant)).toContainEqual({
      queue: 'assign-ticket',
      body: { tenantId: tenant, ticketId: t.id, correlationId: 'corr-1' },
    })
  })

  it('lands every one of concurrent comments on one ticket (each re-reads and re-applies on a version clash)', async () => {
    // Prepare
    const tenant = 't-race'
    const t = await openTicket(tenant, input(), ctx)
    // Act: eight writers at once
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        addComment(tenant, t.id, { body: `note ${i}`, public: false, author: 'agent' }, ctx),
      ),
    )
    // Assess
    expect((await getTicket(tenant, t.id))?.commentCount).toBe(9)
    expect((await listComments(tenant, t.id, {})).items).toHaveLength(9)
  })

  it('queues a public reply for mail with a Message-ID the thread finds; an internal note is never queued', async () => {
    // Prepare
    const tenant = 't-reply'
    const t = await openTicket(tenant, input(), { ...ctx, channel: 'email', messageId: '<in-1@example.com>' })
    // Act
    const { comment: reply, ticket: after } = await addComment(
      tenant,
      t.id,
      { body: 'On our way.', public: true, author: 'agent', authorId: 'agent-1' },
      ctx,
    )
    const { comment: note } = await addComment(
      tenant,
      t.id,
      { body: 'Customer is VIP', public: false, author: 'agent' },
      ctx,
    )
    // Assess
    expect(reply.mail).toMatchObject({
      status: 'queued',
      to: 'ann@example.com',
      inReplyTo: '<in-1@example.com>',
    })
    expect(after).toMatchObject({ status: 'open', firstRespondedAt: reply.createdAt })
    expect(note.mail).toBeUndefined()
    const queued = (await outbox(tenant)).filter((o) => 'queue' in o && o.queue === 'send-reply')
    expect(queued).toEqual([
      {
        queue: 'send-reply',
        body: { tenantId: tenant, ticketId: t.id, commentId: reply.id, correlationId: 'corr-1' },
      },
    ])
    expect(await ticketIdForMessageIds(tenant, ['<unknown@x>', reply.messageId!])).toBe(t.id)
    expect(await ticketIdForMessageIds(tenant, ['<in-1@example.com>'])).toBe(t.id)
    expect(await ticketIdForMessageIds('t-other', ['<in-1@example.com>'])).toBeUndefined()
  })

  it("keeps the requester projection from contacts' events: links by email, re-points on merge, ignores old versions", async () => {
    // Prepare
    const tenant = 't-req'
    const early = await openTicket(tenant, input({ requester: { email: 'cy@example.com' } }), ctx)
    // Act: the contact appears with the address; a later ticket is matched at once.
    await deliver(ContactCreated, tenant, contact('C-CY', 1, ['cy@example.com']))
    const later = await openTicket(tenant, input({ requester: { email: 'CY@example.com' } }), ctx)
    // Assess
    expect((await getTicket(tenant, early.id))?.requester.contactId).toBe('C-CY')
    expect(later.requester.contactId).toBe('C-CY')
    // An update that drops the address; then a late, older update changes nothing.
    await deliver(ContactUpdated, tenant, {
      id: 'C-CY',
      version: 3,
      changes: {
        emails: {
          before: [{ address: 'cy@example.com', primary: true }],
          after: [{ address: 'cy2@example.com', primary: true }],
        },
      },
    })
    await deliver(ContactUpdated, tenant, {
      id: 'C-CY',
      version: 2,
      changes: { emails: { after: [{ address: 'old@example.com', primary: true }] } },
    })
    expect(await contactIdForEmail(tenant, 'cy@example.com')).toBeUndefined()
    expect(await contactIdForEmail(tenant, 'cy2@example.com')).toBe('C-CY')
    expect(await contactIdForEmail(tenant, 'old@example.com')).toBeUndefined()
    // Merge C-CY into C-TGT: tickets and the address follow the target.
    await deliver(ContactCreated, tenant, contact('C-TGT', 1, ['tgt@example.com']))
    await deliver(ContactMerged, tenant, {
      id: 'C-TGT',
      version: 2,
      sourceId: 'C-CY',
      changes: {
        emails: {
          after: [
            { address: 'tgt@example.com', primary: true },
            { address: 'cy2@example.com', primary: false },
          ],
        },
      },
    })
    expect((await getTicket(tenant, early.id))?.requester.contactId).toBe('C-TGT')
    expect((await getTicket(tenant, later.id))?.requester.contactId).toBe('C-TGT')
    expect(await contactIdForEmail(tenant, 'cy2@example.com')).toBe('C-TGT')
    // A late Created of the merged-away contact does not bring it back.
    await deliver(ContactCreated, tenant, contact('C-CY', 1, ['cy2@example.com']))
    expect(await contactIdForEmail(tenant, 'cy2@example.com')).toBe('C-TGT')
    expect((await listTickets(tenant, { contactId: 'C-TGT' }, { contactId: 'C-TGT' })).items).toHaveLength(2)
  })

  it("a deletion stops matching the contact's address; a merge whose Deleted came first still re-points", async () => {
    // Prepare
    const tenant = 't-del'
    await deliver(ContactCreated, tenant, contact('C-OLD', 1, ['old@example.com']))
    await deliver(ContactCreated, tenant, contact('C-NEW', 1, ['new@example.com']))
    const t = await openTicket(tenant, input({ requester: { email: 'old@example.com' } }), ctx)
    // Act: the merge's Contact.Deleted of the source arrives before Contact.Merged
    await deliver(ContactDeleted, tenant, { id: 'C-OLD', version: 2, mergedInto: 'C-NEW' })
    const between = await openTicket(tenant, input({ requester: { email: 'old@example.com' } }), ctx)
    await deliver(ContactMerged, tenant, {
      id: 'C-NEW',
      version: 2,
      sourceId: 'C-OLD',
      changes: {
        emails: {
          after: [
            { address: 'new@example.com', primary: true },
            { address: 'old@example.com', primary: false },
          ],
        },
      },
    })
    // Assess
    expect(t.requester.contactId).toBe('C-OLD')
    expect(between.requester.contactId).toBeUndefined()
    expect((await getTicket(tenant, t.id))?.requester.contactId).toBe('C-NEW')
    expect((await getTicket(tenant, between.id))?.requester.contactId).toBe('C-NEW')
    expect(await contactIdForEmail(tenant, 'old@example.com')).toBe('C-NEW')
  })

  it('erasure anonymises the requester in tickets and comments and keeps the counts', async () => {
    // Prepare
    const tenant = 't-erase'
    await deliver(ContactCreated, tenant, contact('C-ER', 1, ['er@example.com']))
    const t = await openTicket(tenant, input({ requester: { email: 'er@example.com', name: 'Erin' } }), ctx)
    await addComment(tenant, t.id, { body: 'Hi Erin, fixed.', public: true, author: 'agent' }, ctx)
    // Act (twice: a redelivery)
    await deliver(ContactErased, tenant, { id: 'C-ER', version: 2 })
    await deliver(ContactErased, tenant, { id: 'C-ER', version: 2 })
    // Assess
    const erased = await getTicket(tenant, t.id)
    expect(erased?.requester).toEqual({})
    expect(JSON.stringify(erased)).not.toMatch(/er@example\.com|Erin|Printer/)
    expect(erased).toMatchObject({ commentCount: 2, status: 'open', channel: 'web' })
    const comments = (await listComments(tenant, t.id, {})).items
    expect(comments).toHaveLength(2)
    expect(JSON.stringify(comments)).not.toMatch(/er@example\.com|Erin|Smoke/)
    expect(await contactIdForEmail(tenant, 'er@example.com')).toBeUndefined()
    expect((await listTickets(tenant, {})).items).toHaveLength(1)
  })
})
