import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/intake.js'
import { getSurvey } from '../store/surveys.js'

/** GET /tickets/{id}/satisfaction → the ticket's survey: when it was sent, the score and comment (404 before a solve). */
export const handler = httpNonPost(routes.getSatisfaction, async ({ caller, params }) => {
  const s = await getSurvey(caller.tenantId, params.id)
  if (!s) throw new NotFound('This ticket has no satisfaction survey (it was never solved).')
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
