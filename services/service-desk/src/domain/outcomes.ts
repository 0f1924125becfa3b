/**
 * What the service desk's own rules refuse, in its words (core's HTTP layer answers a Conflict as
 * 409 problem+json with the extra members). The generic outcomes come from `@relay/core/outcomes`.
 */
import type { TicketStatus } from '@relay/contracts/service-desk'
import { Conflict } from '@relay/core/outcomes'

/** A status move the rules do not allow (closed is final; new is never re-entered...). */
export class StatusNotAllowed extends Conflict {
  readonly from: TicketStatus
  readonly to: TicketStatus
  constructor(from: TicketStatus, to: TicketStatus, allowed: readonly TicketStatus[]) {
    super(`A ${from} ticket cannot move to ${to}.`, { from, to, allowed: [...allowed] })
    this.from = from
    this.to = to
  }
}

/**
 * The ticket is closed: nothing more is added to it. A requester writing again gets a follow-up
 * ticket (inbound mail and the web form open one that names this ticket).
 */
export class TicketClosed extends Conflict {
  readonly ticketId: string
  constructor(ticketId: string) {
    super('The ticket is closed; open a follow-up ticket instead.', { ticketId })
    this.ticketId = ticketId
  }
}
