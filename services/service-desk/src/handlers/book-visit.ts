import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { buildVisit, resolveWindow } from '../domain/visit.js'
import { http } from '../kit.js'
import * as routes from '../routes/field.js'
import { getAgent } from '../store/agents.js'
import { getTicket } from '../store/tickets.js'
import { bookVisit } from '../store/visits.js'

/**
 * POST /visits → 201 + Location: a booked visit holding its technician's slots; 409 when the
 * technician holds another visit in the window (under concurrent bookings too: one wins). The
 * technician is an agent of the tenant (`/agents`) and a named ticket must exist (400 on the field
 * otherwise); the visit takes the ticket's requester as its customer.
 */
export const handler = http(routes.bookVisit, async ({ caller, body, correlationId }) => {
  const now = Date.now()
  const resolved = resolveWindow(body.window, now)
  if (!resolved.ok) throw new Invalid(resolved.problems)
  const [ticket, technician] = await Promise.all([
    body.ticketId ? getTicket(caller.tenantId, body.ticketId) : undefined,
    getAgent(caller.tenantId, body.technicianId),
  ])
  const problems = [
    ...(body.ticketId && !ticket
      ? [{ field: 'ticketId', code: 'not_found', message: 'No ticket with this id' }]
      : []),
    ...(technician ? [] : [{ field: 'technicianId', code: 'not_found', message: 'No agent with this id' }]),
  ]
  if (problems.length) throw new Invalid(problems)
  const visit = buildVisit(body, {
    id: newId(),
    now: nowIso(),
    window: resolved.window,
    contactId: ticket?.requester.contactId,
  })
  await bookVisit(caller.tenantId, visit, correlationId)
  return { status: 201, body: visit, version: visit.version, location: `/visits/${visit.id}` }
})
