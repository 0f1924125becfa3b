/**
 * Public support forms, pure: a form definition, and a submission → the ticket it opens (channel
 * web, the form's priority, type, category, tags and queue; the requester by email).
 *
 * | submission                 | outcome                                                    |
 * | -------------------------- | ---------------------------------------------------------- |
 * | honeypot `website` filled  | answered like a success with an id that names nothing (a bot learns nothing), nothing stored |
 * | otherwise                  | a ticket                                                   |
 */
import type { CreateTicket } from '@relay/contracts/service-desk'
import {
  type CreateSupportForm,
  SUPPORT_FORM_LIMITS,
  type SupportForm,
  type SupportSubmission,
} from '@relay/contracts/service-desk-intake'

export function buildSupportForm(
  input: CreateSupportForm,
  ctx: { id: string; now: string; publicKey: string },
): SupportForm {
  return {
    id: ctx.id,
    name: input.name,
    ...(input.priority ? { priority: input.priority } : {}),
    ...(input.type ? { type: input.type } : {}),
    ...(input.category ? { category: input.category } : {}),
    tags: [...new Set(input.tags ?? [])],
    ...(input.queueId ? { queueId: input.queueId } : {}),
    rateLimitPerMinute: input.rateLimitPerMinute ?? SUPPORT_FORM_LIMITS.defaultRateLimitPerMinute,
    publicKey: ctx.publicKey,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

export type SupportOutcome = { kind: 'honeypot' } | { kind: 'ticket'; input: CreateTicket }

/** What a submission amounts to. */
export function submissionTicket(form: SupportForm, s: SupportSubmission): SupportOutcome {
  if (s.website !== undefined && s.website.trim() !== '') return { kind: 'honeypot' }
  return {
    kind: 'ticket',
    input: {
      subject: s.subject,
      description: s.description,
      requester: { email: s.email, ...(s.name ? { name: s.name } : {}) },
      channel: 'web',
      ...(form.priority ? { priority: form.priority } : {}),
      ...(form.type ? { type: form.type } : {}),
      ...(form.category ? { category: form.category } : {}),
      ...(form.tags.length ? { tags: form.tags } : {}),
      ...(form.queueId ? { queueId: form.queueId } : {}),
    },
  }
}
