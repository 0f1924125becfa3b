/**
 * Satisfaction surveys (CSAT), pure: when a survey is due, what its email says, and what a
 * rating through its link may do.
 *
 * | rule                                                                                          |
 * | --------------------------------------------------------------------------------------------- |
 * | One survey per ticket, ever: the first solve creates it; a reopen and a second solve send none. |
 * | The link is a signed token (purpose `csat`, claims tenant + ticket, jti = the survey's id),     |
 * | expiring after {@link SURVEY_TTL_DAYS} days; a token of another survey (old jti) is refused.    |
 * | Single use: the first rating is recorded and published (`Ticket.Rated`). The same score again  |
 * | (a second click, a mail scanner following the link) answers the recorded rating and changes    |
 * | nothing; another score is refused (409). A comment may follow the rating once, same token.     |
 */

/** How long a survey link works. */
export const SURVEY_TTL_DAYS = 14
export const SURVEY_TTL_SECONDS = SURVEY_TTL_DAYS * 86_400
/** The purpose the link's token is signed for: a token of another purpose is refused. */
export const CSAT_PURPOSE = 'csat'
/** Scores: 1 (very unsatisfied) .. 5 (very satisfied); satisfied means ≥ 4, as CSAT counts it. */
export const SCORES = [1, 2, 3, 4, 5] as const
export const SATISFIED_FROM = 4
export const MAX_COMMENT = 2_000

export const SCORE_LABELS: Readonly<Record<number, string>> = {
  5: 'Very satisfied',
  4: 'Satisfied',
  3: 'Neutral',
  2: 'Unsatisfied',
  1: 'Very unsatisfied',
}

export interface Survey {
  ticketId: string
  /** The token's jti. */
  id: string
  /** Where it was sent (the requester's email when the ticket was solved). */
  to: string
  subject: string
  status: 'queued' | 'sent' | 'skipped'
  sentAt?: string
  sesMessageId?: string
  score?: number
  comment?: string
  ratedAt?: string
  solvedAt?: string
  createdAt: string
  expiresAt: string
}

/** A new survey for a solved ticket (queued: the mail worker sends it). */
export function newSurvey(input: {
  id: string
  ticketId: string
  to: string | undefined
  subject: string
  solvedAt?: string
  now: string
}): Survey {
  return {
    ticketId: input.ticketId,
    id: input.id,
    to: input.to ?? '',
    subject: input.subject,
    // No address (a phone ticket of a contact without email): recorded as skipped, nothing to send.
    status: input.to ? 'queued' : 'skipped',
    ...(input.solvedAt ? { solvedAt: input.solvedAt } : {}),
    createdAt: input.now,
    expiresAt: new Date(Date.parse(input.now) + SURVEY_TTL_SECONDS * 1000).toISOString(),
  }
}

/** What a rating request may do to a survey. */
export type RatingDecision =
  | { kind: 'record'; score: number; comment?: string }
  | { kind: 'add_comment'; comment: string }
  | { kind: 'replay' }
  | { kind: 'refuse'; reason: 'already_rated' | 'comment_already_given' | 'expired' }

/** Decides a rating through the survey's link (see the rules above). */
export function decideRating(
  survey: Pick<Survey, 'score' | 'comment' | 'expiresAt'>,
  request: { score: number; comment?: string | undefined },
  nowMs: number,
): RatingDecision {
  const comment = request.comment?.trim() || undefined
  if (survey.score === undefined) {
    if (Date.parse(survey.expiresAt) <= nowMs) return { kind: 'refuse', reason: 'expired' }
    return { kind: 'record', score: request.score, ...(comment ? { comment } : {}) }
  }
  if (survey.score !== request.score) return { kind: 'refuse', reason: 'already_rated' }
  if (!comment || comment === survey.comment) return { kind: 'replay' }
  if (survey.comment !== undefined) return { kind: 'refuse', reason: 'comment_already_given' }
  return { kind: 'add_comment', comment }
}

export const isSatisfied = (score: number) => score >= SATISFIED_FROM

/** The survey email: one link per score, each a one-click rating. */
export function surveyEmail(input: {
  ticketId: string
  subject: string
  requesterName?: string | undefined
  linkOf: (score: number) => string
}): { subject: string; text: string; html: string } {
  const hello = input.requesterName ? `Hello ${input.requesterName},` : 'Hello,'
  const scores = [...SCORES].reverse()
  const lines = scores.map((s) => `  ${SCORE_LABELS[s]}: ${input.linkOf(s)}`)
  const text = [
    hello,
    '',
    `Your request "${input.subject}" [#${input.ticketId}] was solved. How did we do?`,
    'One click records your rating; you can add a comment on the page it opens.',
    '',
    ...lines,
    '',
    `The links work for ${SURVEY_TTL_DAYS} days.`,
  ].join('\n')
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  const html = [
    `<p>${esc(hello)}</p>`,
    `<p>Your request &quot;${esc(input.subject)}&quot; [#${esc(input.ticketId)}] was solved. How did we do?</p>`,
    '<ul>',
    ...scores.map(
      (s) => `<li><a href="${esc(input.linkOf(s))}">${esc(SCORE_LABELS[s] ?? String(s))}</a></li>`,
    ),
    '</ul>',
    `<p>The links work for ${SURVEY_TTL_DAYS} days.</p>`,
  ].join('\n')
  return { subject: `How did we do? ${input.subject} [#${input.ticketId}]`, text, html }
}
