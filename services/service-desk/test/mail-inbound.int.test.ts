import { newId, nowIso } from '@relay/core/ids'
import { Conflict, Unauthenticated } from '@relay/core/outcomes'
import { signLink } from '@relay/core/signed-link'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { CSAT_PURPOSE, newSurvey } from '../src/domain/csat.js'
import { type InboundMessage, parseInbound } from '../src/domain/inbound-mail.js'
import { manifest } from '../src/service.js'
import { listComments } from '../src/store/comments.js'
import { getQuarantined, listQuarantine, quarantine } from '../src/store/inbound.js'
import { deliverInbound } from '../src/store/inbound-delivery.js'
import { rateThroughLink } from '../src/store/ratings.js'
import { createSurvey, getSurvey } from '../src/store/surveys.js'
import { patchTicket } from '../src/store/ticket-changes.js'
import { getTicket } from '../src/store/tickets.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
// The local runtime sets the link key; a store test sets its own.
process.env.LINK_SIGNING_SECRET ??= 'desk-mail-test-secret-at-least-32-bytes-long'
const ctx = () => ({ correlationId: 'corr', now: nowIso() })

const mime = (lines: string[], body: string) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`)

async function message(raw: Buffer): Promise<InboundMessage> {
  const out = await parseInbound(raw)
  if (out.kind !== 'message') throw new Error(`malformed: ${out.reason}`)
  return out.message
}

describe('inbound mail on DynamoDB Local', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  it('opens a ticket, threads the reply by In-Reply-To, and reopens a solved ticket for its requester', async () => {
    // Prepare
    const first = await message(
      mime(
        ['From: Ann <ann@example.com>', 'Subject: Printer jams', 'Message-ID: <m1@example.com>'],
        'Page 2 jams.',
      ),
    )
    // Act
    const opened = await deliverInbound('acme', first, ctx())
    // Assess
    expect(opened.status).toBe('created')
    const ticketId = opened.status === 'created' ? opened.ticketId : ''
    const ticket = await getTicket('acme', ticketId)
    expect(ticket).toMatchObject({
      channel: 'email',
      subject: 'Printer jams',
      requester: { email: 'ann@example.com', name: 'Ann' },
    })

    // The agent solves it; the requester answers the thread
    await patchTicket('acme', ticketId, { status: 'solved' }, { actorId: 'agent-1', correlationId: 'c' })
    const reply = await message(
      mime(
        [
          'From: ann@example.com',
          'Subject: Re: Printer jams',
          'Message-ID: <m2@example.com>',
          'In-Reply-To: <m1@example.com>',
        ],
        'Still jams.\r\n\r\nOn Mon, Support wrote:\r\n> solved',
      ),
    )
    const threaded = await deliverInbound('acme', reply, ctx())
    expect(threaded).toMatchObject({ status: 'threaded', ticketId, reopened: true })
    expect((await getTicket('acme', ticketId))?.status).toBe('open')
    const comments = await listComments('acme', ticketId, {})
    expect(comments.items.map((c) => [c.author, c.body])).toEqual([
      ['requester', 'Page 2 jams.'],
      ['requester', 'Still jams.'],
    ])
  })

  it('makes one ticket of the same Message-ID delivered twice, also at once', async () => {
    const m = await message(
      mime(['From: bob@example.com', 'Subject: Twice', 'Message-ID: <dup@example.com>'], 'Hello'),
    )
    const results = await Promise.all([deliverInbound('acme', m, ctx()), deliverInbound('acme', m, ctx())])
    const created = results.filter((r) => r.status === 'created')
    expect(created).toHaveLength(1)
    const again = await deliverInbound('acme', m, ctx())
    expect(again).toEqual({
      status: 'duplicate',
      ticketId: created[0]?.ticketId,
      messageId: '<dup@example.com>',
    })
  })

  it("adds a stranger's reply without reopening, and ignores a subject tag from a stranger", async () => {
    const opened = await deliverInbound(
      'acme',
      await message(
        mime(['From: cy@example.com', 'Subject: Fan noise', 'Message-ID: <f1@example.com>'], 'Loud.'),
      ),
      ctx(),
    )
    const ticketId = opened.status === 'created' ? opened.ticketId : ''
    await patchTicket('acme', ticketId, { status: 'solved' }, { actorId: 'agent-1', correlationId: 'c' })
    const cc = await deliverInbound(
      'acme',
      await message(
        mime(
          ['From: boss@example.com', 'Message-ID: <f2@example.com>', 'References: <f1@example.com>'],
          'Me too',
        ),
      ),
      ctx(),
    )
    expect(cc).toMatchObject({ status: 'threaded', ticketId, reopened: false })
    expect((await getTicket('acme', ticketId))?.status).toBe('solved')
    const tagged = await deliverInbound(
      'acme',
      await message(
        mime(
          ['From: mallory@example.com', `Subject: [#${ticketId}] hi`, 'Message-ID: <f3@example.com>'],
          'x',
        ),
      ),
      ctx(),
    )
    expect(tagged.status).toBe('created')
    expect(tagged.ticketId).not.toBe(ticketId)
  })

  it('quarantines the same broken bytes once, counting deliveries, listable with their bytes', async () => {
    const raw = Buffer.from('definitely not a mail message')
    const parsed = await parseInbound(raw)
    if (parsed.kind !== 'malformed') throw new Error('expected malformed')
    await quarantine('acme', raw, parsed, nowIso())
    const second = await quarantine('acme', raw, parsed, nowIso())
    expect(second).toMatchObject({ reason: 'not_mime', deliveries: 2, sizeBytes: raw.byteLength })
    const page = await listQuarantine('acme', {})
    expect(page.items.map((q) => q.id)).toEqual([second.id])
    expect(Buffer.from((await getQuarantined('acme', second.id))!.raw).toString()).toBe(raw.toString())
    expect((await listQuarantine('globex', {})).items).toEqual([])
  })
})

describe('CSAT ratings on DynamoDB Local', () => {
  let table: string
  beforeAll(async () => {
    table = await createServiceTable(`${STAGE}c`, manifest)
  })
  afterAll(() => dropTable(table))

  async function solvedTicketWithSurvey() {
    const opened = await deliverInbound(
      'acme',
      await message(
        mime(['From: dee@example.com', 'Subject: Kettle', `Message-ID: <${newId()}@example.com>`], 'Cold.'),
      ),
      ctx(),
    )
    const ticketId = opened.ticketId ?? ''
    const survey = newSurvey({
      id: newId(),
      ticketId,
      to: 'dee@example.com',
      subject: 'Kettle',
      now: nowIso(),
    })
    expect(await createSurvey('acme', survey)).toBe(true)
    expect(await createSurvey('acme', { ...survey, id: newId() })).toBe(false)
    const token = await signLink(
      CSAT_PURPOSE,
      { t: 'acme', k: ticketId },
      { expiresInSeconds: 600, jti: survey.id },
    )
    return { ticketId, survey, token }
  }

  it('records the first rating once, replays the same click, refuses another score', async () => {
    const { ticketId, token } = await solvedTicketWithSurvey()
    const first = await rateThroughLink(token, { score: 5 }, 'c')
    expect(first).toMatchObject({ status: 'rated', ticketId, score: 5 })
    expect(await rateThroughLink(token, { score: 5 }, 'c')).toEqual(first)
    await expect(rateThroughLink(token, { score: 1 }, 'c')).rejects.toBeInstanceOf(Conflict)
    // A comment may follow the click, once
    expect(await rateThroughLink(token, { score: 5, comment: 'Quick fix' }, 'c')).toMatchObject({
      comment: 'Quick fix',
    })
    await expect(rateThroughLink(token, { score: 5, comment: 'Again' }, 'c')).rejects.toBeInstanceOf(Conflict)
    expect(await getSurvey('acme', ticketId)).toMatchObject({ score: 5, comment: 'Quick fix' })
  })

  it('takes one of two concurrent different ratings', async () => {
    const { token } = await solvedTicketWithSurvey()
    const results = await Promise.allSettled([
      rateThroughLink(token, { score: 2 }, 'c'),
      rateThroughLink(token, { score: 4 }, 'c'),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })

  it('refuses a link of another survey, another purpose, or another tenant', async () => {
    const { ticketId } = await solvedTicketWithSurvey()
    const stale = await signLink(
      CSAT_PURPOSE,
      { t: 'acme', k: ticketId },
      { expiresInSeconds: 600, jti: newId() },
    )
    await expect(rateThroughLink(stale, { score: 5 }, 'c')).rejects.toBeInstanceOf(Unauthenticated)
    const other = await signLink('unsubscribe', { t: 'acme', k: ticketId }, { expiresInSeconds: 600 })
    await expect(rateThroughLink(other, { score: 5 }, 'c')).rejects.toBeInstanceOf(Unauthenticated)
    const elsewhere = await signLink(
      CSAT_PURPOSE,
      { t: 'globex', k: ticketId },
      { expiresInSeconds: 600, jti: newId() },
    )
    await expect(rateThroughLink(elsewhere, { score: 5 }, 'c')).rejects.toBeInstanceOf(Unauthenticated)
  })
})
