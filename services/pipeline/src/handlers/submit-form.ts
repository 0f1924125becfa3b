import { createHash, timingSafeEqual } from 'node:crypto'
import { newId } from '@relay/core/ids'
import { Invalid, NotFound, RateLimited, Unauthenticated } from '@relay/core/outcomes'
import { mapSubmission } from '../domain/forms.js'
import { http } from '../kit.js'
import * as routes from '../routes/forms.js'
import { getForm, takeFormSlot, tenantOfForm } from '../store/forms.js'
import { intakeLead } from '../store/leads.js'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Constant-time comparison of the posted key with the form's (hashes first, so lengths match). */
export function formKeyMatches(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected))
}

/**
 * POST /public/forms/{formId}/submissions (no token) → 202 `{ status: 'accepted', leadId }`.
 *
 * The tenant comes from the form (found by its id alone), never from the request. Order: the form
 * (404), its `x-form-key` (401), the per-form rate limit (429, fixed one-minute window), the
 * honeypot (a filled one is answered exactly like a success, with an id that names nothing, so a
 * bot learns nothing; nothing is stored), then the mapped fields (400 naming the form's fields).
 * The lead is created with the form's source and campaign, scored and assigned like any other.
 */
export const handler = http(routes.submitForm, async ({ params, body, headers, correlationId }) => {
  const tenantId = await tenantOfForm(params.formId)
  const form = tenantId ? await getForm(tenantId, params.formId) : undefined
  if (!tenantId || !form) throw new NotFound('No form with this id.')
  if (!formKeyMatches(headers['x-form-key'], form.publicKey))
    throw new Unauthenticated('Header x-form-key is missing or does not match this form.')
  if (!(await takeFormSlot(tenantId, form.id, Date.now(), form.rateLimitPerMinute)))
    throw new RateLimited(
      60 - Math.floor((Date.now() % 60_000) / 1000),
      'Too many submissions for this form; retry when the minute is over.',
    )
  const outcome = mapSubmission(form, body)
  if (outcome.kind === 'honeypot') return { status: 202, body: { status: 'accepted', leadId: newId() } }
  if (outcome.kind === 'invalid') throw new Invalid(outcome.problems)
  const lead = await intakeLead(tenantId, outcome.input, {
    userId: form.ownerId,
    correlationId,
    formId: form.id,
  })
  return { status: 202, body: { status: 'accepted', leadId: lead.id } }
})
