/**
 * Interactions a user logs (calls, emails, meetings, purchases...): each is a timeline entry of its
 * contact (store/timeline.ts, id = the interaction's id) with `Interaction.Logged`.
 *
 * Access patterns:
 * 15a. Log: ONE transaction = ConditionCheck that the contact exists + the entry Put (new) + outbox;
 *      a purchase replaces the contact at its version instead of the check (pattern 4), so purchases
 *      and tier move with it.
 * 15b. Read: pattern 8a.
 */
import type { Contact } from '@relay/contracts/contacts'
import type { Interaction } from '@relay/contracts/interactions'
import { transactWithEvents } from '@relay/core/outbox'
import { writeOrExplain } from '@relay/core/outcomes'
import type { ContactChanges } from '../domain/contact.js'
import { interactionLogged } from '../domain/events.js'
import { interactionEntry } from '../domain/timeline.js'
import { getContact, replaceContact } from './contacts.js'
import { contactKey, envelopes, table } from './table.js'
import { timelinePut } from './timeline.js'

/** Pattern 15a; the contact gone meanwhile → `NotFound`, a purchase's contact changed → `StaleVersion`. */
export async function insertInteraction(
  tenantId: string,
  contact: Contact,
  interaction: Interaction,
  correlationId: string,
  purchase?: { after: Contact; changes: ContactChanges },
): Promise<void> {
  const entry = timelinePut(tenantId, contact.id, interactionEntry(interaction), true)
  const events = interactionLogged(interaction, purchase)
  if (!purchase) {
    await writeOrExplain(
      () =>
        transactWithEvents(
          table(),
          [
            {
              ConditionCheck: {
                TableName: table(),
                Key: contactKey(tenantId, contact.id),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            entry,
          ],
          envelopes(tenantId, correlationId, events),
        ),
      async () => (await getContact(tenantId, contact.id)) !== undefined,
    )
    return
  }
  await replaceContact(tenantId, contact, purchase.after, purchase.changes, correlationId, {
    actorId: interaction.loggedBy,
    extra: [entry],
    events,
  })
}
