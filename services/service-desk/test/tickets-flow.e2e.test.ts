/**
 * The README's worked example as a test, through the local gateway only: a customer's email opens a
 * ticket, the agent's reply lands in the mailbox threaded on it, the customer's answer threads back,
 * the agent solves the ticket, the satisfaction survey arrives once, and one click rates it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let relay: string
let agent: string
let boss: string

interface Mail {
  id: string
  to: string[]
  subject: string
  raw?: string
  text?: string
}

const TENANT = 'desk-flow'
const CUSTOMER = 'dewi@flow.example'

beforeAll(async () => {
  api = await startApi()
  relay = await api.token(TENANT, ['support'], 'mail-relay')
  agent = await api.token(TENANT, ['support'], 'agent-ann')
  boss = await api.token(TENANT, ['manager'], 'boss')
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

/** A header of a raw MIME message, unfolded. */
const header = (raw: string, name: string): string | undefined =>
  new RegExp(`^${name}:((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im')
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim()

/** The body of a raw message with quoted-printable soft breaks and `=3D` undone. */
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=')

const mailbox = async (): Promise<Mail[]> => {
  const items = ((await api.call('GET', '/_local/mail')).body?.items ?? []) as Mail[]
  return items.filter((m) => m.to.includes(CUSTOMER)).sort((a, b) => a.id.localeCompare(b.id))
}

const inbound = (raw: string) =>
  api.call('POST', '/inbound/email', {
    token: relay,
    rawBody: raw,
    headers: { 'content-type': 'message/rfc822' },
  })

describe('worked example: from an inbound email to a CSAT rating', () => {
  it('opens, replies, threads, solves, surveys once and takes the rating', async () => {
    // 0. Setup: an SLA policy as the tenant's default, business hours round the clock, one agent.
    const policy = await api.call('POST', '/sla/policies', {
      token: boss,
      body: {
        name: 'Standard',
        targets: { normal: { first_response: 240, resolution: 1440 } },
        warnBeforeMinutes: 15,
      },
    })
    expect(policy.status, policy.text).toBe(201)
    const allWeek = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]),
    )
    const hours = await api.call('PUT', '/sla/business-hours', {
      token: boss,
      body: { timeZone: 'Europe/London', hours: allWeek, defaultPolicyId: policy.body.id },
    })
    expect(hours.status, hours.text).toBe(200)
    const ann = await api.call('POST', '/agents', {
      token: boss,
      body: { userId: 'agent-ann', name: 'Ann', languages: ['en'], capacity: 8 },
    })
    expect(ann.status, ann.text).toBe(201)

    // 1. The customer writes to support.
    const first = await inbound(
      [
        `From: Dewi Jones <${CUSTOMER}>`,
        'To: support@acme.example',
        'Subject: Espresso machine leaks',
        'Message-ID: <first-1@flow.example>',
        'Date: Tue, 01 Dec 2026 09:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Water under the machine every morning.',
        '',
      ].join('\r\n'),
    )
    expect(first.status, first.text).toBe(201)
    const ticketId = first.body.ticketId as string
    const opened = (await api.call('GET', `/tickets/${ticketId}`, { token: agent })).body
    expect(opened).toMatchObject({
      channel: 'email',
      subject: 'Espresso machine leaks',
      requester: { email: CUSTOMER },
    })
    expect(opened.sla?.policyId).toBe(policy.body.id)
    // The assignment worker gives it to the one agent.
    const assigned = await eventually(async () => {
      const t = (await api.call('GET', `/tickets/${ticketId}`, { token: agent })).body
      return t.assigneeId ? t : undefined
    }, 15_000)
    expect(assigned).toMatchObject({ assigneeId: ann.body.id, status: 'open' })

    // 2. The agent replies: the mail answers the customer's message.
    const reply = await api.call('POST', `/tickets/${ticketId}/comments`, {
      token: agent,
      body: { body: 'Sorry about that: is the drip tray seated fully?', status: 'pending' },
    })
    expect(reply.status, reply.text).toBe(201)
    const [replyMail] =
      (await eventually(async () => ((await mailbox()).length ? mailbox() : undefined), 15_000)) ?? []
    expect(header(replyMail?.raw ?? '', 'In-Reply-To')).toBe('<first-1@flow.example>')
    expect(header(replyMail?.raw ?? '', 'Message-ID')).toBe(reply.body.messageId)

    // 3. The customer answers the reply: it threads onto the same ticket and reopens the wait.
    const answer = await inbound(
      [
        `From: ${CUSTOMER}`,
        'To: support@acme.example',
        `Subject: Re: Espresso machine leaks [#${ticketId}]`,
        'Message-ID: <answer-2@flow.example>',
        `In-Reply-To: ${reply.body.messageId}`,
        `References: <first-1@flow.example> ${reply.body.messageId}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'It was not. Seated now and dry, thanks!',
        '',
      ].join('\r\n'),
    )
    expect(answer.status, answer.text).toBe(200)
    expect(answer.body).toMatchObject({ status: 'threaded', ticketId })
    expect((await api.call('GET', `/tickets/${ticketId}`, { token: agent })).body.status).toBe('open')

    // 4. The agent solves it: one survey goes out.
    const solved = await api.call('PATCH', `/tickets/${ticketId}`, {
      token: agent,
      body: { status: 'solved' },
    })
    expect(solved.status, solved.text).toBe(200)
    const survey = await eventually(async () => {
      const all = await mailbox()
      return all.find((m) => m.id !== replyMail?.id)
    }, 15_000)
    expect(survey).toBeDefined()
    const link = /\/public\/csat\/([^?\s"'<>]+)\?score=5/.exec(decoded(survey?.raw ?? survey?.text ?? ''))
    expect(link, 'a one-click link for score 5').not.toBeNull()

    // 5. One click rates it; the ticket shows the rating.
    const rated = await api.call('GET', `/public/csat/${link?.[1]}?score=5`)
    expect(rated.status, rated.text).toBe(200)
    const satisfaction = await eventually(async () => {
      const s = (await api.call('GET', `/tickets/${ticketId}/satisfaction`, { token: agent })).body
      return s?.score === 5 ? s : undefined
    }, 10_000)
    expect(satisfaction).toMatchObject({ score: 5 })
    // The conversation: the customer's two emails and the agent's reply, in order.
    const comments = (await api.call('GET', `/tickets/${ticketId}/comments`, { token: agent })).body.items
    expect(comments.map((c: { author: string }) => c.author)).toEqual(['requester', 'agent', 'requester'])
    // Exactly one survey, whatever the redeliveries.
    expect((await mailbox()).length).toBe(2)
    // Ticket.Solved carried the SLA outcome in business minutes.
    const events = (await api.call('GET', '/_local/events')).body
    const solvedEvent = (Array.isArray(events) ? events : (events?.items ?? [])).find(
      (e: { 'detail-type'?: string; detailType?: string; detail?: { data?: { ticketId?: string } } }) =>
        (e['detail-type'] ?? e.detailType) === 'Ticket.Solved' && e.detail?.data?.ticketId === ticketId,
    )
    expect(solvedEvent?.detail?.data).toMatchObject({
      policyId: policy.body.id,
      slaBreached: false,
      replyCount: 2,
    })
    expect(solvedEvent?.detail?.data?.firstResponseMinutes).toBeGreaterThanOrEqual(0)
  })
})
