/** Timeline entries a contact's own changes leave, pure. */
import type { Interaction, TimelineEntry } from '@relay/contracts/interactions'
import { newId } from '@relay/core/ids'

/** The entry of a change made by `actorId` at `at` (ids sort as the timeline does). */
export function changeEntry(
  kind: TimelineEntry['kind'],
  actorId: string,
  at: string,
  changes?: object,
): TimelineEntry {
  return {
    id: newId(),
    kind,
    occurredAt: at,
    actorId,
    ...(changes ? { changes: changes as Record<string, unknown> } : {}),
  }
}

/** The entry an interaction shows as (its id is the interaction's: one item per interaction). */
export function interactionEntry(interaction: Interaction): TimelineEntry {
  return {
    id: interaction.id,
    kind: 'interaction',
    occurredAt: interaction.occurredAt,
    actorId: interaction.loggedBy,
    interaction,
  }
}
