import { TICKET_STATUSES, type TicketStatus } from '@relay/contracts/service-desk'
import {
  TicketAssignedV1,
  TicketOpenedV1,
  TicketReopenedV1,
  TicketRepliedV1,
  TicketSolvedV1,
  TicketStatusChangedV1,
  TicketUpdatedV1,
} from '@relay/contracts/service-desk-events'
import { describe, expect, it } from 'vitest'
import { ticketChanged, ticketOpened, ticketReplied } from '../src/domain/events.js'
import { StatusNotAllowed, TicketClosed } from '../src/domain/outcomes.js'
import { replyMail, replySubject } from '../src/domain/reply-mail.js'
import { canMove, clockRuns, moveKind, statusAfterReply } from '../src/domain/status.js'
import {
  anonymisedTicket,
  applyComment,
  applyTicketPatch,
  buildTicket,
  isAnonymised,
  MAX_THREAD_IDS,
  publicTicket,
  type TicketRecord,
  withStatus,
} from '../src/domain/ticket.js'

const T0 = '2026-03-02T09:00:00.000Z'
const T1 = '2026-03-02T10:30:00.000Z'
const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

const ticket = (over: Partial<TicketRecord> = {}): TicketRecord => ({
  ...buildTicket(
    {
      subject: 'Printer on fire',
      description: 'Smoke since this morning',
      requester: { email: 'ann@example.com' },
      tags: ['printer', 'urgent', 'printer'],
    },
    {
      id: ID,
      now: T0,
      requester: { email: 'ann@example.com', contactId: 'C1' },
      messageId: '<m1@example.com>',
    },
  ),
  ...over,
})

const CONTRACTS: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
  'Ticket.Opened': TicketOpenedV1,
  'Ticket.Updated': TicketUpdatedV1,
  'Ticket.Assigned': TicketAssignedV1,
  'Ticket.StatusChanged': TicketStatusChangedV1,
  'Ticket.Solved': TicketSolvedV1,
  'Ticket.Reopened': TicketReopenedV1,
  'Ticket.Replied': TicketRepliedV1,
}

/** Every emitted event matches its contract (what subscribers validate before they run). */
function expectContracts(events: readonly { detailType: string; data: unknown }[]) {
  for (const e of events) expect(CONTRACTS[e.detailType]?.safeParse(e.data).success, e.detailType).toBe(true)
}

describe('status rules', () => {
  const allowed: Record<TicketStatus, TicketStatus[]> = {
    new: ['open', 'pending', 'on_hold', 'solved'],
    open: ['pending', 'on_hold', 'solved'],
    pending: ['open', 'on_hold', 'solved'],
    on_hold: ['open', 'pending', 'solved'],
    solved: ['open', 'closed'],
    closed: [],
  }

  it.each(TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.map((to) => [from, to] as const)))(
    '%s → %s follows the table',
    (from, to) => {
      expect(canMove(from, to)).toBe(from === to || allowed[from].includes(to))
    },
  )

  it('never re-enters new, reaches closed only from solved, and leaves closed for nothing', () => {
    for (const from of TICKET_STATUSES) {
      if (from !== 'new') expect(canMove(from, 'new')).toBe(false)
      if (from !== 'solved' && from !== 'closed') expect(canMove(from, 'closed')).toBe(false)
      if (from !== 'closed') expect(canMove('closed', from)).toBe(false)
    }
  })

  it('stops the SLA clock in pending, on hold, solved and closed', () => {
    expect(TICKET_STATUSES.filter(clockRuns)).toEqual(['new', 'open'])
  })

  it('names solve, reopen and close moves', () => {
    expect(moveKind('open', 'solved')).toBe('solve')
    expect(moveKind('solved', 'open')).toBe('reopen')
    expect(moveKind('solved', 'closed')).toBe('close')
    expect(moveKind('open', 'pending')).toBe('move')
    expect(moveKind('open', 'open')).toBe('none')
  })

  it('a requester reply reopens solved, answers pending, keeps on-hold, and is refused on closed', () => {
    expect(statusAfterReply('solved', 'requester', true)).toBe('open')
    expect(statusAfterReply('pending', 'requester', true)).toBe('open')
    expect(statusAfterReply('on_hold', 'requester', true)).toBe('on_hold')
    expect(statusAfterReply('new', 'requester', true)).toBe('new')
    expect(statusAfterReply('closed', 'requester', true)).toBeUndefined()
  })

  it('an agent reply opens a new ticket unless a status is chosen; a note leaves it new', () => {
    expect(statusAfterReply('new', 'agent', true)).toBe('open')
    expect(statusAfterReply('new', 'agent', false)).toBe('new')
    expect(statusAfterReply('open', 'agent', true, 'pending')).toBe('pending')
    expect(statusAfterReply('closed', 'agent', true, 'open')).toBeUndefined()
  })
})

describe('ticket changes', () => {
  it('builds a new ticket: status new, defaults, tags unique and sorted, the opening message in the thread', () => {
    const t = ticket()
    expect(t).toMatchObject({
      status: 'new',
      priority: 'normal',
      channel: 'web',
      type: 'question',
      tags: ['printer', 'urgent'],
      requester: { email: 'ann@example.com', contactId: 'C1' },
      commentCount: 1,
      reopenCount: 0,
      breached: false,
      version: 1,
      thread: ['<m1@example.com>'],
    })
    expect(publicTicket(t)).not.toHaveProperty('thread')
  })

  it('solve stamps solvedAt; a reopen clears it and counts; closed is stamped and final', () => {
    const solved = withStatus(ticket({ status: 'open' }), 'solved', T1)
    expect(solved.solvedAt).toBe(T1)
    const reopened = withStatus(solved, 'open', T1)
    expect(reopened.solvedAt).toBeUndefined()
    expect(reopened.reopenCount).toBe(1)
    const closed = withStatus(solved, 'closed', T1)
    expect(closed.closedAt).toBe(T1)
    expect(() => withStatus(closed, 'open', T1)).toThrow(StatusNotAllowed)
  })

  it('refuses a move the rules do not allow, naming the allowed ones', () => {
    const err = (() => {
      try {
        applyTicketPatch(ticket({ status: 'open' }), { status: 'closed' }, T1)
      } catch (e) {
        return e as StatusNotAllowed
      }
    })()
    expect(err).toBeInstanceOf(StatusNotAllowed)
    expect(err?.extra).toMatchObject({
      from: 'open',
      to: 'closed',
      allowed: ['pending', 'on_hold', 'solved'],
    })
  })

  it('patches with null clearing and bumps the version, leaving the assignment alone', () => {
    const t = ticket({ category: 'hardware', queueId: 'Q1', assigneeId: 'agent-7', status: 'open' })
    const next = applyTicketPatch(t, { category: null, priority: 'high' }, T1)
    expect(next).toMatchObject({
      status: 'open',
      assigneeId: 'agent-7',
      priority: 'high',
      version: 2,
      updatedAt: T1,
    })
    expect(next.category).toBeUndefined()
    expect(next.queueId).toBe('Q1')
  })

  it('takes no change at all on a closed ticket', () => {
    const closed = ticket({ status: 'closed' })
    expect(() => applyTicketPatch(closed, { priority: 'low' }, T1)).toThrow(TicketClosed)
    expect(() => applyComment(closed, { author: 'requester', public: true, at: T1 })).toThrow(TicketClosed)
  })

  it('a first public agent reply stamps firstRespondedAt once and extends the thread', () => {
    const replied = applyComment(ticket(), { author: 'agent', public: true, messageId: '<r1@desk>', at: T1 })
    expect(replied).toMatchObject({ status: 'open', firstRespondedAt: T1, commentCount: 2, publicReplies: 1 })
    expect(replied.thread).toEqual(['<m1@example.com>', '<r1@desk>'])
    const again = applyComment(replied, { author: 'agent', public: true, at: '2026-03-02T11:00:00.000Z' })
    expect(again.firstRespondedAt).toBe(T1)
    const note = applyComment(ticket(), { author: 'agent', public: false, at: T1 })
    expect(note.firstRespondedAt).toBeUndefined()
    expect(note.status).toBe('new')
  })

  it('keeps the last MAX_THREAD_IDS Message-IDs of a long thread', () => {
    let t = ticket()
    for (let i = 0; i < MAX_THREAD_IDS + 5; i++)
      t = applyComment(t, { author: 'requester', public: true, messageId: `<m${i + 2}@x>`, at: T1 })
    expect(t.thread).toHaveLength(MAX_THREAD_IDS)
    expect(t.thread?.at(-1)).toBe(`<m${MAX_THREAD_IDS + 6}@x>`)
  })

  it('anonymises the requester, the subject and the thread, keeping counts and times', () => {
    const t = applyComment(ticket(), { author: 'agent', public: true, at: T1 })
    const erased = anonymisedTicket(t, T1)
    expect(erased.requester).toEqual({})
    expect(erased.subject).not.toContain('Printer')
    expect(erased).not.toHaveProperty('thread')
    expect(erased).toMatchObject({ commentCount: 2, createdAt: T0, firstRespondedAt: T1, channel: 'web' })
    expect(isAnonymised(erased)).toBe(true)
    expect(isAnonymised(t)).toBe(false)
  })
})

describe('ticket events', () => {
  it('Ticket.Opened carries contactId and the reporting dimensions, no requester email', () => {
    const events = ticketOpened(ticket({ category: 'hardware', queueId: 'Q1' }))
    expect(events.map((e) => e.detailType)).toEqual(['Ticket.Opened', 'Ticket.Assigned'])
    expect(events[0]?.data).toMatchObject({
      ticketId: ID,
      contactId: 'C1',
      channel: 'web',
      category: 'hardware',
    })
    expect(JSON.stringify(events)).not.toContain('ann@example.com')
    expectContracts(events)
  })

  it('a solve emits StatusChanged and Solved with calendar minutes and reply count', () => {
    const before = applyComment(ticket({ status: 'open' }), { author: 'agent', public: true, at: T0 })
    const after = applyTicketPatch(before, { status: 'solved' }, T1)
    const events = ticketChanged(before, after, { by: 'u-1', at: T1 })
    expect(events.map((e) => e.detailType)).toEqual(['Ticket.StatusChanged', 'Ticket.Solved'])
    expect(events[1]?.data).toMatchObject({ calendarMinutes: 90, replyCount: 1, slaBreached: false, sla: [] })
    expectContracts(events)
  })

  it('a requester reply on a solved ticket emits StatusChanged, Reopened (requester_reply) and Replied', () => {
    const before = withStatus(ticket({ status: 'open' }), 'solved', T0)
    const after = applyComment(before, { author: 'requester', public: true, at: T1 })
    const events = [
      ...ticketChanged(before, after, { by: 'ann@example.com', at: T1, reopenedBy: 'requester_reply' }),
      ...ticketReplied(after, { id: 'CM1', author: 'requester', public: true, at: T1 }),
    ]
    expect(events.map((e) => e.detailType)).toEqual([
      'Ticket.StatusChanged',
      'Ticket.Reopened',
      'Ticket.Replied',
    ])
    expect(events[1]?.data).toMatchObject({ reason: 'requester_reply', reopenCount: 1 })
    expectContracts(events)
  })

  it('descriptive changes are one Ticket.Updated; a reassign is Ticket.Assigned; a note emits nothing', () => {
    const before = ticket()
    const after = { ...applyTicketPatch(before, { priority: 'urgent', tags: ['vip'] }, T1), queueId: 'Q2' }
    const events = ticketChanged(before, after, { by: 'u-1', at: T1 })
    expect(events.map((e) => e.detailType)).toEqual(['Ticket.Updated', 'Ticket.Assigned'])
    expect(Object.keys((events[0]?.data as { changes?: object } | undefined)?.changes ?? {}).sort()).toEqual([
      'priority',
      'tags',
    ])
    expectContracts(events)
    expect(ticketReplied(after, { id: 'CM2', author: 'agent', public: false, at: T1 })).toEqual([])
  })
})

describe('reply mail', () => {
  it('threads In-Reply-To and References from the ticket and tags the subject once', () => {
    const t = applyComment(ticket(), { author: 'agent', public: true, messageId: '<r1@desk>', at: T1 })
    const mail = replyMail(t, {
      id: 'CM1',
      ticketId: ID,
      body: 'On our way.',
      public: true,
      author: 'agent',
      channel: 'email',
      messageId: '<r1@desk>',
      mail: {
        status: 'queued',
        to: 'ann@example.com',
        messageId: '<r1@desk>',
        inReplyTo: '<m1@example.com>',
      },
      createdAt: T1,
    })
    expect(mail).toMatchObject({
      to: ['ann@example.com'],
      messageId: '<r1@desk>',
      inReplyTo: '<m1@example.com>',
      references: ['<m1@example.com>'],
      subject: `Re: Printer on fire [#${ID}]`,
    })
    expect(replySubject({ id: ID, subject: `RE: Printer on fire [#${ID}]` })).toBe(
      `Re: Printer on fire [#${ID}]`,
    )
  })

  it('has nothing to send without an address', () => {
    expect(
      replyMail(ticket(), {
        id: 'CM1',
        ticketId: ID,
        body: 'x',
        public: true,
        author: 'agent',
        channel: 'email',
        mail: { status: 'queued', messageId: '<r@desk>' },
        createdAt: T1,
      }),
    ).toBeUndefined()
  })
})
