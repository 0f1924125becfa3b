/** The pipeline tests' API Gateway event builders: the shared ones in test/support. */
export { context, httpEvent, parse } from '../../../test/support/http-events.js'

const AT = '2026-11-01T09:00:00.000Z'

/** `Contact.Created` data as the contacts contract states it (a whole contact), with these emails. */
export function contactData(c: {
  id: string
  version?: number
  emails?: { address: string; primary?: boolean }[]
}) {
  return {
    id: c.id,
    displayName: 'X',
    emails: (c.emails ?? []).map((e, i) => ({ address: e.address, primary: e.primary ?? i === 0 })),
    phones: [],
    tags: [],
    ownerId: 'u-1',
    version: c.version ?? 1,
    createdAt: AT,
    updatedAt: AT,
  }
}

/** `Interaction.Logged` data as the contacts contract states it. */
export function interactionData(i: { id: string; contactId: string; type: string }) {
  return { ...i, occurredAt: AT, summary: 'Logged', loggedBy: 'u-1', loggedAt: AT }
}
