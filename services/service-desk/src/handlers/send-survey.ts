import { newId, nowIso } from '@relay/core/ids'
import { composeMime, mailFrom, sendRawEmail } from '@relay/core/mail'
import { Unavailable } from '@relay/core/outcomes'
import { publicBaseUrl, signLink } from '@relay/core/signed-link'
import { CSAT_PURPOSE, newSurvey, surveyEmail } from '../domain/csat.js'
import { worker } from '../kit.js'
import { SendSurveyMessage } from '../queues.js'
import {
  claimSurveySend,
  createSurvey,
  getSurvey,
  markSurveySentWork,
  releaseSurveySend,
  SEND_LEASE_MS,
} from '../store/surveys.js'
import { getTicket } from '../store/tickets.js'

/**
 * `send-survey` (SQS, enqueued by the solve's own transaction) → the satisfaction survey, once per
 * ticket: created on the first solve that still stands when the message is read (a ticket reopened
 * meanwhile waits for its next solve; a later solve finds the survey and sends nothing), sent under a
 * claim (S3 in store/surveys.ts) with one signed one-click link per score, marked sent with the
 * message's dedupe record. A delivery that meets another's live claim throws, so SQS brings it
 * back: a send that crashed is picked up once its lease lapses, never dropped.
 */
export const handler = worker(
  'send-survey',
  SendSurveyMessage,
  async ({ tenantId, ticketId, solvedAt }, { logger }) => {
    const ticket = await getTicket(tenantId, ticketId)
    // Reopened before the survey went out: nothing yet (its next solve asks again).
    if (ticket?.status !== 'solved' && ticket?.status !== 'closed') {
      logger.info('Survey not due: the ticket is not solved', { ticketId, status: ticket?.status })
      return undefined
    }
    await createSurvey(
      tenantId,
      newSurvey({
        id: newId(),
        ticketId,
        to: ticket.requester.email,
        subject: ticket.subject,
        solvedAt,
        now: nowIso(),
      }),
    )
    const survey = await getSurvey(tenantId, ticketId)
    if (survey?.status !== 'queued') {
      logger.info('Survey with nothing to send', { ticketId, status: survey?.status })
      return undefined
    }
    if (!(await claimSurveySend(tenantId, ticketId, Date.now()))) {
      const again = await getSurvey(tenantId, ticketId)
      if (again?.status !== 'queued') return undefined
      throw new Unavailable(SEND_LEASE_MS / 1000, 'Another delivery is sending this survey.')
    }
    let sesMessageId: string
    try {
      const expiresInSeconds = Math.max(60, Math.floor((Date.parse(survey.expiresAt) - Date.now()) / 1000))
      const token = await signLink(
        CSAT_PURPOSE,
        { t: tenantId, k: ticketId },
        { expiresInSeconds, jti: survey.id },
      )
      const mail = surveyEmail({
        ticketId,
        subject: ticket.subject,
        requesterName: ticket.requester.name,
        linkOf: (score) => `${publicBaseUrl()}/public/csat/${token}?score=${score}`,
      })
      const { raw } = await composeMime({
        from: mailFrom(),
        to: [survey.to],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // Autoresponders must not answer it (RFC 3834).
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Relay-Ticket': ticketId },
      })
      sesMessageId = (await sendRawEmail(raw, { tags: { service: 'service-desk', kind: 'csat-survey' } }))
        .sesMessageId
    } catch (err) {
      // Nothing went out: the next delivery may send at once.
      await releaseSurveySend(tenantId, ticketId)
      throw err
    }
    // SES has it: from here a failure keeps the lease, so no retry sends a second copy meanwhile.
    return markSurveySentWork(tenantId, ticketId, sesMessageId, nowIso())
  },
  // Marked sent meanwhile (a concurrent delivery): done.
  { onConditionFailed: 'ignore' },
)
