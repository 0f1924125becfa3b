import { nowIso } from '@relay/core/ids'
import { Invalid, NotFound } from '@relay/core/outcomes'
import { ulid } from 'ulid'
import { applyPurchase, diffContacts } from '../domain/contact.js'
import { buildInteraction, interactionProblems } from '../domain/interaction.js'
import { http } from '../kit.js'
import * as routes from '../routes/timeline.js'
import { getContact } from '../store/contacts.js'
import { insertInteraction } from '../store/interactions.js'

/**
 * POST /contacts/{id}/interactions → 201 + Location, with Interaction.Logged. A purchase also counts
 * towards the contact's tier (the contact is updated in the same transaction).
 */
export const handler = http(routes.logInteraction, async ({ params, body, caller, correlationId }) => {
  const now = nowIso()
  const problems = interactionProblems(body, now)
  if (problems.length) throw new Invalid(problems)
  const contact = await getContact(caller.tenantId, params.id)
  if (!contact) throw new NotFound('No contact with this id.')
  const occurredAt = body.occurredAt ?? now
  // The id is minted for when it happened, so the timeline (sorted by id) is in time order.
  const interaction = buildInteraction(body, {
    id: ulid(Date.parse(occurredAt)),
    contactId: contact.id,
    loggedBy: caller.userId,
    now,
  })
  const after = body.type === 'purchase' ? applyPurchase(contact, occurredAt, now) : undefined
  await insertInteraction(
    caller.tenantId,
    contact,
    interaction,
    correlationId,
    after ? { after, changes: diffContacts(contact, after) } : undefined,
  )
  return {
    status: 201,
    body: interaction,
    location: `/contacts/${contact.id}/interactions/${interaction.id}`,
  }
})
