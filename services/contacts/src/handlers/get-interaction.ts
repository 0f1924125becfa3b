import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/timeline.js'
import { getContact } from '../store/contacts.js'
import { getInteraction } from '../store/timeline.js'

/** GET /contacts/{id}/interactions/{interactionId} → the interaction, or 404. */
export const handler = httpNonPost(routes.getInteraction, async ({ params, caller }) => {
  const [contact, interaction] = await Promise.all([
    getContact(caller.tenantId, params.id),
    getInteraction(caller.tenantId, params.id, params.interactionId),
  ])
  if (!contact || !interaction) throw new NotFound('No interaction with this id.')
  return { status: 200, body: interaction }
})
