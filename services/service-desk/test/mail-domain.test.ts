import { describe, expect, it } from 'vitest'
import {
  decideThread,
  htmlToText,
  type InboundMessage,
  parseInbound,
  REPLY_ABOVE_MARKER,
  stripQuotedReply,
  taggedSubject,
  threadEvidence,
  ticketOfMintedId,
} from '../src/domain/inbound-mail.js'

const TICKET = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const OTHER = '01JD3Y0C6Z8R4F2G9QK7WXN5TC'

const mime = (lines: string[], body = 'Hello') => Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}\r\n`)

async function message(raw: Buffer): Promise<InboundMessage> {
  const out = await parseInbound(raw)
  if (out.kind !== 'message') throw new Error(`expected a message, got ${out.reason}: ${out.detail}`)
  return out.message
}

describe('parseInbound', () => {
  it('reads sender, subject, ids and the new text of a plain message', async () => {
    // Prepare
    const raw = mime(
      [
        'From: "Siân Lewis" <Sian@Example.COM>',
        'To: Support <support+' + TICKET + '@acme.test>',
        'Subject: =?UTF-8?Q?Printer_p=C3=A9t=C3=A9?=',
        'Message-ID: <m1@example.com>',
        `In-Reply-To: <${OTHER}.${TICKET}@desk.relay-crm>`,
        `References: <a@b> <${OTHER}.${TICKET}@desk.relay-crm>`,
        'Content-Type: text/plain; charset=utf-8',
      ],
      'Still broken.\r\n\r\nOn Mon, 1 Dec 2026 at 10:00, Support wrote:\r\n> Try turning it off and on.',
    )
    // Act
    const m = await message(raw)
    // Assess
    expect(m.from).toEqual({ address: 'sian@example.com', name: 'Siân Lewis' })
    expect(m.subject).toBe('Printer pété')
    expect(m.messageId).toBe('<m1@example.com>')
    expect(m.messageIdSynthesised).toBe(false)
    expect(m.inReplyTo).toBe(`<${OTHER}.${TICKET}@desk.relay-crm>`)
    expect(m.references).toEqual(['<a@b>', `<${OTHER}.${TICKET}@desk.relay-crm>`])
    expect(m.text).toBe('Still broken.')
    expect(m.to).toEqual([`support+${TICKET.toLowerCase()}@acme.test`])
  })

  it('synthesises a stable Message-ID from the bytes when the message has none', async () => {
    const raw = mime(['From: ann@example.com', 'Subject: Hi'])
    const a = await message(raw)
    const b = await message(Buffer.from(raw))
    expect(a.messageIdSynthesised).toBe(true)
    expect(a.messageId).toMatch(/^<sha256\.[0-9a-f]{64}@inbound\.relay>$/)
    expect(b.messageId).toBe(a.messageId)
  })

  it('takes the text of an HTML-only message and lists attachments without their bytes', async () => {
    const raw = mime(
      [
        'From: ann@example.com',
        'Subject: Photo',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>See the <b>photo</b> &amp; fix it</p><script>x()</script>',
        '--b1',
        'Content-Type: image/png',
        'Content-Disposition: attachment; filename="jam.png"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('PNGDATA').toString('base64'),
        '--b1--',
      ].join('\r\n'),
    )
    const m = await message(raw)
    expect(m.text).toBe('See the photo & fix it')
    expect(m.attachments).toEqual([{ filename: 'jam.png', mimeType: 'image/png', size: 7 }])
  })

  it('marks automatic replies so they reopen nothing', async () => {
    const m = await message(
      mime(['From: ann@example.com', 'Subject: Out of office', 'Auto-Submitted: auto-replied']),
    )
    expect(m.autoSubmitted).toBe(true)
    const bulk = await message(mime(['From: ann@example.com', 'Subject: News', 'Precedence: bulk']))
    expect(bulk.autoSubmitted).toBe(true)
    const person = await message(mime(['From: ann@example.com', 'Subject: Hi', 'Auto-Submitted: no']))
    expect(person.autoSubmitted).toBe(false)
  })

  it.each([
    ['empty', Buffer.alloc(0), 'empty'],
    ['whitespace', Buffer.from('  \r\n\r\n '), 'empty'],
    ['prose', Buffer.from('hello world, this is not an email'), 'not_mime'],
    ['JSON', Buffer.from('{"from":"ann@example.com"}'), 'not_mime'],
    ['binary', Buffer.from([0x46, 0x72, 0x6f, 0x6d, 0x3a, 0x00, 0xff, 0x0a]), 'not_mime'],
    [
      'a stray line in the headers',
      mime(['From: ann@example.com', 'this is not a header', 'Subject: x']),
      'not_mime',
    ],
    ['no From', mime(['Subject: who am I']), 'no_sender'],
    ['a From without an address', mime(['From: Ann', 'Subject: x']), 'no_sender'],
    [
      'a multipart without its boundary',
      mime(['From: ann@example.com', 'Content-Type: multipart/mixed; boundary="zz"'], 'no parts here'),
      'broken_multipart',
    ],
  ])('quarantines %s', async (_what, raw, reason) => {
    const out = await parseInbound(raw)
    expect(out.kind).toBe('malformed')
    if (out.kind === 'malformed') {
      expect(out.reason).toBe(reason)
      expect(out.detail.length).toBeGreaterThan(5)
    }
  })

  it('cuts a huge body with a note and bounds the references', async () => {
    const refs = Array.from({ length: 60 }, (_, i) => `<r${i}@x>`).join(' ')
    const m = await message(mime(['From: ann@example.com', `References: ${refs}`], 'x'.repeat(40_000)))
    expect(m.text.length).toBeLessThanOrEqual(32_000)
    expect(m.text).toContain('[… cut')
    expect(m.references).toHaveLength(20)
    expect(m.references.at(-1)).toBe('<r59@x>')
  })
})

describe('stripQuotedReply', () => {
  it.each([
    ['gmail', 'Thanks!\n\nOn Tue, 2 Dec 2026, 09:12 Support <s@a.test> wrote:\n> old', 'Thanks!'],
    ['the desk marker', `Yes please\n${REPLY_ABOVE_MARKER}\nEarlier text`, 'Yes please'],
    ['outlook', 'Done.\n\nFrom: Support\nSent: Monday\nSubject: x', 'Done.'],
    ['trailing quote lines', 'Fine\n> a\n>b\n', 'Fine'],
    ['french', 'Merci\nLe lun. 1 déc. 2026, Support a écrit :\n> x', 'Merci'],
  ])('cuts the quoted history (%s)', (_what, text, expected) => {
    expect(stripQuotedReply(text)).toBe(expected)
  })

  it('keeps a message that is all quote (a forward must not become empty)', () => {
    expect(stripQuotedReply('> only quoted')).toBe('> only quoted')
  })

  it('keeps a first-line From: (the text itself, not a quote header)', () => {
    expect(stripQuotedReply('From: the kitchen, the fridge hums')).toBe('From: the kitchen, the fridge hums')
  })
})

describe('htmlToText', () => {
  it('drops tags and scripts, keeps line breaks and entities', () => {
    expect(htmlToText('<div>a<br>b</div><style>p{}</style><p>c &lt; d</p>')).toBe('a\nb\nc < d')
  })
})

describe('minted ids and tags', () => {
  it('round-trips the ticket through a minted Message-ID and a tagged subject', () => {
    expect(ticketOfMintedId(`<${OTHER}.${TICKET.toLowerCase()}@desk.relay-crm>`)).toBe(TICKET)
    expect(ticketOfMintedId('<random@elsewhere>')).toBeUndefined()
    expect(taggedSubject('Printer', TICKET)).toBe(`Printer [#${TICKET}]`)
    expect(taggedSubject(`Re: Printer [#${TICKET}]`, TICKET)).toBe(`Re: Printer [#${TICKET}]`)
  })
})

describe('threading', () => {
  const base = async (lines: string[]) => message(mime(['From: ann@example.com', ...lines]))

  it('gathers In-Reply-To first, then References newest first, minted tickets and tags', async () => {
    const m = await base([
      `Subject: Re: Printer [#${OTHER}]`,
      'In-Reply-To: <b@x>',
      `References: <a@x> <${OTHER}.${TICKET}@desk.relay-crm> <b@x>`,
      `To: help+${OTHER}@acme.test`,
    ])
    const e = threadEvidence(m)
    expect(e.messageIds).toEqual(['<b@x>', `<${OTHER}.${TICKET}@desk.relay-crm>`, '<a@x>'])
    expect(e.mintedTickets).toEqual([TICKET])
    expect(e.taggedTickets).toEqual([OTHER])
  })

  it('threads by Message-ID whoever sends; reopens a solved ticket only for its requester', async () => {
    const m = await base(['Subject: Re: x'])
    const solved = { ticketId: TICKET, status: 'solved', requesterEmail: 'ann@example.com' }
    expect(decideThread(m, [solved], [])).toEqual({
      kind: 'reply',
      ticketId: TICKET,
      byRequester: true,
      reopen: true,
    })
    const others = { ...solved, requesterEmail: 'bob@example.com' }
    expect(decideThread(m, [others], [])).toEqual({
      kind: 'reply',
      ticketId: TICKET,
      byRequester: false,
      reopen: false,
    })
  })

  it('honours a subject tag only from the requester', async () => {
    const m = await base([`Subject: [#${TICKET}] again`])
    const open = { ticketId: TICKET, status: 'open', requesterEmail: 'ANN@example.com' }
    expect(decideThread(m, [], [open])).toMatchObject({ kind: 'reply', ticketId: TICKET, reopen: false })
    expect(decideThread(m, [], [{ ...open, requesterEmail: 'mallory@example.com' }])).toEqual({
      kind: 'new',
      reason: 'tag_not_requester',
    })
  })

  it('opens a new ticket for a reply to a closed one, and for no thread at all', async () => {
    const m = await base(['Subject: Re: x'])
    expect(
      decideThread(m, [{ ticketId: TICKET, status: 'closed', requesterEmail: 'ann@example.com' }], []),
    ).toEqual({
      kind: 'new',
      reason: 'closed',
    })
    expect(decideThread(m, [], [])).toEqual({ kind: 'new', reason: 'no_thread' })
  })

  it('does not reopen a solved ticket for an out-of-office', async () => {
    const m = await base(['Subject: Auto: away', 'Auto-Submitted: auto-replied'])
    const d = decideThread(m, [{ ticketId: TICKET, status: 'solved', requesterEmail: 'ann@example.com' }], [])
    expect(d).toEqual({ kind: 'reply', ticketId: TICKET, byRequester: true, reopen: false })
  })
})
