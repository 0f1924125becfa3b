/**
 * A rating through a survey link, shared by its two routes (the one-click GET and the POST with a
 * comment): the token's claims name the tenant, the ticket and the survey (jti); the domain decides
 * (domain/csat.ts); the survey store writes once (S4/S5).
 */

import { TICKET_EVENT } from '@relay/contracts/service-desk'
import type { CsatAnswer } from '@relay/contracts/service-desk-intake'
import { nowIso } from '@relay/core/ids'
import { Conflict, Unauthenticated } from '@relay/core/outcomes'
import { verifyLink } from '@relay/core/signed-link'
import { CSAT_PURPOSE, decideRating, isSatisfied, type Survey } from '../domain/csat.js'
import { dimensions } from '../domain/events.js'
import { addRatingComment, getSurvey, recordRating } from './surveys.js'
import { getTicket } from './tickets.js'

/** The claims a survey link carries: tenant and ticket (short names keep the link short). */
export interface SurveyClaims {
  t: string
  k: string
}

const answer = (s: Pick<Survey, 'ticketId' | 'score' | 'comment' | 'ratedAt'>): CsatAnswer => ({
  status: 'rated',
  ticketId: s.ticketId,
  score: s.score ?? 0,
  ...(s.comment ? { comment: s.comment } : {}),
  ratedAt: s.ratedAt ?? nowIso(),
})

async function surveyOfToken(token: string): Promise<{ tenantId: string; survey: Survey }> {
  const claims = await verifyLink(CSAT_PURPOSE, token)
  const tenantId = claims.t
  const ticketId = claims.k
  if (typeof tenantId !== 'string' || typeof ticketId !== 'string' || !claims.jti)
    throw new Unauthenticated('This link is not valid.')
  const survey = await getSurvey(tenantId, ticketId)
  // A token of an older survey (or of a survey that went away) rates nothing.
  if (!survey || survey.id !== claims.jti) throw new Unauthenticated('This link is not valid.')
  return { tenantId, survey }
}

/**
 * Rates the ticket of `token` with `score` (and `comment`): the first rating is recorded with
 * `Ticket.Rated`; the same score again answers the recorded rating; a comment may follow a
 * one-click rating once. Another score, or a second comment → 409; a bad or expired link → 401.
 */
export async function rateThroughLink(
  token: string,
  request: { score: number; comment?: string | undefined },
  correlationId: string,
): Promise<CsatAnswer> {
  const { tenantId, survey } = await surveyOfToken(token)
  const decision = decideRating(survey, request, Date.now())
  switch (decision.kind) {
    case 'replay':
      return answer(survey)
    case 'refuse':
      if (decision.reason === 'expired') throw new Unauthenticated('This link has expired.')
      throw new Conflict(
        decision.reason === 'already_rated'
          ? 'This ticket was already rated with another score.'
          : 'This rating already has a comment.',
        { score: survey.score },
      )
    case 'add_comment': {
      if (!(await addRatingComment(tenantId, survey.ticketId, survey.id, decision.comment)))
        return rateThroughLink(token, request, correlationId)
      return answer({ ...survey, comment: decision.comment })
    }
    case 'record': {
      const ticket = await getTicket(tenantId, survey.ticketId)
      if (!ticket) throw new Unauthenticated('This link is not valid.')
      const ratedAt = nowIso()
      const event = {
        detailType: TICKET_EVENT.rated,
        data: {
          ticketId: ticket.id,
          version: ticket.version,
          ...(ticket.requester.contactId ? { contactId: ticket.requester.contactId } : {}),
          ...(ticket.companyId ? { companyId: ticket.companyId } : {}),
          ...dimensions(ticket),
          score: decision.score,
          satisfied: isSatisfied(decision.score),
          hasComment: decision.comment !== undefined,
          ...(survey.solvedAt ? { solvedAt: survey.solvedAt } : {}),
          ratedAt,
        },
      }
      const rating = { score: decision.score, comment: decision.comment, ratedAt }
      // Rated meanwhile (two clicks at once): decide again on what was recorded.
      if (!(await recordRating(tenantId, ticket.id, survey.id, rating, event, correlationId)))
        return rateThroughLink(token, request, correlationId)
      return answer({ ticketId: ticket.id, ...rating })
    }
  }
}
