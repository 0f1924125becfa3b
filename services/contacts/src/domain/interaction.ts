/** Interactions, pure: building one from validated input. */
import type { Interaction, LogInteraction } from '@relay/contracts/interactions'
import type { ContactProblem } from './contact.js'

/**
 * A new interaction. Its `id` is a ULID minted for `occurredAt` (by the caller), so ids sort as the
 * timeline does.
 */
export function buildInteraction(
  input: LogInteraction,
  ctx: { id: string; contactId: string; loggedBy: string; now: string },
): Interaction {
  return {
    id: ctx.id,
    contactId: ctx.contactId,
    type: input.type,
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.direction ? { direction: input.direction } : {}),
    occurredAt: input.occurredAt ?? ctx.now,
    summary: input.summary,
    ...(input.amount ? { amount: input.amount } : {}),
    loggedBy: ctx.loggedBy,
    loggedAt: ctx.now,
  }
}

/** Rules across fields: not in the future (5 minutes of clock skew allowed); amounts only on purchases. */
export function interactionProblems(input: LogInteraction, now: string): ContactProblem[] {
  const out: ContactProblem[] = []
  if (input.occurredAt && Date.parse(input.occurredAt) > Date.parse(now) + 5 * 60_000) {
    out.push({
      field: 'occurredAt',
      code: 'in_future',
      message: 'An interaction cannot happen in the future',
    })
  }
  if (input.amount && input.type !== 'purchase') {
    out.push({ field: 'amount', code: 'not_a_purchase', message: 'Only a purchase has an amount' })
  }
  return out
}
