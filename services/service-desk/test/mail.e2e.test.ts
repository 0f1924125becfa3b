/**
 * Inbound email, the public support form and the satisfaction survey through the local gateway
 * like the mail relay, a web page and a customer: a raw message opens a ticket, the agent's
 * emailed reply is answered by the customer (threaded by In-Reply-To), a malformed message is
 * quarantined and listable, a duplicate Message-ID makes nothing; the solve sends one survey whose
 * one-click link rates the ticket once.
 */
import PostalMime from 'postal-mime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let relay: string
let agent: string

interface Mail {
  id: string
  to: string[]
  subject: string
  text?: string
  raw?: string
}

beforeAll(async () => {
  api = await startApi()
  relay = await api.token('desk-mail', ['support'], 'mail-relay')
  agent = await api.token('desk-mail', ['support'], 'agent-bo')
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const mailTo = async (address: string): Promise<Mail[]> => {
  const items = ((await api.call('GET', '/_local/mail')).body?.items ?? []) as Mail[]
  return items.filter((m) => m.to.includes(address))
}

const header = (raw: string, name: string): string | undefined =>
  new RegExp(`^${name}:\\s*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im')
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim()

const inbound = (raw: string) =>
  api.call('POST', '/inbound/email', {
    token: relay,
    rawBody: raw,
    headers: { 'content-type': 'message/rfc822' },
  })

const mime = (lines: string[], body: string) => `${lines.join('\r\n')}\r\n\r\n${body}\r\n`

describe('an inbound email thread', () => {
  it('opens a ticket, threads the reply to the agent, dedupes, and quarantines a broken message', async () => {
    // Act: a customer writes to support
    const first = await inbound(
      mime(
        [
          'From: "Siân Evans" <sian@thread.example>',
          'To: support@acme.example',
          'Subject: Grinder jams',
          'Message-ID: <s1@thread.example>',
        ],
        'It stops after two seconds.',
      ),
    )
    // Assess
    expect(first.status, first.text).toBe(201)
    const ticketId = first.body.ticketId as string
    expect(first.headers.get('location')).toBe(`/tickets/${ticketId}`)
    const ticket = await api.call('GET', `/tickets/${ticketId}`, { token: agent })
    expect(ticket.body).toMatchObject({
      channel: 'email',
      subject: 'Grinder jams',
      requester: { email: 'sian@thread.example' },
    })

    // The agent answers; the reply is emailed (In-Reply-To the customer's message)
    const reply = await api.call('POST', `/tickets/${ticketId}/comments`, {
      token: agent,
      body: { body: 'Please clean the burrs and try again.', status: 'pending' },
    })
    expect(reply.status, reply.text).toBe(201)
    const sent = await eventually(async () => (await mailTo('sian@thread.example'))[0], 10_000)
    expect(sent, 'the reply reached the local mailbox').toBeDefined()
    const agentMessageId = header(sent!.raw ?? '', 'Message-ID')
    expect(header(sent!.raw ?? '', 'In-Reply-To')).toBe('<s1@thread.example>')

    // The customer answers the agent's email: same ticket, pending → open
    const answer = await inbound(
      mime(
        [
          'From: sian@thread.example',
          'Subject: Re: Grinder jams',
          'Message-ID: <s2@thread.example>',
          `In-Reply-To: ${agentMessageId}`,
          `References: <s1@thread.example> ${agentMessageId}`,
        ],
        'Cleaned, still jams.\r\n\r\nOn Tue, Support wrote:\r\n> Please clean the burrs',
      ),
    )
    expect(answer.status, answer.text).toBe(200)
    expect(answer.body).toMatchObject({ status: 'threaded', ticketId })
    const comments = await api.call('GET', `/tickets/${ticketId}/comments`, { token: agent })
    expect(comments.body.items.map((c: { author: string; body: string }) => [c.author, c.body])).toEqual([
      ['requester', 'It stops after two seconds.'],
      ['agent', 'Please clean the burrs and try again.'],
      ['requester', 'Cleaned, still jams.'],
    ])
    expect((await api.call('GET', `/tickets/${ticketId}`, { token: agent })).body.status).toBe('open')

    // The relay delivers the same message again: nothing new
    const dup = await inbound(
      mime(
        ['From: sian@thread.example', 'Subject: Re: Grinder jams', 'Message-ID: <s2@thread.example>'],
        'Cleaned, still jams.',
      ),
    )
    expect(dup.status, dup.text).toBe(200)
    expect(dup.body).toMatchObject({ status: 'duplicate', ticketId })
    expect(
      (await api.call('GET', `/tickets/${ticketId}/comments`, { token: agent })).body.items,
    ).toHaveLength(3)

    // A broken message is kept, not lost
    const broken = await inbound('Subject: no sender here\r\n\r\nwho sent this?')
    expect(broken.status, broken.text).toBe(202)
    expect(broken.body).toMatchObject({ status: 'quarantined', reason: 'no_sender' })
    const list = await api.call('GET', '/inbound/quarantine', { token: agent })
    expect(list.body.items.map((q: { id: string }) => q.id)).toContain(broken.body.quarantineId)
    const one = await api.call('GET', `/inbound/quarantine/${broken.body.quarantineId}`, { token: agent })
    expect(Buffer.from(one.body.rawBase64, 'base64').toString()).toContain('who sent this?')
  })

  it('refuses a body that is not a raw message, and an empty one', async () => {
    const json = await api.call('POST', '/inbound/email', { token: relay, body: { from: 'a@b.c' } })
    expect(json.status).toBe(415)
    expect(json.headers.get('content-type')).toContain('application/problem+json')
    const empty = await api.call('POST', '/inbound/email', {
      token: relay,
      headers: { 'content-type': 'message/rfc822' },
    })
    expect(empty.status).toBe(400)
  })
})

describe('the public support form', () => {
  it('opens a web ticket with the right key, refuses a wrong one, and limits the rate', async () => {
    const form = await api.call('POST', '/support-forms', {
      token: await api.token('desk-mail', ['manager']),
      body: { name: 'Help centre', tags: ['web-form'], rateLimitPerMinute: 2 },
    })
    expect(form.status, form.text).toBe(201)
    const submit = (key: string, subject = 'Lid cracked') =>
      api.call('POST', `/public/support/${form.body.id}`, {
        headers: { 'x-form-key': key },
        body: { email: 'web@form.example', name: 'Wen', subject, description: 'The lid cracked on day one.' },
      })
    expect((await submit('wrong')).status).toBe(401)
    const ok = await submit(form.body.publicKey)
    expect(ok.status, ok.text).toBe(202)
    const t = await api.call('GET', `/tickets/${ok.body.ticketId}`, { token: agent })
    expect(t.body).toMatchObject({
      channel: 'web',
      tags: ['web-form'],
      requester: { email: 'web@form.example' },
    })
    // A bot fills the hidden field: answered like a success, no ticket
    const bot = await api.call('POST', `/public/support/${form.body.id}`, {
      headers: { 'x-form-key': form.body.publicKey },
      body: {
        email: 'bot@spam.example',
        subject: 'Buy now',
        description: 'x',
        website: 'http://spam.example',
      },
    })
    expect(bot.status).toBe(202)
    expect((await api.call('GET', `/tickets/${bot.body.ticketId}`, { token: agent })).status).toBe(404)
    const limited = await submit(form.body.publicKey, 'Third')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
  })
})

describe('the satisfaction survey', () => {
  it('goes out once on solve; its one-click link rates the ticket once', async () => {
    // Prepare: a ticket from a customer, solved by the agent, reopened and solved again
    const created = await api.call('POST', '/tickets', {
      token: agent,
      body: {
        subject: 'Kettle cold',
        description: 'No heat.',
        requester: { email: 'csat@rate.example', name: 'Ola' },
      },
    })
    expect(created.status, created.text).toBe(201)
    const id = created.body.id as string
    const solve = async () => {
      const current = await api.call('GET', `/tickets/${id}`, { token: agent })
      const res = await api.call('PATCH', `/tickets/${id}`, {
        token: agent,
        headers: { 'if-match': `"${current.body.version}"` },
        body: { status: 'solved' },
      })
      expect(res.status, res.text).toBe(200)
    }
    await solve()
    const survey = await eventually(
      async () => (await mailTo('csat@rate.example')).find((m) => /How did we do/.test(m.subject)),
      10_000,
    )
    expect(survey, 'the survey reached the local mailbox').toBeDefined()
    // The mailbox keeps SendRawEmail's MIME: read its text part as a mail client would.
    const text = (await PostalMime.parse(survey!.raw ?? '')).text ?? ''
    const link = /(https?:\/\/\S+\/public\/csat\/[\w.-]+)\?score=5/.exec(text)?.[1]
    expect(link).toBeDefined()
    const path = new URL(link!).pathname

    // Act: one click
    const rated = await api.call('GET', `${path}?score=5`)
    // Assess
    expect(rated.status, rated.text).toBe(200)
    expect(rated.body).toMatchObject({ status: 'rated', ticketId: id, score: 5 })
    expect((await api.call('GET', `${path}?score=5`)).status).toBe(200)
    const other = await api.call('GET', `${path}?score=1`)
    expect(other.status).toBe(409)
    const comment = await api.call('POST', path, { body: { score: 5, comment: 'Quick and kind.' } })
    expect(comment.status, comment.text).toBe(200)
    const forged = await api.call('GET', `${path.slice(0, -4)}AAAA?score=5`)
    expect(forged.status).toBe(401)
    const seen = await api.call('GET', `/tickets/${id}/satisfaction`, { token: agent })
    expect(seen.body).toMatchObject({ status: 'sent', score: 5, comment: 'Quick and kind.' })

    // Reopened and solved again: no second survey
    const reopen = await api.call('PATCH', `/tickets/${id}`, {
      token: agent,
      headers: {
        'if-match': `"${(await api.call('GET', `/tickets/${id}`, { token: agent })).body.version}"`,
      },
      body: { status: 'open' },
    })
    expect(reopen.status, reopen.text).toBe(200)
    await solve()
    await new Promise((r) => setTimeout(r, 1500))
    expect((await mailTo('csat@rate.example')).filter((m) => /How did we do/.test(m.subject))).toHaveLength(1)
    const events = (await api.call('GET', '/_local/events')).body?.items ?? []
    const rated1 = events.filter(
      (e: { detailType?: string; 'detail-type'?: string; detail?: { data?: { ticketId?: string } } }) =>
        (e.detailType ?? e['detail-type']) === 'Ticket.Rated' && e.detail?.data?.ticketId === id,
    )
    expect(rated1).toHaveLength(1)
  })
})

describe('visits', () => {
  it('books a technician once for overlapping concurrent requests (all share 10:15-10:30)', async () => {
    const tech = await api.call('POST', '/agents', {
      token: await api.token('desk-mail', ['admin']),
      body: { name: 'Tomás', skills: [], languages: ['en'], capacity: 4 },
    })
    expect(tech.status, tech.text).toBe(201)
    const body = (start: string, end: string) => ({
      technicianId: tech.body.id as string,
      window: { start, end, timeZone: 'America/New_York' },
      address: { line1: '5 Main St', city: 'Albany', country: 'us' },
    })
    const results = await Promise.all(
      ['10:00', '10:15', '10:00', '09:45', '10:15'].map((s, i) =>
        api.call('POST', '/visits', {
          token: agent,
          body: body(`2027-02-10T${s}`, `2027-02-10T${['11:00', '12:00', '10:30', '10:30', '11:15'][i]}`),
        }),
      ),
    )
    const statuses = results.map((r) => r.status)
    expect(
      statuses.filter((s) => s === 201),
      JSON.stringify(statuses),
    ).toHaveLength(1)
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true)
    const booked = results.find((r) => r.status === 201)!
    expect(booked.body.window.timeZone).toBe('America/New_York')
    expect(booked.body.address.country).toBe('US')
    const stranger = await api.call('POST', '/visits', {
      token: agent,
      body: { ...body('2027-02-11T10:00', '2027-02-11T11:00'), technicianId: 'nobody' },
    })
    expect(stranger.status).toBe(400)
    expect(stranger.body.errors).toContainEqual(
      expect.objectContaining({ field: 'technicianId', code: 'not_found' }),
    )
  })

  it("books a ticket's visit in the customer's zone, completes it with its outcome, and publishes both", async () => {
    // Prepare: a technician and a customer's ticket
    const tech = await api.call('POST', '/agents', {
      token: await api.token('desk-mail', ['admin']),
      body: { name: 'Ines', skills: [], languages: ['pt'], capacity: 4 },
    })
    const ticket = await api.call('POST', '/tickets', {
      token: agent,
      body: { subject: 'Boiler', description: 'No hot water.', requester: { email: 'visit@home.example' } },
    })
    // Act
    const booked = await api.call('POST', '/visits', {
      token: agent,
      body: {
        technicianId: tech.body.id,
        ticketId: ticket.body.id,
        window: { start: '2027-03-28T08:00', end: '2027-03-28T10:00', timeZone: 'Europe/Lisbon' },
        address: { line1: 'Rua Augusta 1', city: 'Lisboa', country: 'PT' },
      },
    })
    // Assess: 28 March 2027 is the day Lisbon moves to summer time at 01:00 UTC (08:00 local is 07:00 UTC)
    expect(booked.status, booked.text).toBe(201)
    expect(booked.body.window).toMatchObject({
      start: '2027-03-28T07:00:00.000Z',
      end: '2027-03-28T09:00:00.000Z',
    })
    const byTicket = await api.call('GET', `/visits?ticketId=${ticket.body.id}`, { token: agent })
    expect(byTicket.body.items.map((v: { id: string }) => v.id)).toEqual([booked.body.id])
    const noOutcome = await api.call('PATCH', `/visits/${booked.body.id}`, {
      token: agent,
      body: { status: 'completed' },
    })
    expect(noOutcome.status).toBe(400)
    const done = await api.call('PATCH', `/visits/${booked.body.id}`, {
      token: agent,
      headers: { 'if-match': '"1"' },
      body: { status: 'completed', outcome: 'resolved', outcomeNotes: 'Replaced the valve.' },
    })
    expect(done.status, done.text).toBe(200)
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'resolved', version: 2 })
    const again = await api.call('PATCH', `/visits/${booked.body.id}`, {
      token: agent,
      body: { status: 'cancelled' },
    })
    expect(again.status).toBe(409)
    const types = await eventually(async () => {
      const items = ((await api.call('GET', '/_local/events')).body?.items ?? []) as {
        detailType?: string
        'detail-type'?: string
        detail?: { data?: { visitId?: string } }
      }[]
      const mine = items
        .filter((e) => e.detail?.data?.visitId === booked.body.id)
        .map((e) => e.detailType ?? e['detail-type'])
      return mine.length >= 2 ? mine.sort() : undefined
    }, 10_000)
    expect(types).toEqual(['Visit.Booked', 'Visit.Completed'])
  })
})
