import { createHash, timingSafeEqual } from 'node:crypto'
import { newId } from '@relay/core/ids'
import { NotFound, RateLimited, Unauthenticated } from '@relay/core/outcomes'
import { submissionTicket } from '../domain/support-form.js'
import { http } from '../kit.js'
import * as routes from '../routes/intake.js'
import { getSupportForm, takeSupportSlot, tenantOfSupportForm } from '../store/support-forms.js'
import { openTicket } from '../store/ticket-changes.js'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Constant-time comparison of the posted key with the form's (hashes first, so lengths match). */
function keyMatches(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected))
}

/**
 * POST /public/support/{formId} (no token) → 202 `{ status: 'accepted', ticketId }`.
 *
 * The tenant comes from the form (found by its id alone), never from the request. Order: the form
 * (404), its `x-form-key` (401), the per-form rate limit (429, fixed one-minute window), the
 * honeypot (answered like a success, nothing stored), then the ticket: channel web, requester by
 * email (matched to a contact by the requester projection), routed like any new ticket.
 */
export const handler = http(routes.submitSupportForm, async ({ params, body, headers, correlationId }) => {
  const tenantId = await tenantOfSupportForm(params.formId)
  const form = tenantId ? await getSupportForm(tenantId, params.formId) : undefined
  if (!tenantId || !form) throw new NotFound('No support form with this id.')
  if (!keyMatches(headers['x-form-key'], form.publicKey))
    throw new Unauthenticated('Header x-form-key is missing or does not match this form.')
  const now = Date.now()
  if (!(await takeSupportSlot(tenantId, form.id, now, form.rateLimitPerMinute)))
    throw new RateLimited(
      60 - Math.floor((now % 60_000) / 1000),
      'Too many submissions for this form; retry when the minute is over.',
    )
  const outcome = submissionTicket(form, body)
  if (outcome.kind === 'honeypot') return { status: 202, body: { status: 'accepted', ticketId: newId() } }
  const ticket = await openTicket(tenantId, outcome.input, {
    actorId: `form:${form.id}`,
    correlationId,
    channel: 'web',
  })
  return { status: 202, body: { status: 'accepted', ticketId: ticket.id } }
})
