import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { buildVisit, resolveWindow } from '../domain/visit.js'
import { http } from '../kit.js'
import * as routes from '../routes/field.js'
import { getTicket } from '../store/tickets.js'
import { bookVisit } from '../store/visits.js'

/**
 * POST /visits → 201 + Location: a booked visit holding its technician's slots; 409 when the
 * technician holds another visit in the window (under concurrent bookings too: one wins). A named
 * ticket must exist (400 on `ticketId` otherwise); the visit takes its requester's contact.
 */
export const handler = http(routes.bookVisit, async ({ caller, body, correlationId }) => {
  const now = Date.now()
  const resolved = resolveWindow(body.window, now)
  if (!resolved.ok) throw new Invalid(resolved.problems)
  const ticket = body.ticketId ? await getTicket(caller.tenantId, body.ticketId) : undefined
  if (body.ticketId && !ticket)
    throw new Invalid([{ field: 'ticketId', code: 'not_found', message: 'No ticket with this id' }])
  const visit = buildVisit(body, {
    id: newId(),
    now: nowIso(),
    window: resolved.window,
    contactId: ticket?.requester.contactId,
  })
  await bookVisit(caller.tenantId, visit, correlationId)
  return { status: 201, body: visit, version: visit.version, location: `/visits/${visit.id}` }
})
