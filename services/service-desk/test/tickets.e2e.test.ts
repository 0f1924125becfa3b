/**
 * Tickets through the local gateway like a client: create, list with filters, the status rules,
 * public replies landing in the local mailbox threaded by Message-ID / In-Reply-To, internal notes
 * never sent, and a requester linked to the contact created with the same email in contacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let agent: string

interface Mail {
  id: string
  to: string[]
  subject: string
  raw?: string
}

beforeAll(async () => {
  api = await startApi()
  agent = await api.token('desk-e2e', ['support'], 'agent-ann')
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

/** A header of a raw MIME message (unfolded). */
const header = (raw: string, name: string): string | undefined =>
  new RegExp(`^${name}:\\s*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im')
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim()

/** The ticket replies mailed to `address` (the solve's satisfaction survey is not one). */
const mailTo = async (address: string): Promise<Mail[]> => {
  const items = ((await api.call('GET', '/_local/mail')).body?.items ?? []) as Mail[]
  return items.filter((m) => m.to.includes(address) && m.subject.startsWith('Re: '))
}

describe('tickets through the gateway', () => {
  it('creates, reads with ETag, lists by filters, and refuses another tenant', async () => {
    // Act
    const created = await api.call('POST', '/tickets', {
      token: agent,
      headers: { 'idempotency-key': 'create-1' },
      body: {
        subject: 'Espresso machine leaks',
        description: 'Water under it every morning.',
        requester: { email: 'list@desk.example' },
        priority: 'high',
        tags: ['espresso'],
      },
    })
    // Assess
    expect(created.status, created.text).toBe(201)
    expect(created.headers.get('location')).toBe(`/tickets/${created.body.id}`)
    expect(created.body).toMatchObject({ status: 'new', priority: 'high', channel: 'web', commentCount: 1 })
    const again = await api.call('POST', '/tickets', {
      token: agent,
      headers: { 'idempotency-key': 'create-1' },
      body: {
        subject: 'Espresso machine leaks',
        description: 'Water under it every morning.',
        requester: { email: 'list@desk.example' },
        priority: 'high',
        tags: ['espresso'],
      },
    })
    expect(again.body.id).toBe(created.body.id)
    const read = await api.call('GET', `/tickets/${created.body.id}`, { token: agent })
    expect(read.headers.get('etag')).toBe('"1"')
    const byTag = await api.call('GET', '/tickets?tag=espresso&priority=high', { token: agent })
    expect(byTag.body.items.map((t: { id: string }) => t.id)).toEqual([created.body.id])
    const byEmail = await api.call('GET', '/tickets?requesterEmail=LIST@desk.example', { token: agent })
    expect(byEmail.body.items).toHaveLength(1)
    expect((await api.call('GET', '/tickets?status=closed', { token: agent })).body.items).toEqual([])
    const stranger = await api.token('desk-other', ['admin'])
    expect((await api.call('GET', `/tickets/${created.body.id}`, { token: stranger })).status).toBe(404)
    const bad = await api.call('GET', '/tickets?status=lost', { token: agent })
    expect(bad.status).toBe(400)
  })

  it('emails public replies threaded by Message-ID, never an internal note; closed is final', async () => {
    // Prepare
    const requester = 'reply@desk.example'
    const t = (
      await api.call('POST', '/tickets', {
        token: agent,
        body: {
          subject: 'Printer on fire',
          description: 'Smoke.',
          requester: { email: requester, name: 'Rhys' },
        },
      })
    ).body
    // Act: two public replies and an internal note
    const first = await api.call('POST', `/tickets/${t.id}/comments`, {
      token: agent,
      body: { body: 'A technician is on the way.' },
    })
    const note = await api.call('POST', `/tickets/${t.id}/comments`, {
      token: agent,
      body: { body: 'Customer sounded upset', public: false },
    })
    const mails1 = await eventually(
      async () => ((await mailTo(requester)).length >= 1 ? mailTo(requester) : undefined),
      15_000,
    )
    const second = await api.call('POST', `/tickets/${t.id}/comments`, {
      token: agent,
      body: { body: 'Fixed: the fuser was replaced.', status: 'solved' },
    })
    const mails = await eventually(
      async () => ((await mailTo(requester)).length >= 2 ? mailTo(requester) : undefined),
      15_000,
    )
    // Assess
    expect(first.status, first.text).toBe(201)
    expect(note.status).toBe(201)
    expect(note.body.mail).toBeUndefined()
    expect(mails1).toHaveLength(1)
    expect(mails).toHaveLength(2)
    const [m1, m2] = [...(mails ?? [])].sort((a, b) => a.id.localeCompare(b.id))
    expect(m1?.subject).toBe(`Re: Printer on fire [#${t.id}]`)
    expect(header(m1?.raw ?? '', 'Message-ID')).toBe(first.body.messageId)
    expect(header(m2?.raw ?? '', 'Message-ID')).toBe(second.body.messageId)
    expect(header(m2?.raw ?? '', 'In-Reply-To')).toBe(first.body.messageId)
    expect(header(m2?.raw ?? '', 'References')).toContain(first.body.messageId)
    expect(JSON.stringify(mails)).not.toContain('Customer sounded upset')
    // The comment is marked sent; the ticket solved by the reply.
    const comments = await eventually(async () => {
      const list = (await api.call('GET', `/tickets/${t.id}/comments`, { token: agent })).body.items
      return list.every((c: { mail?: { status: string } }) => !c.mail || c.mail.status === 'sent')
        ? list
        : undefined
    }, 10_000)
    expect(comments?.map((c: { author: string; public: boolean }) => [c.author, c.public])).toEqual([
      ['requester', true],
      ['agent', true],
      ['agent', false],
      ['agent', true],
    ])
    const solved = await api.call('GET', `/tickets/${t.id}`, { token: agent })
    expect(solved.body).toMatchObject({ status: 'solved', commentCount: 4 })
    // closed is final: no reopen, no reply
    const closed = await api.call('PATCH', `/tickets/${t.id}`, {
      token: agent,
      headers: { 'if-match': solved.headers.get('etag') ?? '' },
      body: { status: 'closed' },
    })
    expect(closed.status, closed.text).toBe(200)
    const reopen = await api.call('PATCH', `/tickets/${t.id}`, { token: agent, body: { status: 'open' } })
    expect(reopen.status).toBe(409)
    expect(reopen.headers.get('content-type')).toContain('application/problem+json')
    const late = await api.call('POST', `/tickets/${t.id}/comments`, {
      token: agent,
      body: { body: 'One more thing' },
    })
    expect(late.status).toBe(409)
    const stale = await api.call('PATCH', `/tickets/${t.id}`, {
      token: agent,
      headers: { 'if-match': '"1"' },
      body: { priority: 'low' },
    })
    expect(stale.status).toBe(412)
  })

  it('links the requester to the contact contacts creates with that email, and publishes contactId', async () => {
    // Prepare: a ticket from an address no contact has yet
    const email = 'link@desk.example'
    const admin = await api.token('desk-e2e', ['admin'])
    const t = (
      await api.call('POST', '/tickets', {
        token: agent,
        body: { subject: 'Where is my order?', description: 'Ordered last week.', requester: { email } },
      })
    ).body
    expect(t.requester.contactId).toBeUndefined()
    // Act
    const contact = await api.call('POST', '/contacts', {
      token: admin,
      body: { firstName: 'Lin', emails: [{ address: email }] },
    })
    expect(contact.status, contact.text).toBe(201)
    // Assess: Contact.Created crosses the bus; the ticket is linked and Ticket.Updated says so
    const linked = await eventually(async () => {
      const now = (await api.call('GET', `/tickets/${t.id}`, { token: agent })).body
      return now.requester.contactId ? now : undefined
    }, 15_000)
    expect(linked?.requester.contactId).toBe(contact.body.id)
    const next = await api.call('POST', '/tickets', {
      token: agent,
      body: { subject: 'And a second one', description: 'Another question.', requester: { email } },
    })
    expect(next.body.requester.contactId).toBe(contact.body.id)
    const byContact = await api.call('GET', `/tickets?contactId=${contact.body.id}`, { token: agent })
    expect(byContact.body.items).toHaveLength(2)
  })

  it('follows a merge and an erasure made in contacts: tickets re-pointed, then anonymised with their counts kept', async () => {
    // Prepare: two contacts, a ticket from each
    const admin = await api.token('desk-e2e', ['admin'])
    const keep = await api.call('POST', '/contacts', {
      token: admin,
      body: { firstName: 'Keep', emails: [{ address: 'keep@desk.example' }] },
    })
    const dup = await api.call('POST', '/contacts', {
      token: admin,
      body: { firstName: 'Dup', emails: [{ address: 'dup@desk.example' }] },
    })
    const ticketOf = async (email: string) =>
      (
        await api.call('POST', '/tickets', {
          token: agent,
          body: { subject: `Help for ${email}`, description: `Sent by ${email}`, requester: { email } },
        })
      ).body
    const linked = async (id: string, contactId: string) =>
      eventually(async () => {
        const t = (await api.call('GET', `/tickets/${id}`, { token: agent })).body
        return t.requester.contactId === contactId ? t : undefined
      }, 15_000)
    // The projection learns both contacts from the bus first.
    const probe = await ticketOf('dup@desk.example')
    expect(await linked(probe.id, dup.body.id)).toBeDefined()
    const fromKeep = await ticketOf('keep@desk.example')
    expect(fromKeep.requester.contactId).toBe(keep.body.id)
    // Act 1: merge dup into keep
    const merged = await api.call('POST', `/contacts/${keep.body.id}/merge`, {
      token: admin,
      body: { sourceId: dup.body.id },
    })
    expect(merged.status, merged.text).toBe(200)
    // Assess 1
    expect(await linked(probe.id, keep.body.id)).toBeDefined()
    // Act 2: erase keep
    const erased = await api.call('DELETE', `/contacts/${keep.body.id}?erase=true`, { token: admin })
    expect(erased.status, erased.text).toBe(204)
    // Assess 2: no personal data left on either ticket or its comments; the counts stay
    for (const id of [probe.id, fromKeep.id]) {
      const t = await eventually(async () => {
        const now = (await api.call('GET', `/tickets/${id}`, { token: agent })).body
        return Object.keys(now.requester).length === 0 ? now : undefined
      }, 15_000)
      expect(t?.commentCount).toBe(1)
      const comments = (await api.call('GET', `/tickets/${id}/comments`, { token: agent })).body.items
      expect(JSON.stringify([t, comments])).not.toMatch(/keep@|dup@|Help for/)
    }
  })
})
