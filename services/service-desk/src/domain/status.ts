/**
 * The ticket status rules, pure. Statuses move along
 *
 *     new → open ⇄ pending ⇄ on_hold → solved → closed
 *
 * | from       | may move to                          | why                                              |
 * | ---------- | ------------------------------------ | ------------------------------------------------ |
 * | `new`      | open, pending, on_hold, solved        | nobody has looked yet; anything but closed        |
 * | `open`     | pending, on_hold, solved              |                                                  |
 * | `pending`  | open, on_hold, solved                 | waiting on the requester: the SLA clock stops     |
 * | `on_hold`  | open, pending, solved                 | waiting on a third party: the clock stops too     |
 * | `solved`   | open (a reopen), closed               | a requester reply reopens it                      |
 * | `closed`   | nothing                               | final: a new message opens a follow-up ticket     |
 *
 * `new` is never re-entered and `closed` is reached only from `solved` (a ticket is solved, then
 * closed, so the solve is always counted). What a reply does to the status:
 *
 * | reply by   | new / open | pending | on_hold | solved                 | closed             |
 * | ---------- | ---------- | ------- | ------- | ---------------------- | ------------------ |
 * | agent      | open*      | pending*| on_hold*| solved* (stays)        | refused            |
 * | requester  | unchanged  | open    | on_hold | open (Ticket.Reopened) | refused: follow-up |
 *
 * (*) unless the agent names another status with the reply; a public agent reply to a `new`
 * ticket makes it `open`.
 */
import type { CommentAuthor, TicketStatus } from '@relay/contracts/service-desk'

const NEXT: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
}

/** Statuses in which the SLA clock does not run. */
export const PAUSED_STATUSES: readonly TicketStatus[] = ['pending', 'on_hold']

/** Statuses a ticket is done in (no SLA target runs; not counted as open work). */
export const DONE_STATUSES: readonly TicketStatus[] = ['solved', 'closed']

/** Whether a ticket may move from `from` to `to` (staying put is always allowed). */
export function canMove(from: TicketStatus, to: TicketStatus): boolean {
  return from === to || NEXT[from].includes(to)
}

/** The statuses `from` may move to. */
export function nextStatuses(from: TicketStatus): readonly TicketStatus[] {
  return NEXT[from]
}

/** Whether the SLA clock runs in `status`. */
export const clockRuns = (status: TicketStatus): boolean =>
  !PAUSED_STATUSES.includes(status) && !DONE_STATUSES.includes(status)

/** What a move means beyond the status itself: a solve, a reopen, a close. */
export type StatusMove = 'none' | 'move' | 'solve' | 'reopen' | 'close'

export function moveKind(from: TicketStatus, to: TicketStatus): StatusMove {
  if (from === to) return 'none'
  if (to === 'solved') return 'solve'
  if (from === 'solved' && to === 'open') return 'reopen'
  if (to === 'closed') return 'close'
  return 'move'
}

/**
 * The status a ticket is left in after a public reply or note. `requested` is the status the agent
 * chose with the reply, if any. `undefined` means the reply is refused (the ticket is closed).
 *
 * @example
 * statusAfterReply('solved', 'requester', false) // 'open': the requester reopened it
 * statusAfterReply('new', 'agent', true)         // 'open'
 * statusAfterReply('closed', 'requester', true)  // undefined: open a follow-up instead
 */
export function statusAfterReply(
  current: TicketStatus,
  author: CommentAuthor,
  isPublic: boolean,
  requested?: TicketStatus,
): TicketStatus | undefined {
  if (current === 'closed') return undefined
  if (author === 'requester') {
    if (current === 'solved' || current === 'pending') return 'open'
    return current
  }
  if (requested) return requested
  if (current === 'new' && isPublic && author === 'agent') return 'open'
  return current
}
