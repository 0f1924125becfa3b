import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/intake.js'
import { getSurvey } from '../store/surveys.js'
import { getTicket } from '../store/tickets.js'

/**
 * GET /tickets/{id}/satisfaction → the ticket's survey: when it was sent, the score and comment;
 * `status: 'none'` while the ticket was never solved; 404 for a ticket that does not exist here.
 */
export const handler = httpNonPost(routes.getSatisfaction, async ({ caller, params }) => {
  const s = await getSurvey(caller.tenantId, params.id)
  if (!s) {
    if (!(await getTicket(caller.tenantId, params.id))) throw new NotFound('No ticket with this id.')
    return { status: 200, body: { ticketId: params.id, status: 'none' } }
  }
  return {
    status: 200,
    body: {
      ticketId: s.ticketId,
      status: s.status,
      ...(s.sentAt ? { sentAt: s.sentAt } : {}),
      ...(s.score !== undefined ? { score: s.score } : {}),
      ...(s.comment ? { comment: s.comment } : {}),
      ...(s.ratedAt ? { ratedAt: s.ratedAt } : {}),
      expiresAt: s.expiresAt,
    },
  }
})
